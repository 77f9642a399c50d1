"""Writes of the predictions app: training runs (rows with a state) and risk scores."""

from __future__ import annotations

import logging
import math
import pickle
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from cx.models import Customer, Organization
from cx.plugins import plugins
from cx.publish import publish_now, publish_on_commit
from cx.services.customers import customers_attributes_set
from cx.services.segments import segment_ensure
from cx.versioning import versioned
from predictions import learning, selectors
from predictions.features import LONG_DAYS, History
from predictions.models import CustomerRisk, ModelVersion, PredictionDefinition
from predictions.scoring import Scorer, scorer_from
from surveys.models import Survey, TriggerRule
from surveys.services.rules import trigger_rule_create

logger = logging.getLogger(__name__)

SCORE_CHUNK = 2000
STUCK_AFTER = timedelta(hours=2)


def _clean(value: Any) -> Any:
    """Return ``value`` as plain JSON: numpy scalars as numbers, NaN as null."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def training_request(
    *, definition: PredictionDefinition, user: User | None = None
) -> ModelVersion:
    """Queue a training of ``definition`` (or return the one already queued or running).

    A Celery task trains it after commit; the beat sweeper re-sends a lost message.
    """
    from predictions.tasks import training_run_task

    with transaction.atomic():
        running = (
            ModelVersion.objects.select_for_update()
            .filter(
                definition=definition,
                state__in=[ModelVersion.State.QUEUED, ModelVersion.State.TRAINING],
            )
            .first()
        )
        if running is not None:
            return running
        number = (
            ModelVersion.objects.filter(definition=definition).aggregate(
                top=Max("number")
            )["top"]
            or 0
        ) + 1
        try:
            with transaction.atomic():
                version = ModelVersion.objects.create(
                    organization_id=definition.organization_id,
                    definition=definition,
                    number=number,
                    requested_by=user
                    if user is not None and user.is_authenticated
                    else None,
                )
        except IntegrityError:  # a concurrent request queued one first
            return ModelVersion.objects.get(
                definition=definition,
                state__in=[ModelVersion.State.QUEUED, ModelVersion.State.TRAINING],
            )
        publish_on_commit(training_run_task.delay, version.pk)
    return version


def outcome_for(definition: PredictionDefinition, history: History) -> learning.Outcome:
    """Return the labelling function of ``definition`` over ``history``."""
    horizon = definition.horizon_days
    if definition.kind == PredictionDefinition.Kind.EVENT:
        kind = definition.event_type

        def happened(customers: np.ndarray, at: np.ndarray) -> np.ndarray:
            return history.event_outcome(
                kind, customers, at, horizon_days=horizon
            ).astype(int)

        return happened
    answers = selectors.answer_outcomes(definition, history)

    def detractor(customers: np.ndarray, at: np.ndarray) -> np.ndarray:
        return answers.next_low(customers, at, base=history.base, horizon_days=horizon)

    return detractor


def _progress(version_id: int) -> Callable[[int, str], None]:
    def tell(percent: int, step: str) -> None:
        ModelVersion.objects.filter(pk=version_id).update(progress=percent, step=step)

    return tell


def training_run(*, version_id: int, now: datetime | None = None) -> None:
    """Train a queued version once; publish it if the gate lets it, else say why."""
    now = now or timezone.now()
    claimed = ModelVersion.objects.filter(
        pk=version_id, state=ModelVersion.State.QUEUED
    ).update(state=ModelVersion.State.TRAINING, started_at=now, progress=1, step="data")
    if not claimed:
        return  # another worker has it, or it is done
    version = ModelVersion.objects.select_related(
        "definition", "definition__organization"
    ).get(pk=version_id)
    definition = version.definition
    try:
        history = selectors.history_of(
            definition.organization,
            segments_excluded=selectors.risk_segment_keys(definition.organization),
        )
        trained = learning.train(
            history,
            outcome_for(definition, history),
            now=int(now.timestamp()),
            horizon_days=definition.horizon_days,
            min_positives=settings.CX_PREDICTION_MIN_POSITIVES,
            progress=_progress(version_id),
        )
    except Exception as exc:  # recorded on the row, so the page says what happened
        logger.exception("Training %s failed", version_id)
        ModelVersion.objects.filter(pk=version_id).update(
            state=ModelVersion.State.FAILED,
            error=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        return
    published = trained.published
    ModelVersion.objects.filter(pk=version_id).update(
        state=ModelVersion.State.PUBLISHED if published else ModelVersion.State.REFUSED,
        progress=100,
        step="",
        card=_clean(trained.card),
        refusals=_clean(trained.refusals),
        model=_pickled(trained) if published else None,
        finished_at=timezone.now(),
    )
    if published:
        version.refresh_from_db()
        active = history.customer_ids[
            history.active(
                np.arange(len(history.customer_ids)),
                np.full(len(history.customer_ids), int(now.timestamp())),
                days=LONG_DAYS,
            )
        ]
        for start in range(0, len(active), SCORE_CHUNK):
            customers_score(
                organization=definition.organization,
                customers=list(
                    Customer.objects.filter(
                        pk__in=[int(pk) for pk in active[start : start + SCORE_CHUNK]]
                    )
                ),
                now=now,
                versions=[version],
            )


def _pickled(trained: learning.Trained) -> bytes:
    return pickle.dumps(
        {
            "estimator": trained.estimator,
            "event_types": trained.spec.event_types,
            "segments": trained.spec.segments,
            "cases": trained.spec.cases,
            "names": trained.names,
            "means": trained.means,
        }
    )


@cache
def scorer(version_id: int) -> Scorer:
    """Return a published version's scorer (once per process: a version never changes)."""
    raw = ModelVersion.objects.values_list("model", flat=True).get(pk=version_id)
    assert (
        raw is not None
    )  # only published versions, which hold their model, are loaded
    return scorer_from(bytes(raw))


def customers_score(
    *,
    organization: Organization,
    customers: list[Customer],
    now: datetime | None = None,
    versions: list[ModelVersion] | None = None,
) -> int:
    """Score ``customers`` now under each current model; return the risks written.

    Writes each customer's risk and top three reasons, sets the ``risk_<key>``
    attribute segment rules read, and tells ``CX_RISK_CROSSED_RECEIVERS`` about each
    customer whose risk rose to the threshold or above.
    """
    if not customers:
        return 0
    versions = (
        selectors.current_versions(organization) if versions is None else versions
    )
    if not versions:
        return 0
    now = now or timezone.now()
    at = int(now.timestamp())
    ids = [customer.pk for customer in customers]
    history = selectors.customer_history(organization, ids, now=now)
    dense = history.index_of(ids)
    written = 0
    values: dict[int, dict[str, float]] = {pk: {} for pk in ids}
    with transaction.atomic():
        for version in versions:
            fitted = scorer(version.pk)
            matrix = history.features(fitted.spec, dense, np.full(len(ids), at))
            risk, effects = fitted.risks(matrix)
            written += _risks_store(
                organization=organization,
                version=version,
                customers=customers,
                risk=risk,
                reasons=[
                    learning.reasons(effects[i], matrix[i], fitted.names)
                    for i in range(len(ids))
                ],
                now=now,
            )
            for pk, value in zip(ids, risk, strict=True):
                values[pk][version.definition.attribute] = round(float(value), 3)
        customers_attributes_set(
            values={customer: values[customer.pk] for customer in customers}
        )
    return written


def customers_rescore(*, organization_id: int, customer_ids: list[int]) -> int:
    """Score these customers of the organisation now (after their events committed)."""
    organization = Organization.objects.get(pk=organization_id)
    customers = list(
        Customer.objects.for_organization(organization).filter(pk__in=customer_ids)
    )
    versions = versioned(
        organization,
        "predictions.current_versions",
        lambda: selectors.current_versions(organization),
    )
    return customers_score(
        organization=organization, customers=customers, versions=versions
    )


def _risks_store(
    *,
    organization: Organization,
    version: ModelVersion,
    customers: list[Customer],
    risk: np.ndarray,
    reasons: list[list[dict[str, Any]]],
    now: datetime,
) -> int:
    definition = version.definition
    # The risk before this scoring is the attribute the customer carries (no query).
    before = {c.pk: (c.attributes or {}).get(definition.attribute) for c in customers}
    rows = [
        CustomerRisk(
            organization=organization,
            definition=definition,
            customer=customer,
            version=version,
            risk=float(value),
            at_risk=bool(value >= definition.threshold),
            reasons=_clean(why),
            scored_at=now,
        )
        for customer, value, why in zip(customers, risk, reasons, strict=True)
    ]
    CustomerRisk.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["definition", "customer"],
        update_fields=["version", "risk", "at_risk", "reasons", "scored_at"],
    )
    for row in rows:
        earlier = before.get(row.customer.pk)
        if (
            row.at_risk
            and isinstance(earlier, int | float)
            and earlier < definition.threshold
        ):
            _crossed(organization, definition, row)
    return len(rows)


def _crossing_receivers() -> tuple[Callable[..., None], ...]:
    return plugins("CX_RISK_CROSSED_RECEIVERS")


def _crossed(
    organization: Organization, definition: PredictionDefinition, row: CustomerRisk
) -> None:
    payload = {
        "customer": {"id": row.customer.pk, "external_id": row.customer.external_id},
        "prediction": {
            "id": definition.pk,
            "key": definition.key,
            "name": definition.name,
        },
        "risk": round(row.risk, 4),
        "threshold": definition.threshold,
        "reasons": row.reasons,
        "version": row.version.number,
    }
    for receiver in _crossing_receivers():
        receiver(organization_id=organization.pk, payload=payload)


def trainings_schedule(*, now: datetime | None = None) -> list[ModelVersion]:
    """Queue a training of every active definition not trained in the retrain period."""
    now = now or timezone.now()
    since = now - timedelta(days=settings.CX_PREDICTION_RETRAIN_DAYS)
    queued = []
    for definition in PredictionDefinition.objects.filter(is_active=True):
        recent = definition.versions.filter(created_at__gte=since).exists()
        if not recent:
            queued.append(training_request(definition=definition))
    return queued


def trainings_sweep(*, now: datetime | None = None) -> int:
    """Re-send queued trainings whose message was lost; fail ones stuck for hours."""
    from predictions.tasks import training_run_task

    now = now or timezone.now()
    ModelVersion.objects.filter(
        state=ModelVersion.State.TRAINING, started_at__lt=now - STUCK_AFTER
    ).update(state=ModelVersion.State.FAILED, error="stuck", finished_at=now)
    queued = list(
        ModelVersion.objects.filter(
            state=ModelVersion.State.QUEUED, created_at__lt=now - timedelta(minutes=2)
        ).values_list("pk", flat=True)[:50]
    )
    for pk in queued:
        publish_now(training_run_task.delay, pk)
    return len(queued)


@transaction.atomic
def proactive_rule_create(
    *,
    organization: Organization,
    definition: PredictionDefinition,
    survey: Survey,
    event_type: str,
    threshold: float,
    holdout_percent: int,
    name: str = "",
) -> TriggerRule:
    """Create a trigger rule reaching customers at or above ``threshold`` risk.

    The risk segment ("<prediction> ≥ threshold") is created once per threshold, by
    ``cx``'s segment service; the rule, by ``surveys``' rule service, keeps
    ``holdout_percent`` of eligible customers back to measure the effect.
    """
    segment = segment_ensure(
        organization=organization,
        key=f"risk-{definition.key}-{round(threshold * 100)}"[:60],
        name=f"{definition.name} ≥ {threshold:.0%}",
        rule={"attribute": definition.attribute, "operator": "gte", "value": threshold},
    )
    return trigger_rule_create(
        organization=organization,
        name=(name or f"{definition.name} ≥ {threshold:.0%} → {survey.name}")[:200],
        survey=survey,
        event_type=event_type,
        segments_all=[segment],
        holdout_percent=holdout_percent,
        priority=10,
    )
