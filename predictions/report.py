"""The predictions section of the maturity report: model cards, reliability, effects.

Read at the time the report is rendered (a prediction's model and its measured effect
are today's, not the assessment period's): for each active prediction with a published
model, its card (definition, periods, sizes, AUC with its interval, Brier score, lift
over the base rate and over the last score given, top factors in words), the
reliability chart (the staff page's SVG) and the effect of every rule acting on it
(acted-on vs held-out outcome rates, Newcombe's interval, the sample-ratio check).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

from cx.models import Organization
from predictions import charts, effects, explain, selectors
from predictions.models import ModelVersion, PredictionDefinition


@dataclass(frozen=True)
class PredictionCard:
    definition: PredictionDefinition
    version: ModelVersion
    card: dict[str, Any]
    auc_gain: float  # AUC minus the AUC of "the last score given"
    factors: list[str]
    chart: SafeString
    effects: list[tuple[effects.RuleEffect, dict[str, str]]]


def _percent(value: float, *, signed: bool = False) -> str:
    """Return a share in percent (points) with one decimal, in the active language."""
    if not math.isfinite(value):
        return "–"
    shown = number_format(abs(value) * 100, 1)
    if not signed:
        return shown
    return ("+" if value > 0 else "−" if value < 0 else "±") + shown


def prediction_section(*, organization: Organization) -> list[PredictionCard]:
    """Return the card of each active prediction with a published model, by name."""
    versions = sorted(
        selectors.current_versions(organization), key=lambda v: v.definition.name
    )
    if not versions:
        return []
    labels = selectors.event_labels(organization)
    measured = effects.effects_of(organization)
    cards = []
    for version in versions:
        card = version.card
        cards.append(
            PredictionCard(
                definition=version.definition,
                version=version,
                card=card,
                auc_gain=card["auc"]["value"]
                - card["baseline_last_score_auc"]["value"],
                factors=[
                    explain.feature_words(factor["feature"], None, labels)
                    for factor in card.get("top_factors", [])[:3]
                ],
                chart=mark_safe(  # noqa: S308 — built by cx.svg, every label escaped
                    charts.reliability(card.get("reliability", []))
                ),
                effects=[
                    (m, effect_figures(m))
                    for m in measured
                    if m.definition.pk == version.definition_id
                ],
            )
        )
    return cards


def effect_figures(effect: effects.RuleEffect) -> dict[str, str]:
    """Return an effect's rates, difference and split check as figures to show."""
    e = effect.effect
    difference = e.difference
    return {
        "acted_rate": _percent(e.acted_rate),
        "held_out_rate": _percent(e.held_out_rate),
        "difference": _percent(difference.value, signed=True),
        "low": _percent(difference.low, signed=True),
        "high": _percent(difference.high, signed=True),
        "p": number_format(e.sample_ratio_p, 3) if e.measurable else "–",
    }
