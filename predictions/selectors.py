"""Reads of the predictions app: histories for learning and scoring, risks, versions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

import numpy as np
from django.db.models import Exists, OuterRef, QuerySet

from cx.models import Customer, Event, Organization, TouchpointEventType
from predictions.features import ANSWER_DAYS, METRICS, AnswerOutcomes, History
from predictions.models import CustomerRisk, ModelVersion, PredictionDefinition
from surveys.models import Answer, Response, Survey


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


def history_of(
    organization: Organization,
    *,
    customers: Iterable[int] | None = None,
    since: datetime | None = None,
) -> History:
    """Return the organisation's events and scored answers (of ``customers``, if given)."""
    events = Event.objects.for_organization(organization).filter(customer__isnull=False)
    answers = _answers(organization)
    if customers is not None:
        chosen = list(customers)
        events = events.filter(customer_id__in=chosen)
        answers = answers.filter(response__customer_id__in=chosen)
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    event_rows = list(
        events.order_by().values_list(
            "customer_id", "type", "occurred_at", "touchpoint__position"
        )
    )
    answer_rows = list(
        # "commented" is annotated by _answers; the stubs check names against Answer.
        answers.values_list(  # type: ignore[misc]
            "response__customer_id",
            "question__type",
            "number",
            "response__completed_at",
            "commented",
        )
    )
    return History.build(
        event_customers=[row[0] for row in event_rows],
        event_types=[row[1] for row in event_rows],
        event_times=[_seconds(row[2]) for row in event_rows],
        event_steps=[row[3] or 0 for row in event_rows],
        answer_customers=[row[0] for row in answer_rows],
        answer_metrics=[row[1] for row in answer_rows],
        answer_scores=[float(row[2]) for row in answer_rows],
        answer_times=[_seconds(row[3]) for row in answer_rows],
        answer_comments=[bool(row[4]) for row in answer_rows],
        customer_ids=list(customers) if customers is not None else None,
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
    """Return the touchpoint name of each mapped event type (for reasons in words)."""
    return dict(
        TouchpointEventType.objects.for_organization(organization).values_list(
            "event_type", "touchpoint__name"
        )
    )


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
