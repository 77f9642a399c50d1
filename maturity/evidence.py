"""Evidence: the maturity markers measured from the organisation's own data.

Read-only: this module queries cx and surveys and changes nothing. Each marker is one
aggregate query (or a bounded sample, where said), so an assessment over a million
responses stays under a second. On PostgreSQL, outside a transaction, the independent
scans run side by side on connections of their own (``gather``); the markers are the
same either way. A marker the product cannot measure yet returns an observation with no
value; it lowers the dimension's evidence coverage and lets the self-assessment speak
for it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from cx.models import (
    Customer,
    Event,
    Journey,
    Organization,
    Role,
    Segment,
    Touchpoint,
)
from followups.models import FollowUp
from insights.models import DashboardVisit, DeviationAlert, MetricTarget
from maturity.reads import one_of, side_by_side
from maturity.scoring import Observation
from surveys.models import (
    Answer,
    Question,
    Response,
    ResponseSegment,
    Survey,
    TriggerRule,
)
from webhooks.models import WebhookDelivery

CUSTOMER_SAMPLE = 5000
LOOP_SAMPLE = 20000
REPORTABLE_N = 30


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def weeks(self) -> int:
        return max(1, round((self.end - self.start) / timedelta(days=7)))

    def week_windows(self) -> list[tuple[datetime, datetime]]:
        """Return the period cut at each week's start (Monday 00:00, current time zone).

        The windows are the calendar weeks the period touches, clipped to the period,
        as ``TruncWeek`` would group its instants.
        """
        zone = timezone.get_current_timezone()
        first = timezone.localtime(self.start, zone).date()
        monday = first - timedelta(days=first.weekday())
        windows = []
        start = self.start
        while start < self.end:
            monday += timedelta(days=7)
            end = min(datetime.combine(monday, time(), tzinfo=zone), self.end)
            windows.append((start, end))
            start = end
        return windows


def _customer_surveys(organization: Organization) -> list[int]:
    """Return the ids of the organisation's surveys that ask customers."""
    return list(
        Survey.objects.for_organization(organization)
        .filter(audience=Survey.Audience.CUSTOMERS)
        .order_by()
        .values_list("pk", flat=True)
    )


def _completed(organization: Organization, period: Period) -> QuerySet[Response]:
    """Return the period's completed customer feedback: what the organisation heard.

    Recovery answers are left out. They are part of the loop, not of listening (D5
    measures them through the cases that sent them), and the product never opens a case
    for one: counted here they would lower the triggered share (D1) and the share of
    negative answers with a case (D5) the more an organisation closes its loop.

    The customer surveys are named by id (a handful) rather than joined, which spares
    the scan a hash probe per response.
    """
    return (
        Response.objects.for_organization(organization)
        .filter(
            state=Response.State.COMPLETED,
            completed_at__gte=period.start,
            completed_at__lt=period.end,
            survey_id__in=_customer_surveys(organization),
        )
        .exclude(origin=Response.Origin.RECOVERY)
    )


@dataclass
class ResponseSummary:
    """Counts of the period's completed customer responses."""

    total: int = 0
    triggered: int = 0
    identified: int = 0
    weeks_with_answers: int = 0
    touchpoints: set[int] = field(default_factory=set)
    triggered_touchpoints: set[int] = field(default_factory=set)


def response_summary(organization: Organization, period: Period) -> ResponseSummary:
    """Return the period's response counts: one grouped pass, then the weeks.

    The pass groups by touchpoint × origin (a few dozen groups) and counts the
    identified answers in each with a filtered count. The weeks with answers are not a
    grouping key of that pass (truncating a million instants to weeks in the current
    time zone costs more than the rest of it): ``_weeks_with_answers`` finds them along
    the completion-time index instead.
    """
    completed = _completed(organization, period)
    rows = (
        completed.values("touchpoint_id", "origin")
        .annotate(
            # COUNT(*), not COUNT(id): no column to read and test for NULL per row.
            n=Count("*"),
            identified=Count(
                "pk", filter=Q(customer__isnull=False, is_anonymous=False)
            ),
        )
        .order_by()
    )
    summary = ResponseSummary()
    for row in rows:
        n = row["n"]
        summary.total += n
        triggered = row["origin"] == Response.Origin.EVENT
        summary.triggered += n if triggered else 0
        summary.identified += row["identified"]
        if row["touchpoint_id"] is not None:
            summary.touchpoints.add(row["touchpoint_id"])
            if triggered:
                summary.triggered_touchpoints.add(row["touchpoint_id"])
    if summary.total:
        summary.weeks_with_answers = _weeks_with_answers(completed, period)
    return summary


def _weeks_with_answers(completed: QuerySet[Response], period: Period) -> int:
    """Return how many calendar weeks of the period have a response in ``completed``.

    A skip scan along the completion-time index: ask for the first answer from a week's
    start on, count the week it falls in, and ask again from the start of the week
    after it. One small query per week with answers (and one to find there is no more),
    each reading the index from where it starts rather than the table.
    """
    windows = period.week_windows()
    starts = [start for start, _ in windows]
    found = 0
    week = 0
    while week < len(windows):
        first = (
            completed.filter(completed_at__gte=starts[week])
            .order_by("completed_at")
            .values_list("completed_at", flat=True)
            .first()
        )
        if first is None:
            break
        found += 1
        week = bisect_right(starts, first)  # the week after the one it falls in
    return found


def listening(summary: ResponseSummary, period: Period) -> dict[str, Observation]:
    """D1: how much feedback follows customer events, and how continuously."""
    triggered = Observation.share(summary.triggered, summary.total)
    weeks = min(summary.weeks_with_answers, period.weeks)
    return {
        "d1_triggered_share": triggered,
        "d1_triggered_share_l3": triggered,
        "d1_triggered_share_l4": triggered,
        "d1_weeks_with_answers": Observation.share(weeks, period.weeks, sampled=False),
        "d1_trigger_types": Observation(float(len(summary.triggered_touchpoints))),
    }


def identified(summary: ResponseSummary) -> dict[str, Observation]:
    """D2 (part): the share of the period's answers from an identified customer."""
    share = Observation.share(summary.identified, summary.total)
    return {
        "d2_identified_share": share,
        "d2_identified_share_l3": share,
        "d2_identified_share_l4": share,
    }


def identification(
    organization: Organization, period: Period
) -> dict[str, Observation]:
    """D2: are respondents described, and recognised across touchpoints and systems.

    Recognition across touchpoints and attribute counts are measured on a random sample
    of the organisation's customers (``CUSTOMER_SAMPLE``): a share with its uncertainty,
    at a fixed cost however many responses there are. The identified share is counted
    over every answer, from the response summary (``identified``).
    """
    sample = list(
        Customer.objects.for_organization(organization)
        .order_by("?")
        .values_list("pk", "attributes")[:CUSTOMER_SAMPLE]
    )
    attributes = dict(sample)
    respondents = (
        _completed(organization, period)
        .filter(one_of("customer_id", list(attributes)), is_anonymous=False)
        .values("customer_id")
        .annotate(touchpoints=Count("touchpoint", distinct=True))
        .order_by()
    )
    touchpoints_of = {row["customer_id"]: row["touchpoints"] for row in respondents}
    attribute_counts = sorted(len(attributes[pk] or {}) for pk in touchpoints_of)
    median_attributes = (
        attribute_counts[len(attribute_counts) // 2] if attribute_counts else None
    )
    sources = {
        event_type.split(".", 1)[0]
        for event_type in Event.objects.for_organization(organization)
        .filter(
            customer__isnull=False,
            occurred_at__gte=period.start,
            occurred_at__lt=period.end,
        )
        .order_by()  # else the default ordering joins the DISTINCT: one row per event
        .values_list("type", flat=True)
        .distinct()
    }
    return {
        "d2_attributes_per_customer": Observation(
            None if median_attributes is None else float(median_attributes)
        ),
        "d2_multi_touchpoint_share": Observation.share(
            sum(1 for count in touchpoints_of.values() if count >= 2),
            len(touchpoints_of),
        ),
        "d2_sources": Observation(
            float(len(sources)), context=", ".join(sorted(sources))
        ),
    }


def coverage(
    organization: Organization, summary: ResponseSummary
) -> dict[str, Observation]:
    """D3: how much of each mapped journey has a live trigger with answers."""
    live_rules = TriggerRule.objects.filter(touchpoint=OuterRef("pk"), is_active=True)
    touchpoints = Touchpoint.objects.for_organization(organization).annotate(
        live=Exists(live_rules)
    )
    by_journey: dict[str, list[tuple[str, bool]]] = {}
    for pk, journey_name, name, live in touchpoints.values_list(
        "pk", "journey__name", "name", "live"
    ):
        instrumented = live and pk in summary.touchpoints
        by_journey.setdefault(journey_name, []).append((name, instrumented))
    if not by_journey:
        empty = Observation(None)
        return {
            "d3_touchpoints_exist": Observation.flag(False),
            "d3_best_journey_coverage": empty,
            "d3_all_journeys_coverage": empty,
        }

    def journey_share(journey: str) -> Observation:
        steps = by_journey[journey]
        missing = [name for name, instrumented in steps if not instrumented]
        context = (
            f"{journey}: not instrumented: {', '.join(missing)}" if missing else journey
        )
        instrumented = sum(1 for _, ok in steps if ok)
        return Observation.share(instrumented, len(steps), context, sampled=False)

    shares = {journey: journey_share(journey) for journey in by_journey}
    best = max(shares.values(), key=lambda o: o.value or 0.0)
    worst = min(shares.values(), key=lambda o: o.value or 0.0)
    return {
        "d3_touchpoints_exist": Observation.flag(True),
        "d3_best_journey_coverage": best,
        "d3_all_journeys_coverage": worst,
    }


def segment_counts(organization: Organization, period: Period) -> list[dict[str, Any]]:
    """Return the period's segment snapshots counted by key × touchpoint × segment.

    Each group also counts its NPS answers, promoters (9–10) and detractors (0–6), so
    that one scan of the snapshots serves both D4 (``segmentation``) and the report's
    NPS heatmap (``nps_cells``).
    """
    return list(
        ResponseSegment.objects.for_organization(organization)
        .filter(completed_at__gte=period.start, completed_at__lt=period.end)
        .values("key", "touchpoint_id", "segment_id")
        .annotate(
            n=Count("*"),
            scored=Count("nps"),
            promoters=Count("pk", filter=Q(nps__gte=9)),
            detractors=Count("pk", filter=Q(nps__lte=6)),
        )
        .order_by()
    )


def nps_cells(counts: list[dict[str, Any]]) -> list[list[int]]:
    """Return [touchpoint, segment, answers, promoters, detractors] per heatmap cell.

    The cells of ``insights.dashboard.segment_heatmap``: NPS answers with a touchpoint
    and a segment, here over the assessment's period.
    """
    cells: dict[tuple[int, int], list[int]] = {}
    for row in counts:
        where = (row["touchpoint_id"], row["segment_id"])
        if None in where or not row["scored"]:
            continue
        cell = cells.setdefault(where, [0, 0, 0])
        cell[0] += row["scored"]
        cell[1] += row["promoters"]
        cell[2] += row["detractors"]
    return [[*where, *counted] for where, counted in sorted(cells.items())]


def segmentation(
    organization: Organization,
    period: Period,
    counts: list[dict[str, Any]] | None = None,
) -> dict[str, Observation]:
    """D4: are results split by segment and touchpoint, and used for targeting."""
    if counts is None:
        counts = segment_counts(organization, period)
    per_segment: dict[str, int] = {}
    per_cell: dict[tuple[str, int], int] = {}
    for row in counts:
        key, touchpoint = row["key"], row["touchpoint_id"]
        per_segment[key] = per_segment.get(key, 0) + row["n"]
        if touchpoint is not None:
            per_cell[(key, touchpoint)] = per_cell.get((key, touchpoint), 0) + row["n"]
    cell_ns = list(per_cell.values())
    targeting = (
        TriggerRule.objects.for_organization(organization)
        .filter(is_active=True)
        .filter(Q(segments_all__isnull=False) | Q(segments_none__isnull=False))
        .exists()
        or Question.objects.filter(
            survey__organization=organization,
            survey__status=Survey.Status.ACTIVE,
            condition__isnull=False,
        ).exists()
    )
    segments_defined = Segment.objects.for_organization(organization).exists()
    reportable = sum(1 for n in per_segment.values() if n >= REPORTABLE_N)
    return {
        "d4_segments_reportable": Observation(
            float(reportable) if segments_defined else 0.0
        ),
        "d4_cells_reportable": Observation.share(
            sum(1 for n in cell_ns if n >= REPORTABLE_N), len(cell_ns), sampled=False
        ),
        "d4_targeting": Observation.flag(targeting),
        "d4_predictions": Observation(None, context="not measured by the product yet"),
    }


def _segments(
    organization: Organization, period: Period
) -> tuple[dict[str, Observation], list[dict[str, Any]]]:
    """Return the D4 markers and the segment counts they come from."""
    counts = segment_counts(organization, period)
    return segmentation(organization, period, counts), counts


def governance(organization: Organization, period: Period) -> dict[str, Observation]:
    """D7: a CX owner, owned journeys and touchpoints."""
    journeys = Journey.objects.for_organization(organization).aggregate(
        total=Count("id"), owned=Count("id", filter=Q(owner__isnull=False))
    )
    touchpoints = Touchpoint.objects.for_organization(organization).aggregate(
        total=Count("id"), owned=Count("id", filter=Q(owner__isnull=False))
    )
    return {
        "d7_owner_set": Observation.flag(organization.cx_owner_id is not None),
        "d7_owned_share": Observation.share(
            journeys["owned"] + touchpoints["owned"],
            journeys["total"] + touchpoints["total"],
            sampled=False,
        ),
    }


def employees(organization: Organization, period: Period) -> dict[str, Observation]:
    """D8: employee engagement and leadership measured beside CX."""
    answered = Response.objects.for_organization(organization).filter(
        state=Response.State.COMPLETED,
        completed_at__gte=period.start,
        completed_at__lt=period.end,
        survey__audience=Survey.Audience.EMPLOYEES,
    )
    return {
        "d8_employee_survey": Observation.flag(
            answered.filter(survey__purpose=Survey.Purpose.EMPLOYEE_PULSE).exists()
        ),
        "d8_leadership_survey": Observation.flag(
            answered.filter(survey__purpose=Survey.Purpose.LEADERSHIP).exists()
        ),
    }


def api_integration(
    organization: Organization, period: Period
) -> dict[str, Observation]:
    """D6 (part): event types arriving from other systems through the API."""
    event_types = (
        Event.objects.for_organization(organization)
        .filter(received_at__gte=period.start, received_at__lt=period.end)
        .values("type")
        .distinct()
        .count()
    )
    return {"d6_api_event_types": Observation(float(event_types))}


NEGATIVE = (
    Q(question__type=Question.Type.NPS, number__lte=6)
    | Q(question__type=Question.Type.CSAT, number__lte=2)
    | Q(question__type=Question.Type.CES, number__lte=3)
    | Q(question__type=Question.Type.FCR, number=0)
)


def closed_loop(organization: Organization, period: Period) -> dict[str, Observation]:
    """D5: do unhappy customers get a case, handled in time, with a root cause.

    The share of negative responses with a case is measured on the period's latest
    ``LOOP_SAMPLE`` responses (a bounded sample, read backwards along the primary key),
    so it costs the same for a thousand responses or a million; the cases' own figures
    count every case of the period.

    The sample is every response of the period from the oldest of those on, so the
    database reads their answers by one range of response ids, not one lookup each.
    """
    completed = _completed(organization, period)
    oldest = completed.order_by("-pk")[:LOOP_SAMPLE].aggregate(oldest=Min("pk"))[
        "oldest"
    ]
    answered = {"total": 0, "with_case": 0}
    if oldest is not None:
        negative_answers = Answer.objects.filter(
            NEGATIVE, response=OuterRef("pk"), response_id__gte=oldest
        )
        answered = (
            completed.filter(pk__gte=oldest)
            .filter(Exists(negative_answers))
            .aggregate(
                total=Count("pk"),
                with_case=Count("pk", filter=Q(followup__isnull=False)),
            )
        )
    cases = FollowUp.objects.for_organization(organization).filter(
        opened_at__gte=period.start, opened_at__lt=period.end
    )
    handled = Q(started_at__isnull=False) | Q(closed_at__isnull=False)
    counts = cases.aggregate(
        total=Count("pk"),
        # Cases whose SLA has passed, or that were handled: the ones SLA can judge.
        judged=Count("pk", filter=Q(due_at__lt=period.end) | handled),
        in_time=Count(
            "pk",
            filter=Q(started_at__lte=F("due_at"))
            | Q(started_at__isnull=True, closed_at__lte=F("due_at")),
        ),
        closed=Count("pk", filter=Q(state=FollowUp.State.CLOSED)),
        with_cause=Count(
            "pk", filter=Q(state=FollowUp.State.CLOSED) & ~Q(root_cause="")
        ),
        recovery=Count("pk", filter=Q(recovery_invitation__isnull=False)),
    )
    within_sla = Observation.share(counts["in_time"], counts["judged"])
    return {
        "d5_any_followup": Observation.flag(counts["total"] > 0),
        "d5_case_share": Observation.share(answered["with_case"], answered["total"]),
        "d5_within_sla": within_sla,
        "d5_within_sla_l4": within_sla,
        "d5_root_cause": Observation.share(counts["with_cause"], counts["closed"]),
        "d5_recovery_measured": Observation.flag(counts["recovery"] > 0),
    }


def sharing(organization: Organization, period: Period) -> dict[str, Observation]:
    """D6 (part): results viewed, by whom, and delivered into other systems."""
    visits = DashboardVisit.objects.for_organization(organization).filter(
        day__gte=period.start.date(), day__lt=period.end.date() + timedelta(days=1)
    )
    beyond_cx = (
        visits.exclude(role__in=[Role.OWNER, Role.CX_MANAGER])
        .values("user_id")
        .distinct()
        .count()
    )
    webhooks = (
        WebhookDelivery.objects.filter(
            organization=organization,
            state=WebhookDelivery.State.DELIVERED,
            delivered_at__gte=period.start,
            delivered_at__lt=period.end,
            endpoint__active=True,
        )
        .values("endpoint_id")
        .distinct()
        .count()
    )
    return {
        "d6_dashboard_viewed": Observation.flag(visits.exists()),
        "d6_viewers_beyond_cx": Observation(float(beyond_cx)),
        "d6_active_webhooks": Observation(float(webhooks)),
    }


def targets_and_alerts(
    organization: Organization, period: Period
) -> dict[str, Observation]:
    """D7 (part) and D9: score targets set, deviation alerts raised, predictions."""
    alerts = DeviationAlert.objects.for_organization(organization).filter(
        day__gte=period.start.date(), day__lt=period.end.date() + timedelta(days=1)
    )
    return {
        "d7_targets_set": Observation.flag(
            MetricTarget.objects.for_organization(organization).exists()
        ),
        "d9_deviation_alerts": Observation.flag(alerts.exists()),
        # Level 4 of D7 is management practice the product cannot see (MATURITY.md):
        # the self-assessment decides it.
        "d7_targets_in_management": Observation(
            None, context="self-assessed: not visible in the product's data"
        ),
        # Not in the product's data: the self-assessment speaks for it (scoring rule 3).
        "d9_validated_prediction": Observation(
            None, context="not measured by the product yet"
        ),
    }


@dataclass(frozen=True)
class Evidence:
    """What the organisation's data shows over a period."""

    markers: dict[str, Observation]
    # [touchpoint, segment, answers, promoters, detractors]: the report's NPS heatmap
    nps_cells: list[list[int]]


def collect(organization: Organization, period: Period) -> dict[str, Observation]:
    """Return every marker the product can measure for ``organization`` over ``period``."""
    return gather(organization, period).markers


def gather(organization: Organization, period: Period) -> Evidence:
    """Return the markers and the period's NPS by touchpoint × segment.

    The markers come in the method's order (the Monte Carlo draws in that order).
    """
    found = side_by_side(
        {
            "summary": lambda: response_summary(organization, period),
            "identification": lambda: identification(organization, period),
            "segments": lambda: _segments(organization, period),
            "closed_loop": lambda: closed_loop(organization, period),
            "set_up": lambda: [
                read(organization, period)
                for read in (
                    governance,
                    employees,
                    api_integration,
                    sharing,
                    targets_and_alerts,
                )
            ],
        }
    )
    summary: ResponseSummary = found["summary"]
    segmented, counts = found["segments"]
    governed, employed, integrated, shared, targeted = found["set_up"]
    markers = {
        **listening(summary, period),
        **identified(summary),
        **found["identification"],
        **coverage(organization, summary),
        **segmented,
        **governed,
        **employed,
        **integrated,
        **found["closed_loop"],
        **shared,
        **targeted,
    }
    return Evidence(markers, nps_cells(counts))
