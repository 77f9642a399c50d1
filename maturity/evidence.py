"""Evidence: the maturity markers measured from the organisation's own data.

Read-only: this module queries cx and surveys and changes nothing. Each marker is one
aggregate query (or a bounded sample, where said), so an assessment over a million
responses stays a few seconds. A marker the product cannot measure yet returns an
observation with no value; it lowers the dimension's evidence coverage and lets the
self-assessment speak for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from cx.models import Customer, Event, Journey, Organization, Segment, Touchpoint
from maturity.scoring import Observation
from surveys.models import Question, Response, ResponseSegment, Survey, TriggerRule

ATTRIBUTE_SAMPLE = 2000
REPORTABLE_N = 30


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def weeks(self) -> int:
        return max(1, round((self.end - self.start) / timedelta(days=7)))


def _completed(organization: Organization, period: Period) -> QuerySet[Response]:
    return Response.objects.for_organization(organization).filter(
        state=Response.State.COMPLETED,
        completed_at__gte=period.start,
        completed_at__lt=period.end,
        survey__audience=Survey.Audience.CUSTOMERS,
    )


def listening(organization: Organization, period: Period) -> dict[str, Observation]:
    """D1: how much feedback follows customer events, and how continuously."""
    responses = _completed(organization, period)
    counts = responses.aggregate(
        total=Count("id"), triggered=Count("id", filter=Q(origin=Response.Origin.EVENT))
    )
    triggered = Observation.share(counts["triggered"], counts["total"])
    weeks_with_answers = len(
        {
            (moment.isocalendar()[0], moment.isocalendar()[1])
            for moment in responses.dates("completed_at", "week")
        }
    )
    trigger_touchpoints = (
        responses.filter(origin=Response.Origin.EVENT, touchpoint__isnull=False)
        .values("touchpoint")
        .distinct()
        .count()
    )
    return {
        "d1_triggered_share": triggered,
        "d1_triggered_share_l3": triggered,
        "d1_triggered_share_l4": triggered,
        "d1_weeks_with_answers": Observation.share(
            min(weeks_with_answers, period.weeks), period.weeks, sampled=False
        ),
        "d1_trigger_types": Observation(float(trigger_touchpoints)),
    }


def identification(
    organization: Organization, period: Period
) -> dict[str, Observation]:
    """D2: are respondents identified, described, and recognised across touchpoints."""
    responses = _completed(organization, period)
    counts = responses.aggregate(
        total=Count("id"),
        identified=Count("id", filter=Q(customer__isnull=False, is_anonymous=False)),
    )
    identified = Observation.share(counts["identified"], counts["total"])
    respondents = (
        responses.filter(customer__isnull=False, is_anonymous=False)
        .values("customer")
        .annotate(touchpoints=Count("touchpoint", distinct=True))
    )
    per_customer = respondents.aggregate(
        people=Count("customer"),
        multi=Count("customer", filter=Q(touchpoints__gte=2)),
    )
    # Attributes are counted on a bounded sample of respondents: a median needs no more.
    sample = Customer.objects.filter(
        pk__in=respondents.values("customer")[:ATTRIBUTE_SAMPLE]
    ).values_list("attributes", flat=True)
    attribute_counts = sorted(len(attributes or {}) for attributes in sample)
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
    return {
        "d2_identified_share": identified,
        "d2_identified_share_l3": identified,
        "d2_identified_share_l4": identified,
        "d2_attributes_per_customer": Observation(
            None if median_attributes is None else float(median_attributes)
        ),
        "d2_multi_touchpoint_share": Observation.share(
            per_customer["multi"], per_customer["people"]
        ),
        "d2_sources": Observation(
            float(len(sources)), context=", ".join(sorted(sources))
        ),
    }


def coverage(organization: Organization, period: Period) -> dict[str, Observation]:
    """D3: how much of each mapped journey has a live trigger with answers."""
    live_rules = TriggerRule.objects.filter(touchpoint=OuterRef("pk"), is_active=True)
    answered = Response.objects.filter(
        touchpoint=OuterRef("pk"),
        state=Response.State.COMPLETED,
        completed_at__gte=period.start,
        completed_at__lt=period.end,
    )
    touchpoints = Touchpoint.objects.for_organization(organization).annotate(
        live=Exists(live_rules), answered=Exists(answered)
    )
    by_journey: dict[str, list[tuple[str, bool]]] = {}
    for journey_name, name, live, has_answers in touchpoints.values_list(
        "journey__name", "name", "live", "answered"
    ):
        by_journey.setdefault(journey_name, []).append((name, live and has_answers))
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
    snapshots = ResponseSegment.objects.filter(
        response__organization=organization,
        response__state=Response.State.COMPLETED,
        response__completed_at__gte=period.start,
        response__completed_at__lt=period.end,
    )
    reportable_segments = (
        snapshots.values("key")
        .annotate(n=Count("response"))
        .filter(n__gte=REPORTABLE_N)
        .count()
    )
    cells = (
        snapshots.filter(response__touchpoint__isnull=False)
        .values("key", "response__touchpoint")
        .annotate(n=Count("response"))
    )
    # A few hundred cells at most: their counts come back in one grouped query.
    cell_ns = [row["n"] for row in cells]
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
    return {
        "d4_segments_reportable": Observation(
            float(reportable_segments) if segments_defined else 0.0
        ),
        "d4_cells_reportable": Observation.share(
            sum(1 for n in cell_ns if n >= REPORTABLE_N), len(cell_ns)
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


COLLECTORS: tuple[Callable[[Organization, Period], dict[str, Observation]], ...] = (
    listening,
    identification,
    coverage,
    segmentation,
    governance,
    employees,
    api_integration,
)


def collect(organization: Organization, period: Period) -> dict[str, Observation]:
    """Return every marker the product can measure for ``organization`` over ``period``."""
    evidence: dict[str, Observation] = {}
    for collector in COLLECTORS:
        evidence.update(collector(organization, period))
    return evidence
