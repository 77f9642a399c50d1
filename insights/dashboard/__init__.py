"""What the journey dashboard shows, read in a handful of aggregate queries.

``period`` reads the query (period, journey, segment) every panel obeys; ``headlines``
the metric cards; ``panels`` the journey map, heatmap, trend and funnel; ``dashboard``
gathers them for the page and its htmx refresh.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import npgettext

from cx.models import Journey, Segment
from followups.models import FollowUp
from followups.selectors import closed_loop_counts, followup_counts, followup_queue
from insights.dashboard.fix_first import fix_first
from insights.dashboard.headlines import headlines, short_name
from insights.dashboard.panels import (
    delivery_funnel,
    funnel_rows,
    heatmaps,
    journey_map,
    metric_trend,
    nps_heatmap,
    segment_heatmap,
)
from insights.dashboard.period import PERIODS, DashboardQuery, dashboard_query
from insights.metrics import Metric
from insights.selectors import (
    Target,
    min_sample,
    targets_of,
)
from insights.targets import TARGETED
from insights.text.selectors import themes_panel

__all__ = [
    "DashboardQuery",
    "dashboard",
    "dashboard_query",
    "nps_heatmap",
    "segment_heatmap",
]


def dashboard(*, query: DashboardQuery) -> dict[str, Any]:
    """Return everything the dashboard page shows for ``query``."""
    organization = query.organization
    targets = targets_of(
        organization=organization,
        journey=query.journey.pk if query.journey is not None else None,
    )
    nps_target = targets.get(Metric.NPS)
    rows = funnel_rows(query=query)
    journeys = list(Journey.objects.for_organization(organization).order_by("name"))
    return {
        "query": query,
        "periods": PERIODS,
        "journey_choices": journeys,
        "segment_choices": Segment.objects.for_organization(organization).order_by(
            "name"
        ),
        "headlines": headlines(query=query, targets=targets),
        "journeys": journey_map(query=query, funnel_rows=rows),
        "heatmap": heatmaps(query=query),
        "trend": metric_trend(
            query=query,
            target=nps_target.value if nps_target else None,
            target_label=_target_label(nps_target),
        ),
        "funnel": delivery_funnel(rows=rows, query=query),
        "underperforming": fix_first(query=query),
        "targets": [
            (metric, short_name(metric), targets.get(metric)) for metric in TARGETED
        ],
        "min_n": min_sample(),
        "nps_target": nps_target,
        "followups": list(
            followup_queue(organization=organization, state="unresolved")[:5]
        ),
        "followup_counts": followup_counts(organization=organization),
        "themes": themes_panel(
            organization=organization,
            journey=query.journey.pk if query.journey is not None else None,
            segment=query.segment.key if query.segment is not None else "",
            since=query.since,
            until=query.until,
        ),
        "closed_loop": _closed_loop(query),
        "updated_at": timezone.now(),
        "open_state": FollowUp.State.OPEN,
    }


def _target_label(target: Target | None) -> str:
    if target is None:
        return ""
    if target.is_default:
        return _("Target %(value)s (default)") % {"value": f"{target.value:g}"}
    return _("Target %(value)s") % {"value": f"{target.value:g}"}


def _closed_loop(query: DashboardQuery) -> list[tuple[str, int, str]]:
    """Return the loop's steps for the cases opened in the period, each with its list."""
    counts = closed_loop_counts(
        organization=query.organization,
        since=query.since,
        until=query.until,
        journey=query.journey.pk if query.journey is not None else None,
    )
    # Each label agrees with its count (fi "1 avattu" / "3 avattua", sv "1 stängt" /
    # "3 stängda"); the context keeps these apart from the bare state names.
    steps = (
        ("opened", lambda n: npgettext("cases", "opened", "opened", n), "all"),
        ("closed", lambda n: npgettext("cases", "closed", "closed", n), "closed"),
        (
            "recovery_sent",
            lambda n: npgettext(
                "cases", "recovery survey sent", "recovery surveys sent", n
            ),
            "recovery_sent",
        ),
        (
            "recovered",
            lambda n: npgettext("cases", "recovered", "recovered", n),
            "recovered",
        ),
    )
    return [
        (label(counts[key]), counts[key], query.queue_url(state=state))
        for key, label, state in steps
    ]
