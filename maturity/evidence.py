"""Evidence: the maturity markers measured from the organisation's own data.

Read-only: this module queries cx and surveys and changes nothing. Each marker is one
aggregate query (or a bounded sample, where said), so an assessment over a million
responses stays a few seconds. A marker the product cannot measure yet returns an
observation with no value; it lowers the dimension's evidence coverage and lets the
self-assessment speak for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import TruncWeek

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


def _completed(organization: Organization, period: Period) -> QuerySet[Response]:
    """Return the period's completed customer feedback: what the organisation heard.

    Recovery answers are left out. They are part of the loop, not of listening (D5
    measures them through the cases that sent them), and the product never opens a case
    for one: counted here they would lower the triggered share (D1) and the share of
    negative answers with a case (D5) the more an organisation closes its loop.
    """
    return (
        Response.objects.for_organization(organization)
        .filter(
            state=Response.State.COMPLETED,
            completed_at__gte=period.start,
            completed_at__lt=period.end,
            survey__audience=Survey.Audience.CUSTOMERS,
        )
        .exclude(origin=Response.Origin.RECOVERY)
    )


@dataclass
class ResponseSummary:
    """Counts of the period's completed customer responses, from one grouped scan."""

    total: int = 0
    triggered: int = 0
    identified: int = 0
    weeks: set[tuple[int, int]] = field(default_factory=set)
    touchpoints: set[int] = field(default_factory=set)
    triggered_touchpoints: set[int] = field(default_factory=set)


def response_summary(organization: Organization, period: Period) -> ResponseSummary:
    """Return the period's response counts in one pass over the responses.

    The grouping keys (touchpoint × origin × identified × week) have a few thousand
    combinations at most, so the database scans once and returns little.
    """
    identified = Q(customer__isnull=False, is_anonymous=False)
    rows = (
        _completed(organization, period)
        .annotate(
            week=TruncWeek("completed_at"),
            identified=Case(When(identified, then=True), default=False),
        )
        .values("touchpoint_id", "origin", "identified", "week")
        .annotate(n=Count("id"))
        .order_by()
    )
    summary = ResponseSummary()
    for row in rows:
        n = row["n"]
        summary.total += n
        triggered = row["origin"] == Response.Origin.EVENT
        summary.triggered += n if triggered else 0
        summary.identified += n if row["identified"] else 0
        summary.weeks.add(tuple(row["week"].isocalendar()[:2]))
        if row["touchpoint_id"] is not None:
            summary.touchpoints.add(row["touchpoint_id"])
            if triggered:
                summary.triggered_touchpoints.add(row["touchpoint_id"])
    return summary


def listening(summary: ResponseSummary, period: Period) -> dict[str, Observation]:
    """D1: how much feedback follows customer events, and how continuously."""
    triggered = Observation.share(summary.triggered, summary.total)
    weeks = min(len(summary.weeks), period.weeks)
    return {
        "d1_triggered_share": triggered,
        "d1_triggered_share_l3": triggered,
        "d1_triggered_share_l4": triggered,
        "d1_weeks_with_answers": Observation.share(weeks, period.weeks, sampled=False),
        "d1_trigger_types": Observation(float(len(summary.triggered_touchpoints))),
    }


def identification(
    organization: Organization, period: Period, summary: ResponseSummary
) -> dict[str, Observation]:
    """D2: are respondents identified, described, and recognised across touchpoints.

    Recognition across touchpoints and attribute counts are measured on a random sample
    of the organisation's customers (``CUSTOMER_SAMPLE``): a share with its uncertainty,
    at a fixed cost however many responses there are.
    """
    sample = list(
        Customer.objects.for_organization(organization)
        .order_by("?")
        .values_list("pk", "attributes")[:CUSTOMER_SAMPLE]
    )
    attributes = dict(sample)
    respondents = (
        _completed(organization, period)
        .filter(customer_id__in=attributes, is_anonymous=False)
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
        .values_list("type", flat=True)
        .distinct()
    }
    identified = Observation.share(summary.identified, summary.total)
    return {
        "d2_identified_share": identified,
        "d2_identified_share_l3": identified,
        "d2_identified_share_l4": identified,
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


def segmentation(organization: Organization, period: Period) -> dict[str, Observation]:
    """D4: are results split by segment and touchpoint, and used for targeting."""
    cells = (
        ResponseSegment.objects.for_organization(organization)
        .filter(
            completed_at__gte=period.start,
            completed_at__lt=period.end,
        )
        .values("key", "touchpoint_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_segment: dict[str, int] = {}
    cell_ns: list[int] = []
    for cell in cells:
        per_segment[cell["key"]] = per_segment.get(cell["key"], 0) + cell["n"]
        if cell["touchpoint_id"] is not None:
            cell_ns.append(cell["n"])
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
    """
    latest = _completed(organization, period).order_by("-pk").values("pk")[:LOOP_SAMPLE]
    negative = Response.objects.filter(pk__in=Subquery(latest)).filter(
        Exists(Answer.objects.filter(NEGATIVE, response=OuterRef("pk")))
    )
    answered = negative.aggregate(
        total=Count("pk"),
        with_case=Count("pk", filter=Q(followup__isnull=False)),
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


def collect(organization: Organization, period: Period) -> dict[str, Observation]:
    """Return every marker the product can measure for ``organization`` over ``period``."""
    summary = response_summary(organization, period)
    return {
        **listening(summary, period),
        **identification(organization, period, summary),
        **coverage(organization, summary),
        **segmentation(organization, period),
        **governance(organization, period),
        **employees(organization, period),
        **api_integration(organization, period),
        **closed_loop(organization, period),
        **sharing(organization, period),
        **targets_and_alerts(organization, period),
    }
