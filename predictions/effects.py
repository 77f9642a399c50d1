"""Proof that acting helped: acted-on vs held-out outcome rates after the horizon.

A trigger rule acts on a prediction when one of its required segments reads the
prediction's ``risk_<key>`` attribute. Every customer the rule reached is in one of two
arms from their first assignment on: *acted on* (the rule invited them) or *held out*
(suppressed with the reason "holdout", by the deterministic hash of customer and rule).
Once the prediction's horizon has passed since a customer's assignment, their outcome
counts: did the predicted thing happen within the horizon after it? The effect is the
acted-on rate minus the held-out rate with Newcombe's 95 % interval; the split is
checked against the rule's planned holdout share (an alert below p = 0.001).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Min
from django.utils import timezone

from cx import segmentation
from cx.models import Organization
from predictions import selectors
from predictions.features import History
from predictions.models import PredictionDefinition
from predictions.stats import Effect
from surveys.models import Invitation, Suppression, TriggerRule

# Below this many matured customers in either arm the effect is "not measured yet".
MIN_ARM = 20


@dataclass(frozen=True)
class RuleEffect:
    rule: TriggerRule
    definition: PredictionDefinition
    effect: Effect
    waiting: int  # assigned customers whose horizon has not passed yet

    @property
    def measured(self) -> bool:
        return self.effect.acted >= MIN_ARM and self.effect.held_out >= MIN_ARM


def rules_acting_on(definition: PredictionDefinition) -> list[TriggerRule]:
    """Return the organisation's trigger rules whose required segments read the risk."""
    rules = (
        TriggerRule.objects.for_organization(definition.organization_id)
        .prefetch_related("segments_all")
        .select_related("survey")
        .order_by("pk")
    )
    return [
        rule
        for rule in rules
        if any(
            definition.attribute in segmentation.predictions_read(segment.rule)
            for segment in rule.segments_all.all()
        )
    ]


def _first(rows: dict[int, datetime], more: dict[int, datetime]) -> dict[int, datetime]:
    for pk, at in more.items():
        if pk not in rows or at < rows[pk]:
            rows[pk] = at
    return rows


def rule_effect(
    definition: PredictionDefinition, rule: TriggerRule, *, now: datetime | None = None
) -> RuleEffect:
    """Return the measured effect of ``rule`` on ``definition``'s outcome."""
    now = now or timezone.now()
    acted = dict(
        Invitation.objects.filter(rule=rule, customer__isnull=False)
        .values("customer_id")
        .annotate(first=Min("created_at"))
        .values_list("customer_id", "first")
    )
    held = dict(
        Suppression.objects.filter(
            rule=rule, reason=Suppression.Reason.HOLDOUT, customer__isnull=False
        )
        .values("customer_id")
        .annotate(first=Min("created_at"))
        .values_list("customer_id", "first")
    )
    # A customer in both arms (the holdout share changed) counts in the earlier one.
    for pk in set(acted) & set(held):
        if acted[pk] <= held[pk]:
            del held[pk]
        else:
            del acted[pk]
    horizon = timedelta(days=definition.horizon_days)
    matured = {
        pk: at for pk, at in _first(dict(acted), held).items() if at + horizon <= now
    }
    waiting = len(acted) + len(held) - len(matured)
    outcome = _outcomes(definition, matured)
    acted_pks = [pk for pk in matured if pk in acted]
    held_pks = [pk for pk in matured if pk in held]
    effect = Effect(
        acted=len(acted_pks),
        acted_outcomes=sum(outcome[pk] for pk in acted_pks),
        held_out=len(held_pks),
        held_out_outcomes=sum(outcome[pk] for pk in held_pks),
        holdout_share=rule.holdout_percent / 100,
    )
    return RuleEffect(rule=rule, definition=definition, effect=effect, waiting=waiting)


def _outcomes(
    definition: PredictionDefinition, assigned: dict[int, datetime]
) -> dict[int, bool]:
    """Return whether each assigned customer had the outcome within the horizon."""
    if not assigned:
        return {}
    pks = list(assigned)
    history: History = selectors.history_of(
        definition.organization, customers=pks, since=min(assigned.values())
    )
    dense = history.index_of(pks)
    at = np.array([int(assigned[pk].timestamp()) for pk in pks], dtype=np.int64)
    if definition.kind == PredictionDefinition.Kind.EVENT:
        happened = history.event_outcome(
            definition.event_type, dense, at, horizon_days=definition.horizon_days
        )
    else:
        answers = selectors.answer_outcomes(definition, history, customers=pks)
        happened = (
            answers.next_low(
                dense, at, base=history.base, horizon_days=definition.horizon_days
            )
            == 1
        )
    return {pk: bool(value) for pk, value in zip(pks, happened, strict=True)}


def effects_of(
    organization: Organization, *, now: datetime | None = None
) -> list[RuleEffect]:
    """Return the effect of every rule acting on each of the organisation's predictions."""
    return [
        rule_effect(definition, rule, now=now)
        for definition in PredictionDefinition.objects.for_organization(organization)
        .select_related("organization")
        .order_by("name")
        for rule in rules_acting_on(definition)
    ]


@dataclass(frozen=True)
class PredictionEvidence:
    """What the maturity evidence reads: a validated prediction, used, its effect known."""

    published: int  # active definitions with a model that passed its gate
    used: int  # of them, acted on by an active trigger rule
    measured: int  # of them, with an effect measured against the holdout
    context: str

    @property
    def in_use(self) -> bool:
        return self.used > 0

    @property
    def validated_in_use(self) -> bool:
        return self.measured > 0


def prediction_evidence(
    organization: Organization, *, now: datetime | None = None
) -> PredictionEvidence:
    """Return how far the organisation uses validated predictions (for D4 and D9)."""
    from predictions.selectors import current_versions

    versions = [
        v
        for v in current_versions(organization)
        if now is None or (v.finished_at or v.created_at) <= now
    ]
    published = used = measured = 0
    parts = []
    for version in versions:
        definition = version.definition
        published += 1
        rules = [r for r in rules_acting_on(definition) if r.is_active]
        if not rules:
            parts.append(f"{definition.name}: published, not used by a rule")
            continue
        used += 1
        found = [rule_effect(definition, rule, now=now) for rule in rules]
        done = [f for f in found if f.measured]
        if done:
            measured += 1
            difference = done[0].effect.difference
            parts.append(
                f"{definition.name}: AUC {version.card['auc']['value']:.2f}, "
                f"effect {difference.value * 100:+.1f} pp "
                f"({difference.low * 100:+.1f}…{difference.high * 100:+.1f})"
            )
        else:
            parts.append(f"{definition.name}: used, effect not measured yet")
    return PredictionEvidence(
        published, used, measured, " · ".join(parts) or "no published prediction"
    )
