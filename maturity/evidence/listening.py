"""D1 listening and D2 identification: what the organisation heard, and from whom.

Only *live* answers are evidence of the product's listening: answers imported from
another tool (``imported_at`` set) are counted apart, whatever origin they were labelled
with, and speak as a claim about the past (``ImportedHistory``), never as triggers.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)

from cx.models import Customer, Event, Organization
from maturity.evidence.period import Period
from maturity.method import HISTORY_CLAIM_LEVEL, HISTORY_CLAIM_SHARE
from maturity.reads import one_of
from maturity.scoring import Observation
from surveys.models import Response, Survey

CUSTOMER_SAMPLE = 5000


def customer_surveys(organization: Organization) -> list[int]:
    """Return the ids of the organisation's surveys that ask customers."""
    return list(
        Survey.objects.for_organization(organization)
        .filter(audience=Survey.Audience.CUSTOMERS)
        .order_by()
        .values_list("pk", flat=True)
    )


def heard(organization: Organization, period: Period) -> QuerySet[Response]:
    """Return the period's completed customer feedback, live and imported.

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
            survey_id__in=customer_surveys(organization),
        )
        .exclude(origin=Response.Origin.RECOVERY)
    )


def live_answers(organization: Organization) -> QuerySet[Response]:
    """Return every completed live customer answer (not imported, not recovery)."""
    return (
        Response.objects.for_organization(organization)
        .filter(
            state=Response.State.COMPLETED,
            survey_id__in=customer_surveys(organization),
            imported_at__isnull=True,
        )
        .exclude(origin=Response.Origin.RECOVERY)
    )


def completed(organization: Organization, period: Period) -> QuerySet[Response]:
    """Return the period's live customer feedback: what the product heard."""
    return heard(organization, period).filter(imported_at__isnull=True)


@dataclass
class ImportedHistory:
    """The period's imported answers, counted apart: self-reported, about the past."""

    total: int = 0
    labelled_event: int = 0
    identified: int = 0

    def claims(self) -> dict[str, float]:
        """Return the levels the history claims for D1 and D2 (at most level 2)."""
        if not self.total:
            return {}

        def level(share: float) -> float:
            return float(HISTORY_CLAIM_LEVEL if share >= HISTORY_CLAIM_SHARE else 1)

        return {
            "D1": level(self.labelled_event / self.total),
            "D2": level(self.identified / self.total),
        }


@dataclass
class ResponseSummary:
    """Counts of the period's completed live customer responses (and the imported)."""

    total: int = 0
    triggered: int = 0
    identified: int = 0
    weeks_with_answers: int = 0
    touchpoints: set[int] = field(default_factory=set)
    triggered_touchpoints: set[int] = field(default_factory=set)
    answers_at: dict[int, int] = field(default_factory=dict)  # touchpoint → answers
    span_answers: list[int] = field(default_factory=list)  # per ``trend_spans``
    imported: ImportedHistory = field(default_factory=ImportedHistory)


def response_summary(organization: Organization, period: Period) -> ResponseSummary:
    """Return the period's response counts: one grouped pass, then the weeks.

    The pass groups by touchpoint × origin × imported × trend span (a few hundred
    groups) and counts the identified answers in each with a filtered count. The span
    is a grouping key, not a filtered count per span: each answer is placed by one
    ``CASE`` along the span ends rather than compared with every span's bounds. The
    weeks with answers are not a key of that pass (truncating a million instants to
    weeks in the current time zone costs more than the rest of it):
    ``_weeks_with_answers`` finds them along the completion-time index instead.
    """
    spans = period.trend_spans()
    rows = (
        heard(organization, period)
        .annotate(
            was_imported=ExpressionWrapper(
                Q(imported_at__isnull=False), output_field=BooleanField()
            ),
            span=_span_of(spans),
        )
        .values("touchpoint_id", "origin", "was_imported", "span")
        .annotate(
            # COUNT(*), not COUNT(id): no column to read and test for NULL per row.
            n=Count("*"),
            identified=Count(
                "pk", filter=Q(customer__isnull=False, is_anonymous=False)
            ),
        )
        .order_by()
    )
    summary = ResponseSummary(span_answers=[0] * len(spans))
    for row in rows:
        n = row["n"]
        triggered = row["origin"] == Response.Origin.EVENT
        if row["was_imported"]:
            summary.imported.total += n
            summary.imported.labelled_event += n if triggered else 0
            summary.imported.identified += row["identified"]
            continue
        summary.total += n
        summary.triggered += n if triggered else 0
        summary.identified += row["identified"]
        if row["span"] is not None:
            summary.span_answers[row["span"]] += n
        touchpoint = row["touchpoint_id"]
        if touchpoint is not None:
            summary.touchpoints.add(touchpoint)
            summary.answers_at[touchpoint] = summary.answers_at.get(touchpoint, 0) + n
            if triggered:
                summary.triggered_touchpoints.add(touchpoint)
    if summary.total:
        summary.weeks_with_answers = _weeks_with_answers(
            completed(organization, period), period
        )
    return summary


def _span_of(spans: list[tuple[datetime, datetime]]) -> Case:
    """Return the index of the trend span an answer's completion falls in, or NULL.

    The spans are contiguous and in order, so the first end after the instant names its
    span; an instant before the first span (the remainder the spans leave out) has none.
    """
    return Case(
        When(completed_at__lt=spans[0][0], then=None),
        *(
            When(completed_at__lt=end, then=Value(i))
            for i, (_start, end) in enumerate(spans)
        ),
        default=None,
        output_field=IntegerField(),
    )


def _weeks_with_answers(answers: QuerySet[Response], period: Period) -> int:
    """Return how many calendar weeks of the period have a response in ``answers``.

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
            answers.filter(completed_at__gte=starts[week])
            .order_by("completed_at")
            .values_list("completed_at", flat=True)
            .first()
        )
        if first is None:
            break
        found += 1
        week = bisect_right(starts, first)  # the week after the one it falls in
    return found


def listening(
    summary: ResponseSummary, period: Period, journeys: dict[str, list[Any]]
) -> dict[str, Observation]:
    """D1: how much live feedback follows customer events, how continuously, how widely.

    Level 4 asks for triggered answers *across the journeys' stages*: the share of the
    least covered journey's touchpoints with event-triggered answers in the period.
    ``journeys`` maps each journey's name to its touchpoints (``journeys.touchpoint_map``).
    """
    triggered = Observation.share(summary.triggered, summary.total)
    weeks = min(summary.weeks_with_answers, period.weeks)
    if journeys:
        stages = []
        for journey, steps in journeys.items():
            silent = [
                s.name for s in steps if s.pk not in summary.triggered_touchpoints
            ]
            context = f"{journey}: no triggered answers at: {', '.join(silent)}"
            stages.append(
                Observation.share(
                    len(steps) - len(silent),
                    len(steps),
                    context if silent else journey,
                    sampled=False,
                )
            )
        across = min(stages, key=lambda o: o.value or 0.0)
    else:
        across = Observation(0.0, context="no journey mapped")
    return {
        "d1_triggered_share": triggered,
        "d1_weeks_with_answers": Observation.share(weeks, period.weeks, sampled=False),
        "d1_triggered_share_l3": triggered,
        "d1_trigger_types": Observation(float(len(summary.triggered_touchpoints))),
        "d1_triggered_share_l4": triggered,
        "d1_journey_stages_triggered": across,
    }


def identified(summary: ResponseSummary) -> dict[str, Observation]:
    """D2 (part): the share of the period's live answers from an identified customer.

    One marker, at level 2: the same share is not counted again at levels 3 and 4.
    """
    return {"d2_identified_share": Observation.share(summary.identified, summary.total)}


def identification(
    organization: Organization, period: Period
) -> dict[str, Observation]:
    """D2: are respondents described, and recognised across touchpoints and channels.

    Recognition is counted once per customer, on a random sample of
    the organisation's customers (``CUSTOMER_SAMPLE``): the share of identified
    respondents who answered at two or more touchpoints (level 3), or in two or more
    channels (level 4, seed 003: the customer need not repeat themselves when they
    switch channel) — a share with its uncertainty, at a fixed cost however many
    responses there are.
    """
    sample = list(
        Customer.objects.for_organization(organization)
        .order_by("?")
        .values_list("pk", "attributes")[:CUSTOMER_SAMPLE]
    )
    attributes = dict(sample)
    respondents = list(
        completed(organization, period)
        .filter(one_of("customer_id", list(attributes)), is_anonymous=False)
        .values("customer_id")
        .annotate(
            touchpoints=Count("touchpoint", distinct=True),
            channels=Count("touchpoint__channel", distinct=True),
        )
        .order_by()
    )
    attribute_counts = sorted(
        len(attributes[row["customer_id"]] or {}) for row in respondents
    )
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
            sum(1 for row in respondents if row["touchpoints"] >= 2), len(respondents)
        ),
        "d2_multi_channel_share": Observation.share(
            sum(1 for row in respondents if row["channels"] >= 2), len(respondents)
        ),
        "d2_sources": Observation(
            float(len(sources)), context=", ".join(sorted(sources))
        ),
    }
