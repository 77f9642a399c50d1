"""The staff journey dashboard; its panels refresh themselves through htmx polling."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from audit.models import Channel
from cx.roles import Permission, permissions_of
from cx.staff import staff_membership
from insights.dashboard import dashboard
from insights.exports import responses_export
from insights.models import DashboardVisit

# How often the open page asks for fresh panels (seconds).
REFRESH_SECONDS = 10


def _context(request: HttpRequest) -> dict[str, object]:
    membership = staff_membership(request, permission=Permission.VIEW_DASHBOARD)
    organization = membership.organization
    DashboardVisit.objects.get_or_create(
        organization=organization,
        user=request.user,
        day=timezone.localdate(timezone=organization.tzinfo),
        defaults={"role": membership.role},
    )
    data = dashboard(organization=organization)
    for chart in ("heatmap", "trend", "funnel"):
        # Built by insights.charts from escaped text only.
        data[chart] = mark_safe(data[chart])  # noqa: S308
    return {
        "organization": organization,
        "refresh": REFRESH_SECONDS,
        "may": permissions_of(membership.role),
        **data,
    }


@login_required
def page(request: HttpRequest) -> HttpResponse:
    return render(request, "insights/dashboard.html", _context(request))


@login_required
def panels(request: HttpRequest) -> HttpResponse:
    return render(request, "insights/_panels.html", _context(request))


@login_required
@require_safe
def export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """Download the organisation's responses, filtered as the API list is."""
    organization = staff_membership(
        request, permission=Permission.EXPORT_FEEDBACK
    ).organization
    try:
        return responses_export(
            request=request,
            organization=organization,
            channel=Channel.STAFF,
            fmt=fmt,
            params=request.GET,
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}"
            for name, messages in error.message_dict.items()
        )
        return HttpResponseBadRequest(
            _("These filters cannot be read: %(problems)s") % {"problems": problems},
            content_type="text/plain; charset=utf-8",
        )
