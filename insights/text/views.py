"""Staff pages of comment understanding: the themes page and the manager's edits."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from cx.digits import is_digits
from cx.models import Journey, Membership
from cx.publish import publish_on_commit
from cx.roles import Permission, permissions_of
from cx.staff import staff_membership
from insights.text import selectors, services
from insights.text.charts import importance_performance
from insights.text.models import ResponseTheme, Theme, ThemeAlert

SENTIMENT_CHOICES = [
    ("positive", _("Positive")),
    ("negative", _("Negative")),
    ("mixed", _("Mixed")),
    ("unknown", _("Unknown")),
    ("disagrees", _("Disagrees with its score")),
]
EXAMPLES = 2
SHOWN_THEMES = 20


def _number(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if is_digits(raw) and len(raw) < 10 else None


def _examples(theme: Theme) -> list[str]:
    """Return a few of the theme's most typical comments (its heaviest), each once.

    Customers often say the same thing in the same words, and the same words weigh
    the same: the heaviest comments are read until ``EXAMPLES`` different ones are found.
    """
    texts: list[str] = []
    for tagged in (
        ResponseTheme.objects.filter(theme=theme)
        .order_by("-weight", "-response_id")
        .prefetch_related("response__answers")[: EXAMPLES * 10]
    ):
        for text in [a.text for a in tagged.response.answers.all() if a.text][:1]:
            if text not in texts:
                texts.append(text)
        if len(texts) == EXAMPLES:
            break
    return texts


def _page(
    request: HttpRequest,
    membership: Membership,
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    organization = membership.organization
    journeys = Journey.objects.for_organization(organization).order_by("name")
    journey_id = _number(request.GET.get("journey", ""))
    journey = journeys.filter(pk=journey_id).first() if journey_id else None
    if journey_id and journey is None:
        raise Http404("No such journey.")
    metric = request.GET.get("metric", "nps")
    metric = metric if metric in selectors.METRICS else "nps"
    scope = selectors.Scope(journey=journey.pk if journey else None)
    rows = selectors.theme_impacts(
        organization=organization, metric=metric, scope=scope, limit=SHOWN_THEMES
    )
    drivers = (
        selectors.key_drivers(
            organization=organization, journey=journey, metric=metric, scope=scope
        )
        if journey
        else []
    )
    chart = (
        # Built by insights.text.charts from escaped text only.
        mark_safe(  # noqa: S308
            importance_performance(
                [
                    (row.name, max(row.driver.importance, 0.0), row.performance)
                    for row in drivers
                    if row.performance is not None
                ],
                metric=metric,
            )
        )
        if drivers
        else ""
    )
    context = {
        "organization": organization,
        "journeys": journeys,
        "journey": journey,
        "metric": metric,
        "rows": [(row, _examples(row.theme)) for row in rows],
        "sentiment": selectors.sentiment_summary(
            organization=organization, scope=scope
        ),
        "drivers": drivers,
        "chart": chart,
        "alerts": ThemeAlert.objects.for_organization(organization).select_related(
            "theme", "touchpoint"
        )[:10],
        "themes": selectors.themes_of(organization),
        "errors": errors or {},
        "may": permissions_of(membership.role),
    }
    return render(request, "insights/themes.html", context, status=status)


@login_required
@require_GET
def themes_page(request: HttpRequest) -> HttpResponse:
    membership = staff_membership(request, permission=Permission.VIEW_FEEDBACK)
    return _page(request, membership)


def _back(request: HttpRequest) -> str:
    journey = _number(request.POST.get("journey", ""))
    url = reverse("insights:themes")
    return f"{url}?journey={journey}" if journey else url


@login_required
@require_POST
def theme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename, merge or split a theme (the manager's edits, kept across retraining)."""
    membership = staff_membership(request, permission=Permission.CONFIGURE_CX)
    organization = membership.organization
    theme = Theme.objects.for_organization(organization).filter(pk=pk).first()
    if theme is None:
        raise Http404("No such theme.")
    action = request.POST.get("action", "")
    try:
        if action == "rename":
            services.theme_rename(theme=theme, label=request.POST.get("label", ""))
        elif action == "merge":
            into = (
                Theme.objects.for_organization(organization)
                .filter(pk=_number(request.POST.get("into", "")) or 0)
                .first()
            )
            if into is None:
                raise ValidationError({"into": [_("Choose the theme to merge into.")]})
            services.theme_merge(theme=theme, into=into)
        elif action == "split":
            services.theme_add_rule(
                organization=organization,
                label=request.POST.get("label", ""),
                keywords=request.POST.get("keywords", ""),
                split_from=theme,
            )
        else:
            raise ValidationError({"action": [_("Choose what to do with the theme.")]})
    except ValidationError as error:
        return _page(request, membership, errors=error.message_dict, status=400)
    return redirect(_back(request))


@login_required
@require_POST
def theme_rule_add(request: HttpRequest) -> HttpResponse:
    """Add a theme by keyword rule."""
    membership = staff_membership(request, permission=Permission.CONFIGURE_CX)
    try:
        services.theme_add_rule(
            organization=membership.organization,
            label=request.POST.get("label", ""),
            keywords=request.POST.get("keywords", ""),
        )
    except ValidationError as error:
        return _page(request, membership, errors=error.message_dict, status=400)
    return redirect(_back(request))


@login_required
@require_POST
def themes_train(request: HttpRequest) -> HttpResponse:
    """Learn the themes and sentiment again now (in the background)."""
    membership = staff_membership(request, permission=Permission.CONFIGURE_CX)
    from insights.text.tasks import text_model_train_task

    organization_id = membership.organization_id
    publish_on_commit(text_model_train_task.delay, organization_id)
    return redirect(_back(request))
