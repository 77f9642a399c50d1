"""What the journey dashboard shows, read in a handful of aggregate queries.

One function per panel, so the htmx refresh and the tests can ask for exactly one, and
one ``dashboard`` that gathers them for the page. Every read is the organisation's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cx.models import Journey, Organization, Segment, Touchpoint
from followups.models import FollowUp
from followups.selectors import followup_counts, followup_queue
from insights import charts
from insights.metrics import Metric, sample_rule
from insights.selectors import funnel, metric_rows, min_sample, underperforming_journeys
from surveys import statistics
from surveys.models import ResponseSegment

PERIOD_DAYS = 90
NPS_SCALE = (-100.0, 100.0)


@dataclass
class TouchpointScore:
    name: str
    volume: int = 0
    scores: dict[str, float | None] = field(default_factory=dict)


@dataclass
class JourneyMap:
    name: str
    touchpoints: list[TouchpointScore]


def _since(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def journey_map(
    *, organization: Organization, days: int = PERIOD_DAYS
) -> list[JourneyMap]:
    """Return each journey's touchpoints in order with their NPS, CSAT, CES and volume."""
    by_touchpoint: dict[int, TouchpointScore] = {}
    since = _since(days)
    for metric in (Metric.NPS, Metric.CSAT, Metric.CES):
        for row in metric_rows(
            organization=organization, metric=metric, group_by=["touchpoint"],
            since=since,
        ):  # fmt: skip
            label = row.groups.get("touchpoint")
            if not label:
                continue
            score = by_touchpoint.setdefault(
                label["id"], TouchpointScore(label["name"])
            )
            score.scores[metric.value] = row.value
            score.volume = max(score.volume, row.n)
    maps = []
    for journey in Journey.objects.for_organization(organization).prefetch_related(
        "touchpoints"
    ):
        touchpoints = [
            by_touchpoint.get(t.pk, TouchpointScore(t.name))
            for t in sorted(journey.touchpoints.all(), key=lambda t: t.position)
        ]
        maps.append(JourneyMap(journey.name, touchpoints))
    return maps


def segment_heatmap(*, organization: Organization, days: int = PERIOD_DAYS) -> str:
    """Return the touchpoint × segment NPS heatmap as SVG.

    One grouped scan of the segment snapshots, which carry the touchpoint and the NPS
    given (copied when the response completed): no join of answers and segments, so it
    stays fast at a million responses.
    """
    cells_found = (
        ResponseSegment.objects.for_organization(organization)
        .filter(
            completed_at__gte=_since(days),
            nps__isnull=False,
            touchpoint__isnull=False,
            segment__isnull=False,
        )
        .values("touchpoint_id", "segment_id")
        .annotate(
            n=Count("pk"),
            promoters=Count("pk", filter=Q(nps__gte=9)),
            detractors=Count("pk", filter=Q(nps__lte=6)),
        )
        .order_by()
        .values_list("touchpoint_id", "segment_id", "n", "promoters", "detractors")
    )
    return nps_heatmap(organization=organization, cells=cells_found)


def nps_heatmap(*, organization: Organization, cells: Iterable[Sequence[int]]) -> str:
    """Draw NPS cells ``(touchpoint id, segment id, answers, promoters, detractors)``.

    Shared with the maturity report, which draws the cells its assessment stored.
    """
    rule = sample_rule(min_sample())
    touchpoint_names = dict(
        Touchpoint.objects.for_organization(organization).values_list("pk", "name")
    )
    segment_names = dict(
        Segment.objects.for_organization(organization).values_list("pk", "name")
    )
    drawn: dict[tuple[str, str], charts.Cell] = {}
    for touchpoint, segment, answers, promoters, detractors in cells:
        row = touchpoint_names.get(touchpoint, "?")
        column = segment_names.get(segment, "?")
        estimate = statistics.nps(promoters, detractors, answers, rule)
        drawn[(row, column)] = charts.Cell(estimate.value, answers)
    touchpoints = sorted({row for row, _column in drawn})
    segments = sorted({column for _row, column in drawn})
    return charts.heatmap(
        touchpoints, segments, drawn, title=_("NPS by touchpoint and segment"),
        scale=NPS_SCALE, no_data=_("not enough answers"),
    )  # fmt: skip


def nps_trend(*, organization: Organization, days: int = PERIOD_DAYS) -> str:
    """Return the weekly NPS line with its confidence band as SVG."""
    rows = metric_rows(
        organization=organization, metric=Metric.NPS, group_by=["week"],
        since=_since(days),
    )  # fmt: skip
    points = [
        charts.Point(row.groups["week"], row.value, row.ci_low, row.ci_high)
        for row in rows
        if row.groups.get("week") is not None
    ]
    return charts.trend(points, title=_("NPS by week"), scale=NPS_SCALE)


def delivery_funnel(*, organization: Organization, days: int = PERIOD_DAYS) -> str:
    """Return the funnel of all touchpoints together as SVG."""
    totals: dict[str, int] = {}
    steps = [
        "events", "matched", "sent", "opened", "started", "completed",
        "followup_opened", "recovered",
    ]  # fmt: skip
    for row in funnel(organization=organization, since=_since(days)):
        for step in steps:
            totals[step] = totals.get(step, 0) + getattr(row, step)
    labels = {
        "events": _("Events"), "matched": _("Matched a rule"), "sent": _("Sent"),
        "opened": _("Opened"), "started": _("Started"), "completed": _("Completed"),
        "followup_opened": _("Followed up"), "recovered": _("Recovered"),
    }  # fmt: skip
    return charts.funnel(
        [(labels[step], totals.get(step, 0)) for step in steps],
        title=_("From events to answers"),
    )


def dashboard(*, organization: Organization, days: int = PERIOD_DAYS) -> dict[str, Any]:
    """Return everything the dashboard page shows."""
    return {
        "days": days,
        "journeys": journey_map(organization=organization, days=days),
        "heatmap": segment_heatmap(organization=organization, days=days),
        "trend": nps_trend(organization=organization, days=days),
        "funnel": delivery_funnel(organization=organization, days=days),
        "underperforming": underperforming_journeys(
            organization=organization, since=_since(days)
        ),
        "followups": list(
            followup_queue(organization=organization, state="unresolved")[:5]
        ),
        "followup_counts": followup_counts(organization=organization),
        "updated_at": timezone.now(),
        "open_state": FollowUp.State.OPEN,
    }
