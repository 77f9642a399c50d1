"""The dashboard's panels below the headline cards, each for one ``DashboardQuery``.

One function per panel, so the htmx refresh and the tests can ask for exactly one. Every
read is the organisation's own and obeys the query's period, journey and segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cx import statistics
from cx.models import Journey, Organization, Segment, Touchpoint
from cx.names import localized_name, translated_name
from insights import charts
from insights.dashboard.figures import Figure
from insights.dashboard.period import DashboardQuery
from insights.metrics import Metric, Result, sample_rule
from insights.selectors import FunnelRow, funnel, metric_rows, min_sample
from insights.selectors.rows import MetricRow
from surveys.models import ResponseSegment, Suppression

PERIOD_DAYS = 90
NPS_SCALE = (-100.0, 100.0)
JOURNEY_METRICS = (Metric.NPS, Metric.CSAT, Metric.CES)


def _since(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


@dataclass
class TouchpointCard:
    """One touchpoint on its journey: its scores now, their change, and its volume."""

    pk: int
    position: int
    name: str
    channel: str
    figures: list[Figure] = field(default_factory=list)
    surveyed: bool = False

    @property
    def main(self) -> Figure | None:
        """Return the figure shown large: NPS, else CSAT, else CES (with answers)."""
        return next((f for f in self.figures if f.current.n), None)

    @property
    def others(self) -> list[Figure]:
        main = self.main
        return [f for f in self.figures if f.current.n and f is not main]


@dataclass
class JourneyMap:
    pk: int
    name: str
    touchpoints: list[TouchpointCard]


def _by_touchpoint(
    query: DashboardQuery, metric: Metric, *, previous: bool
) -> dict[int, Result]:
    found = {}
    for row in metric_rows(
        organization=query.organization,
        metric=metric,
        group_by=["touchpoint"],
        since=query.previous_since if previous else query.since,
        until=query.since if previous else query.until,
        filters=query.filters(),
    ):
        label = row.groups.get("touchpoint")
        if isinstance(label, dict):
            found[label["id"]] = Result(
                row.n, row.value, row.ci_low, row.ci_high, row.reason
            )
    return found


def journey_map(
    *, query: DashboardQuery, funnel_rows: Sequence[FunnelRow] = ()
) -> list[JourneyMap]:
    """Return each journey's touchpoints in happy-path order with score, n and change.

    A touchpoint no rule surveyed in the period says so rather than showing zeros.
    """
    scores = {
        metric: (
            _by_touchpoint(query, metric, previous=False),
            _by_touchpoint(query, metric, previous=True),
        )
        for metric in JOURNEY_METRICS
    }
    invited = {
        row.touchpoint["id"]: row.matched
        for row in funnel_rows
        if row.touchpoint is not None
    }
    empty = Result(0, None, None, None)
    journeys = Journey.objects.for_organization(query.organization).order_by("name")
    if query.journey is not None:
        journeys = journeys.filter(pk=query.journey.pk)
    maps = []
    for journey in journeys.prefetch_related("touchpoints"):
        cards = []
        for touchpoint in sorted(journey.touchpoints.all(), key=lambda t: t.position):
            card = TouchpointCard(
                touchpoint.pk,
                touchpoint.position,
                localized_name(touchpoint),
                str(touchpoint.get_channel_display()),
            )
            for metric in JOURNEY_METRICS:
                now, before = scores[metric]
                current = now.get(touchpoint.pk, empty)
                card.figures.append(
                    Figure(
                        metric,
                        current,
                        before.get(touchpoint.pk, empty),
                        href=query.feedback_url(
                            metric=metric.value, touchpoint=touchpoint.pk
                        ),
                    )
                )
            card.surveyed = bool(invited.get(touchpoint.pk)) or card.main is not None
            cards.append(card)
        maps.append(JourneyMap(journey.pk, localized_name(journey), cards))
    return maps


def _heatmap_cells(
    organization: Organization,
    since: datetime,
    until: datetime | None,
    query: DashboardQuery | None,
) -> list[tuple[int, int, int, int, int]]:
    """Return NPS cells ``(touchpoint, segment, answers, promoters, detractors)``.

    One grouped scan of the segment snapshots, which carry the touchpoint and the NPS
    given (copied when the response completed): no join of answers and segments, so it
    stays fast at a million responses.
    """
    snapshots = ResponseSegment.objects.for_organization(organization).filter(
        completed_at__gte=since,
        nps__isnull=False,
        touchpoint__isnull=False,
        segment__isnull=False,
    )
    if until is not None:
        snapshots = snapshots.filter(completed_at__lt=until)
    if query is not None and query.journey is not None:
        snapshots = snapshots.filter(touchpoint__journey_id=query.journey.pk)
    if query is not None and query.segment is not None:
        snapshots = snapshots.filter(segment_id=query.segment.pk)
    return list(
        snapshots.values("touchpoint_id", "segment_id")
        .annotate(
            n=Count("pk"),
            promoters=Count("pk", filter=Q(nps__gte=9)),
            detractors=Count("pk", filter=Q(nps__lte=6)),
        )
        .order_by()
        .values_list("touchpoint_id", "segment_id", "n", "promoters", "detractors")
    )


def segment_heatmap(
    *,
    organization: Organization,
    days: int = PERIOD_DAYS,
    query: DashboardQuery | None = None,
    width: int = 640,
) -> str:
    """Return the touchpoint × segment NPS heatmap as SVG.

    With a ``query`` (the dashboard) it covers the query's period and filters and each
    cell links to its answers; without, the ``days`` up to now (the maturity report).
    """
    if query is not None:
        cells = _heatmap_cells(organization, query.since, query.until, query)
    else:
        cells = _heatmap_cells(organization, _since(days), None, None)
    return nps_heatmap(organization=organization, cells=cells, query=query, width=width)


def nps_heatmap(
    *,
    organization: Organization,
    cells: Iterable[Sequence[int]],
    query: DashboardQuery | None = None,
    width: int = 640,
) -> str:
    """Draw NPS cells ``(touchpoint id, segment id, answers, promoters, detractors)``.

    Rows are touchpoints in journey order (journeys by name, each in its happy-path
    order), headed by their journey. Shared with the maturity report, which draws the
    cells its assessment stored.
    """
    rule = sample_rule(min_sample())
    # Names in the reader's language (cx/names.py); rows stay in journey order.
    touchpoints = [
        (pk, translated_name(name, given), translated_name(journey, journey_given))
        for pk, name, given, journey, journey_given in (
            Touchpoint.objects.for_organization(organization)
            .order_by("journey__name", "position")
            .values_list(
                "pk", "name", "name_translations",
                "journey__name", "journey__name_translations",
            )
        )
    ]  # fmt: skip
    segment_rows = Segment.objects.for_organization(organization).values_list(
        "pk", "name", "name_translations", "key"
    )
    segments = {pk: translated_name(name, given) for pk, name, given, _ in segment_rows}
    segment_keys = {pk: key for pk, _name, _given, key in segment_rows}
    names = {pk: name for pk, name, _journey in touchpoints}
    drawn: dict[tuple[str, str], charts.Cell] = {}
    for touchpoint, segment, answers, promoters, detractors in cells:
        row = names.get(touchpoint, "?")
        column = segments.get(segment, "?")
        estimate = statistics.nps(promoters, detractors, answers, rule)
        href = None
        if query is not None:
            href = query.feedback_url(
                metric=Metric.NPS.value,
                touchpoint=touchpoint,
                segment=segment_keys.get(segment, ""),
            )
        drawn[(row, column)] = charts.Cell(estimate.value, answers, href)
    rows_used = {row for row, _column in drawn}
    rows: list[str] = []
    groups: dict[int, str] = {}
    last_journey = None
    for _pk, name, journey in touchpoints:
        if name not in rows_used or name in rows:
            continue
        if journey != last_journey:
            groups[len(rows)] = journey
            last_journey = journey
        rows.append(name)
    columns = sorted({column for _row, column in drawn})
    return charts.heatmap(
        rows,
        columns,
        drawn,
        title=_("NPS by touchpoint and segment"),
        scale=NPS_SCALE,
        no_data=_("fewer than %(n)d answers: not shown") % {"n": rule.hidden_below},
        width=width,
        groups=groups,
        legend=_("NPS colour scale"),
        open_label=_("Open these answers."),
    )


def _buckets(query: DashboardQuery) -> str:
    if query.days <= 7:
        return "day"
    if query.days <= 180:
        return "week"
    return "month"


def _bucket_end(start: date, unit: str) -> date:
    if unit == "day":
        return start
    if unit == "week":
        return start + timedelta(days=6)
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _bucket_starts(
    query: DashboardQuery, unit: str, found: Mapping[date, object]
) -> list[date]:
    """Return the first day of every day, week or month of the period, in order."""
    if unit == "month":
        starts, day = [], query.first_day.replace(day=1)
        while day <= query.today:
            starts.append(day)
            day = _bucket_end(day, unit) + timedelta(days=1)
    else:
        step = 1 if unit == "day" else 7
        day = query.first_day - timedelta(days=query.first_day.weekday() * (step == 7))
        starts = []
        while day <= query.today:
            starts.append(day)
            day += timedelta(days=step)
    # A bucket the database dated differently (a time-zone edge) is kept, not lost.
    return sorted(set(starts) | set(found))


def metric_trend(
    *,
    query: DashboardQuery,
    metric: Metric = Metric.NPS,
    target: float | None = None,
    target_label: str = "",
    widths: Sequence[int] = (charts.WIDE, charts.NARROW),
) -> list[str]:
    """Return the metric by day, week or month with its band, drawn at each width."""
    unit = _buckets(query)
    rows = metric_rows(
        organization=query.organization,
        metric=metric,
        group_by=[unit],
        since=query.since,
        until=query.until,
        filters=query.filters(),
    )
    found: dict[date, MetricRow] = {}
    for found_row in rows:
        bucket = found_row.groups.get(unit)
        if isinstance(bucket, date):
            found[bucket] = found_row
    points = []
    # Every bucket of the period, so that one with no answers is a gap in the line.
    for start in _bucket_starts(query, unit, found):
        row = found.get(start)
        first = max(start, query.first_day)
        last = min(_bucket_end(start, unit), query.today)
        points.append(
            charts.Point(
                start,
                row.value if row else None,
                row.ci_low if row else None,
                row.ci_high if row else None,
                row.n if row else 0,
                href=query.feedback_url(
                    metric=metric.value,
                    since=first.isoformat(),
                    until=last.isoformat(),
                )
                if row
                else None,
            )
        )
    titles = {
        "day": _("NPS by day"),
        "week": _("NPS by week"),
        "month": _("NPS by month"),
    }
    return [
        charts.trend(
            points,
            title=titles[unit],
            scale=NPS_SCALE,
            width=width,
            target=target,
            target_label=target_label,
            legend=(_("NPS"), _("95 % interval")),
        )
        for width in widths
    ]


@dataclass(frozen=True)
class FunnelPanel:
    """The invitation funnel of the period's events, with its suppressions and rate.

    ``suppressed`` is (reason's label, count, the list of those events); ``sent_href``
    and ``answered_href`` open the rows behind the response rate's two numbers.
    """

    steps: list[tuple[str, int]]
    suppressed: list[tuple[str, int, str]]
    sent: int
    answered: int
    charts: list[str]
    sent_href: str = ""
    answered_href: str = ""

    @property
    def response_rate(self) -> float | None:
        return 100 * self.answered / self.sent if self.sent else None


def funnel_rows(*, query: DashboardQuery) -> list[FunnelRow]:
    """Return the funnel per touchpoint for the query's period (and journey)."""
    rows = funnel(organization=query.organization, since=query.since, until=query.until)
    if query.journey is None:
        return rows
    inside = set(query.journey.touchpoints.values_list("pk", flat=True))
    return [row for row in rows if row.touchpoint and row.touchpoint["id"] in inside]


def delivery_funnel(
    *,
    rows: Sequence[FunnelRow],
    query: DashboardQuery,
    widths: Sequence[int] = (charts.WIDE - 60, charts.NARROW),
) -> FunnelPanel:
    """Return the funnel event → invited → sent → opened → answered of ``rows``.

    Each count links to exactly the rows it counts: events, invitations by how far they
    got, and the answers (the feedback list, by when their event occurred).
    """
    events = sum(row.events for row in rows)
    invited = sum(row.matched - row.suppressed_total for row in rows)
    sent = sum(row.sent for row in rows)
    opened = sum(row.opened for row in rows)
    answered = sum(row.completed for row in rows)
    steps = [
        (_("Events"), events),
        (_("Invited"), invited),
        (_("Sent"), sent),
        (_("Opened"), opened),
        (_("Answered"), answered),
    ]
    answered_href = query.feedback_url(metric="answered", every_segment=True)
    hrefs = [
        query.delivery_url(kind="events"),
        query.delivery_url(kind="invitations"),
        query.delivery_url(kind="invitations", step="sent"),
        query.delivery_url(kind="invitations", step="opened"),
        answered_href,
    ]
    reasons: dict[str, int] = {}
    for row in rows:
        for reason, n in row.suppressed.items():
            reasons[reason] = reasons.get(reason, 0) + n
    labels = dict(Suppression.Reason.choices)
    suppressed = sorted(
        (
            (
                str(labels.get(reason, reason)),
                n,
                query.delivery_url(kind="suppressions", reason=reason),
            )
            for reason, n in reasons.items()
        ),
        key=lambda item: -item[1],
    )
    drawn = [
        charts.funnel(
            steps,
            title=_("From events to answers"),
            width=width,
            of_previous=_("{rate} of the step before"),
            hrefs=hrefs,
            open_label=_("Open the list."),
        )
        for width in widths
    ]
    return FunnelPanel(
        steps,
        suppressed,
        sent,
        answered,
        drawn,
        sent_href=hrefs[2],
        answered_href=answered_href,
    )


def heatmaps(*, query: DashboardQuery) -> list[str]:
    """Return the heatmap drawn wide and narrow (one scan of the snapshots)."""
    cells = _heatmap_cells(query.organization, query.since, query.until, query)
    return [
        nps_heatmap(organization=query.organization, cells=cells, query=query, width=w)
        for w in (charts.WIDE, charts.NARROW)
    ]
