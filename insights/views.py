"""The staff journey dashboard (its panels refresh through htmx polling) and targets."""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cx.audit.models import Channel
from cx.digits import as_id
from cx.models import Journey, Membership
from cx.roles import Permission, permissions_of, role_may
from cx.staff import signed_in_user, staff_membership
from insights.dashboard import dashboard, dashboard_query
from insights.exports import responses_export
from insights.metrics import Metric
from insights.models import DashboardVisit
from insights.targets import TARGETED, metric_targets_set

# How often the open page asks for fresh panels (seconds).
REFRESH_SECONDS = 10


def _context(
    request: HttpRequest, membership: Membership
) -> dict[str, object] | HttpResponseBadRequest:
    """Return the page's data for the query string, or a 400 naming what is wrong."""
    organization = membership.organization
    try:
        query = dashboard_query(
            organization=organization,
            params=request.GET,
            drill_down=role_may(membership.role, Permission.VIEW_FEEDBACK),
        )
    except ValidationError as error:
        return _bad_request(error)
    DashboardVisit.objects.get_or_create(
        organization=organization,
        user=signed_in_user(request),
        day=timezone.localdate(timezone=organization.tzinfo),
        defaults={"role": membership.role},
    )
    data = dashboard(query=query)
    # Built by insights.charts from escaped text only.
    data["heatmap"] = [mark_safe(svg) for svg in data["heatmap"]]  # noqa: S308
    data["trend"] = [mark_safe(svg) for svg in data["trend"]]  # noqa: S308
    data["funnel_charts"] = [mark_safe(svg) for svg in data["funnel"].charts]  # noqa: S308
    return {
        "organization": organization,
        "refresh": REFRESH_SECONDS,
        "query_string": urlencode(query.params()),
        "may": permissions_of(membership.role),
        "drill_down": query.drill_down,
        "may_set_targets": role_may(membership.role, Permission.CONFIGURE_CX),
        **data,
    }


def _bad_request(error: ValidationError) -> HttpResponseBadRequest:
    problems = "; ".join(
        f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
    )
    return HttpResponseBadRequest(
        _("These filters cannot be read: %(problems)s") % {"problems": problems},
        content_type="text/plain; charset=utf-8",
    )


@login_required
def page(request: HttpRequest) -> HttpResponse:
    membership = staff_membership(request, permission=Permission.VIEW_DASHBOARD)
    context = _context(request, membership)
    if isinstance(context, HttpResponse):
        return context
    return render(request, "insights/dashboard.html", context)


@login_required
def panels(request: HttpRequest) -> HttpResponse:
    membership = staff_membership(request, permission=Permission.VIEW_DASHBOARD)
    context = _context(request, membership)
    if isinstance(context, HttpResponse):
        return context
    return render(request, "insights/_panels.html", context)


@login_required
@require_POST
def targets(request: HttpRequest) -> HttpResponse:
    """Set the organisation's metric targets; an empty box means "use the default"."""
    membership = staff_membership(request, permission=Permission.CONFIGURE_CX)
    values: dict[Metric, float | None] = {}
    errors: dict[str, list[str]] = {}
    for metric in TARGETED:
        raw = request.POST.get(f"target_{metric.value}", "").strip().replace(",", ".")
        try:
            values[metric] = float(raw) if raw else None
        except ValueError:
            errors[metric.value] = [_("Write a number.")]
        value = values.get(metric)
        if raw and value is not None and not math.isfinite(value):
            errors[metric.value] = [_("Write a number.")]
    journey = None
    if request.POST.get("journey"):
        journey = (
            Journey.objects.for_organization(membership.organization)
            .filter(pk=as_id(request.POST["journey"]) or 0)
            .first()
        )
        if journey is None:
            errors["journey"] = [_("Choose one from the list.")]
    try:
        if errors:
            raise ValidationError(errors)
        metric_targets_set(
            organization=membership.organization, values=values, journey=journey
        )
    except ValidationError as error:
        return _bad_request(error)
    back = request.POST.get("next", "")
    if not back.startswith("?"):
        back = ""
    return redirect(reverse("insights:dashboard") + back + "#targets-title")


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
            language=translation.get_language(),
        )
    except ValidationError as error:
        return _bad_request(error)
