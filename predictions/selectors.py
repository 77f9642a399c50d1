"""Reads of the predictions app: histories for learning and scoring, risks, versions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

import numpy as np
from django.db.models import (
    DateTimeField,
    Exists,
    F,
    FloatField,
    OuterRef,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast

from cx import segmentation
from cx.models import Customer, Event, Organization, Segment, TouchpointEventType
from followups.models import FollowUp
from predictions.features import ANSWER_DAYS, METRICS, AnswerOutcomes, History
from predictions.models import CustomerRisk, ModelVersion, PredictionDefinition
from surveys.models import Answer, Response, ResponseSegment, Survey


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _answers(organization: Organization) -> QuerySet[Answer]:
    """Return the scored answers of identified customers (never anonymous ones)."""
    commented = Answer.objects.filter(response=OuterRef("response")).exclude(text="")
    return (
        Answer.objects.filter(
            response__organization=organization,
            response__state=Response.State.COMPLETED,
            response__customer__isnull=False,
            response__is_anonymous=False,
            response__survey__is_anonymous=False,
            response__survey__audience=Survey.Audience.CUSTOMERS,
            question__type__in=METRICS,
            number__isnull=False,
        )
        .annotate(commented=Exists(commented))
        .order_by()
    )


# The columns every history row has, whatever it records: what (e: event, a: scored
# answer, c: follow-up case, s: segment snapshot), the customer, a label (event type,
# metric or segment key), when, until when (a case's closing), a number (journey
# position or score) and a flag (the answer's response has a comment).
ROW = ("h_kind", "h_customer", "h_label", "h_at", "h_until", "h_number", "h_flag")
# Typed NULLs: PostgreSQL resolves a UNION's column types pair by pair, from the left.
NO_TIME = Cast(Value(None), DateTimeField())
NO_NUMBER = Cast(Value(None), FloatField())


def _rows(queryset: QuerySet[Any], kind: str, **columns: Any) -> QuerySet[Any]:
    """Return ``queryset`` as history rows (the ``ROW`` columns, in that order)."""
    return queryset.order_by().annotate(h_kind=Value(kind), **columns).values_list(*ROW)


def _history_rows(
    organization: Organization,
    *,
    customers: list[int] | None,
    since: datetime | None,
    segments_excluded: Iterable[str] = (),
) -> list[QuerySet[Any]]:
    """Return the four kinds of rows of the organisation's history, as querysets."""
    events = Event.objects.for_organization(organization).filter(customer__isnull=False)
    answers = _answers(organization)
    cases = FollowUp.objects.for_organization(organization).filter(
        customer__isnull=False
    )
    snapshots = ResponseSegment.objects.filter(
        organization=organization,
        response__customer__isnull=False,
        response__is_anonymous=False,
    )
    excluded = list(segments_excluded)
    if excluded:
        snapshots = snapshots.exclude(key__in=excluded)
    if customers is not None:
        events = events.filter(customer_id__in=customers)
        answers = answers.filter(response__customer_id__in=customers)
        cases = cases.filter(customer_id__in=customers)
        snapshots = snapshots.filter(response__customer_id__in=customers)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    return [
        _rows(
            events, "e", h_customer=F("customer_id"), h_label=F("type"),
            h_at=F("occurred_at"), h_until=NO_TIME,
            h_number=Cast("touchpoint__position", FloatField()),
            h_flag=Value(False),
        ),
        _rows(
            answers, "a", h_customer=F("response__customer_id"),
            h_label=F("question__type"), h_at=F("response__completed_at"),
            h_until=NO_TIME, h_number=Cast("number", FloatField()),
            h_flag=F("commented"),
        ),
        _rows(
            cases, "c", h_customer=F("customer_id"), h_label=Value(""),
            h_at=F("opened_at"), h_until=F("closed_at"), h_number=NO_NUMBER,
            h_flag=Value(False),
        ),
        _rows(
            snapshots, "s", h_customer=F("response__customer_id"),
            h_label=F("key"), h_at=F("completed_at"), h_until=NO_TIME,
            h_number=NO_NUMBER, h_flag=Value(False),
        ),
    ]  # fmt: skip


def risk_segment_keys(organization: Organization) -> list[str]:
    """Return the keys of segments defined on a predicted risk.

    They are no feature: a model must not learn from an earlier model's scores.
    """
    return [
        segment.key
        for segment in Segment.objects.for_organization(organization)
        if segmentation.predictions_read(segment.rule)
    ]


def history_of(
    organization: Organization,
    *,
    customers: Iterable[int] | None = None,
    since: datetime | None = None,
    one_query: bool = False,
    segments_excluded: Iterable[str] = (),
) -> History:
    """Return the organisation's events, scored answers, follow-up cases and segment
    snapshots (of ``customers``, if given; events since ``since``, if given).

    ``one_query`` reads the four in one ``UNION ALL`` (scoring a customer after an
    event: one round trip); otherwise one query each (training: large results).
    """
    chosen = list(customers) if customers is not None else None
    parts = _history_rows(
        organization,
        customers=chosen,
        since=since,
        segments_excluded=segments_excluded,
    )
    if one_query:
        rows = list(parts[0].union(*parts[1:], all=True))
    else:
        rows = [row for part in parts for row in part]
    by_kind: dict[str, list[tuple[Any, ...]]] = {"e": [], "a": [], "c": [], "s": []}
    for row in rows:
        by_kind[row[0]].append(row)
    events, answers = by_kind["e"], by_kind["a"]
    cases, snapshots = by_kind["c"], by_kind["s"]
    return History.build(
        event_customers=[row[1] for row in events],
        event_types=[row[2] for row in events],
        event_times=[_seconds(row[3]) for row in events],
        event_steps=[int(row[5] or 0) for row in events],
        answer_customers=[row[1] for row in answers],
        answer_metrics=[row[2] for row in answers],
        answer_scores=[float(row[5]) for row in answers],
        answer_times=[_seconds(row[3]) for row in answers],
        answer_comments=[bool(row[6]) for row in answers],
        case_customers=[row[1] for row in cases],
        case_opened=[_seconds(row[3]) for row in cases],
        case_closed=[_seconds(row[4]) if row[4] else None for row in cases],
        segment_customers=[row[1] for row in snapshots],
        segment_keys=[row[2] for row in snapshots],
        segment_times=[_seconds(row[3]) for row in snapshots],
        customer_ids=chosen,
    )


def answer_outcomes(
    definition: PredictionDefinition,
    history: History,
    *,
    customers: Iterable[int] | None = None,
) -> AnswerOutcomes:
    """Return the scored answers at the definition's touchpoint, for its labels."""
    rows = _answers(definition.organization).filter(
        response__touchpoint=definition.touchpoint_id
    )
    if customers is not None:
        rows = rows.filter(response__customer_id__in=list(customers))
    # _answers keeps numbers and completed responses only: neither value is NULL.
    values = cast(
        list[tuple[int, str, int, datetime]],
        list(
            rows.values_list(
                "response__customer_id",
                "question__type",
                "number",
                "response__completed_at",
            )
        ),
    )
    return AnswerOutcomes.build(
        history,
        customers=[row[0] for row in values],
        metrics=[row[1] for row in values],
        scores=[float(row[2]) for row in values],
        times=[_seconds(row[3]) for row in values],
    )


def customer_history(
    organization: Organization, customer_ids: list[int], *, now: datetime
) -> History:
    """Return what scoring ``customer_ids`` now needs: recent events, their answers."""
    return history_of(
        organization,
        customers=customer_ids,
        since=now - timedelta(days=max(ANSWER_DAYS, 60) + 1),
        one_query=True,
    )


def current_versions(organization: Organization | int) -> list[ModelVersion]:
    """Return the latest published version of each active definition."""
    versions = (
        ModelVersion.objects.for_organization(organization)
        .filter(state=ModelVersion.State.PUBLISHED, definition__is_active=True)
        .select_related("definition")
        # The fitted model is loaded once per process (services._loaded), never per event.
        .defer("model")
        .order_by("definition_id", "-number")
    )
    latest: dict[int, ModelVersion] = {}
    for version in versions:
        latest.setdefault(version.definition_id, version)
    return list(latest.values())


def definitions_of(organization: Organization) -> QuerySet[PredictionDefinition]:
    return PredictionDefinition.objects.for_organization(organization).select_related(
        "touchpoint"
    )


def customers_at_risk(
    *,
    organization: Organization,
    definition: PredictionDefinition,
    journey_id: int | None = None,
    segment: Any = None,
    limit: int = 100,
) -> QuerySet[CustomerRisk]:
    """Return the definition's customers at or above its threshold, riskiest first.

    ``journey_id`` keeps customers with an event on that journey; ``segment`` keeps
    its members (evaluated in SQL by the segment's rule).
    """
    risks = (
        CustomerRisk.objects.for_organization(organization)
        .filter(definition=definition, at_risk=True)
        .select_related("customer")
        .order_by("-risk", "pk")
    )
    if journey_id is not None:
        risks = risks.filter(
            Exists(
                Event.objects.filter(
                    customer=OuterRef("customer"), touchpoint__journey_id=journey_id
                )
            )
        )
    if segment is not None:
        risks = risks.filter(customer__in=segment.customers())
    return risks[:limit]


def risks_of_customer(
    *, organization: Organization, customer: Customer
) -> QuerySet[CustomerRisk]:
    return (
        CustomerRisk.objects.for_organization(organization)
        .filter(customer=customer)
        .select_related("definition", "version")
        .order_by("definition__name")
    )


def event_labels(organization: Organization) -> dict[str, str]:
    """Return the touchpoint name of each mapped event type and the name of each
    segment as ``segment:<key>`` (for reasons in words)."""
    labels = dict(
        TouchpointEventType.objects.for_organization(organization).values_list(
            "event_type", "touchpoint__name"
        )
    )
    for key, name in Segment.objects.for_organization(organization).values_list(
        "key", "name"
    ):
        labels[f"segment:{key}"] = name
    return labels


def as_array(values: Iterable[int]) -> np.ndarray:
    return np.fromiter(values, dtype=np.int64)


def current_version_of(definition: PredictionDefinition) -> ModelVersion | None:
    """Return the definition's latest published version."""
    return (
        ModelVersion.objects.filter(
            definition=definition, state=ModelVersion.State.PUBLISHED
        )
        .order_by("-number")
        .first()
    )
