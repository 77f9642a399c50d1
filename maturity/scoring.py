"""Scoring: from evidence markers and a self-assessment to a gated level. Pure: no ORM.

The rule, in order (documented again in the report's methods appendix):

1. A marker scores 0…1. A share scores softly around its threshold: full marks at the
   threshold, zero at ``threshold − w`` with ``w = max(0.05, threshold / 10)``, linear in
   between (69 % against 70 % is not a cliff). A count scores ``value / threshold``
   (capped at 1); a flag scores 0 or 1. A marker whose value cannot be computed from the
   data is left out and lowers the dimension's evidence *coverage*.
2. A dimension attains level k (2…4) when it attained k − 1, its computable markers of
   levels ≤ k average ≥ 0.75, the computable markers of level k itself average ≥ 0.5
   (lower levels met in full cannot carry a level whose own evidence is missing — a
   dimension is not at level 4 "feedback flows into other systems" with no webhook),
   at least one marker of level k is computable, and none of its must-have markers of
   level k scores below 0.5. Its evidence score E is the attained level plus the
   progress toward the next (the mean score of the next level's markers, at most
   0.99), so 1.00…4.99. Every dimension has markers at every level (nothing is attained on
   the way): a dimension where the organisation does nothing scores 1.
3. The self-assessment S (1…4) blends in by coverage c: ``s = c·E' + (1 − c)·S``. E' is
   E where the data can judge; where a level has markers but none is computable from
   the data (a validated prediction, D4 and D9 at level 4), the data cannot judge that
   level and the claim speaks for it: the level counts as attained when S reaches it,
   and S gives the progress toward it. Where S is a level or more above E' (and E'
   rests on some data), the dimension is flagged as an **over-claim** and s is capped
   at E' + 0.5. The report shows E, the evidence alone.
4. The index I is the weighted mean of the dimension scores (equal weights by default).
5. The organisation is at level k when I ≥ k and every dimension that is core for
   level k scores ≥ k (core: L2 = D1, D2, D6; L3 adds D3, D4, D5, D7; L4 adds D8, D9).
6. Confidence: every share marker with counts is redrawn from its Beta(successes + 1,
   failures + 1) posterior 2,000 times with a fixed seed; the share of draws that give
   the reported level is the confidence (High ≥ 0.8, Medium ≥ 0.6, else Low), capped at
   Medium when evidence coverage is below 60 %. A short history caps the label too —
   at Low under 6 weeks of data, at Medium under 12 — and never lowers the level: the
   period starts at the organisation's first live answer, and a level shown for three
   weeks is a level shown, but not yet shown to last. Each cap is stated in words
   (``confidence_reasons``). A dimension whose shares rest on fewer than 30
   observations is marked "insufficient evidence".
7. Priorities: importance (1…5, default 3) × the dimension's gap to the next level.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from maturity.method import (
    ATTAIN_AVERAGE,
    CONFIDENCE_HIGH,
    CONFIDENCE_MEDIUM,
    COVERAGE_FOR_HIGH_CONFIDENCE,
    DIMENSIONS,
    HISTORY_WEEKS_FOR_HIGH,
    HISTORY_WEEKS_FOR_MEDIUM,
    LEVEL_NAMES,
    MARKERS,
    MIN_EVENTS_FOR_EVIDENCE,
    MONTE_CARLO_DRAWS,
    MONTE_CARLO_SEED,
    MUST_HAVE_MINIMUM,
    Dimension,
    Kind,
    Level,
    Marker,
)


@dataclass(frozen=True)
class Observation:
    """A marker's measured value; ``successes``/``trials`` back a share's uncertainty."""

    value: float | None
    successes: int | None = None
    trials: int | None = None
    context: str = ""
    sampled: bool = True  # False for exact counts of the org's own set-up (no sampling)

    @classmethod
    def share(
        cls, successes: int, trials: int, context: str = "", *, sampled: bool = True
    ) -> Observation:
        """Return a share observation, not computable when there were no trials."""
        if trials <= 0:
            return cls(None, 0, 0, context, sampled)
        return cls(successes / trials, successes, trials, context, sampled)

    @classmethod
    def flag(cls, present: bool, context: str = "") -> Observation:
        return cls(1.0 if present else 0.0, context=context)


@dataclass(frozen=True)
class MarkerResult:
    marker: Marker
    observation: Observation
    score: float | None  # None when not computable

    @property
    def met(self) -> bool:
        return self.score is not None and self.score >= 1.0


@dataclass(frozen=True)
class DimensionResult:
    dimension: Dimension
    evidence_score: float
    evidence_level: int
    self_level: float | None
    coverage: float
    score: float
    overclaim: bool
    insufficient_evidence: bool
    markers: tuple[MarkerResult, ...]
    recommendations: tuple[str, ...] = ()

    @property
    def level(self) -> int:
        return int(self.score)


@dataclass(frozen=True)
class Assessment:
    index: float
    level: int
    level_name: str
    confidence: float
    confidence_label: str
    level_probabilities: dict[int, float]
    coverage: float
    dimensions: tuple[DimensionResult, ...]
    held_back_by: tuple[str, ...]
    priorities: tuple[tuple[str, float], ...] = field(default=())
    # Why the label is lower than the probability alone gives: {"code": …, …}
    confidence_reasons: tuple[dict[str, Any], ...] = field(default=())

    @property
    def overclaims(self) -> tuple[str, ...]:
        return tuple(d.dimension.key for d in self.dimensions if d.overclaim)


def score_shown(score: float) -> float:
    """Return ``score`` cut (not rounded) to one decimal: 4.99 shows 4.9, never 5.0.

    A score's whole part is its level, so rounding up would print the next level.
    """
    return math.floor(round(score * 10, 6)) / 10


def marker_score(marker: Marker, value: float | None) -> float | None:
    """Return the marker's score 0…1 for ``value`` (rule 1), or None when unknown."""
    if value is None:
        return None
    if marker.kind is Kind.FLAG:
        return 1.0 if value >= 1 else 0.0
    if marker.kind is Kind.COUNT:
        return max(0.0, min(1.0, value / marker.threshold))
    width = max(0.05, marker.threshold / 10)
    return round(max(0.0, min(1.0, (value - (marker.threshold - width)) / width)), 6)


LABELS = ("Low", "Medium", "High")


def confidence_label(
    confidence: float, coverage: float, history_days: int | None = None
) -> tuple[str, tuple[dict[str, Any], ...]]:
    """Return the confidence label and the reasons it was capped (rule 6)."""
    label = "High" if confidence >= CONFIDENCE_HIGH else "Medium"
    if confidence < CONFIDENCE_MEDIUM:
        label = "Low"
    reasons: list[dict[str, Any]] = []

    def cap(at: str, reason: dict[str, Any]) -> None:
        nonlocal label
        reasons.append(reason)
        if LABELS.index(label) > LABELS.index(at):
            label = at

    if coverage < COVERAGE_FOR_HIGH_CONFIDENCE:
        cap("Medium", {"code": "coverage", "coverage": round(coverage, 2)})
    if history_days is not None and history_days < 7 * HISTORY_WEEKS_FOR_HIGH:
        weeks = round(history_days / 7)
        cap(
            "Low" if weeks < HISTORY_WEEKS_FOR_MEDIUM else "Medium",
            {"code": "short_history", "days": history_days, "weeks": weeks},
        )
    return label, tuple(reasons)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


MARKERS_OF = {
    dimension.key: tuple(m for m in MARKERS if m.dimension == dimension.key)
    for dimension in DIMENSIONS
}


def dimension_evidence(
    scored: Sequence[tuple[Marker, float | None]], claimed: float | None = None
) -> tuple[float, int, float]:
    """Return (evidence score E, attained level, coverage) of a dimension (rule 2).

    With ``claimed``, a level none of whose markers the data can compute is judged by
    the claim instead (rule 3): attained when the claim reaches it.
    """
    computable = [(m, score) for m, score in scored if score is not None]
    coverage = len(computable) / len(scored) if scored else 0.0
    level = Level.TACTICAL
    for k in (Level.EVENT_DRIVEN, Level.UNDERSTANDING_DRIVEN, Level.PREDICTIVE):
        up_to_k = [score for m, score in computable if m.level <= k]
        at_k = [(m, score) for m, score in computable if m.level == k]
        if not at_k:
            # The data cannot judge this level; only a claim that reaches it can.
            if claimed is not None and claimed >= k:
                level = k
                continue
            break
        must_haves_ok = all(
            score >= MUST_HAVE_MINIMUM for m, score in at_k if m.must_have
        )
        own_evidence_ok = _mean([score for _, score in at_k]) >= MUST_HAVE_MINIMUM
        if _mean(up_to_k) >= ATTAIN_AVERAGE and own_evidence_ok and must_haves_ok:
            level = k
        else:
            break
    following = Level.PREDICTIVE if level == Level.PREDICTIVE else level + 1
    toward = [score for m, score in computable if m.level == following]
    unjudged = not toward and any(m.level == following for m, _ in scored)
    # Toward a level the data cannot judge, the claim's step beyond this one counts.
    progress = (
        max(0.0, claimed - level) if unjudged and claimed is not None else _mean(toward)
    )
    return level + min(0.99, progress), int(level), coverage


def _blend(
    scored: Sequence[tuple[Marker, float | None]], claimed: float | None
) -> tuple[float, bool]:
    """Return the dimension score and whether the claim over-reaches (rule 3)."""
    judged, _, coverage = dimension_evidence(scored, claimed)
    if claimed is None:
        return max(1.0, min(4.99, judged)), False
    score = coverage * judged + (1 - coverage) * claimed
    overclaim = coverage > 0 and claimed >= judged + 1
    if overclaim:
        score = min(score, judged + 0.5)
    return max(1.0, min(4.99, score)), overclaim


def _score_dimensions(
    evidence: Mapping[str, Observation], self_assessment: Mapping[str, float]
) -> list[DimensionResult]:
    dimensions = []
    for dimension in DIMENSIONS:
        results = tuple(
            MarkerResult(m, observation, marker_score(m, observation.value))
            for m in MARKERS_OF[dimension.key]
            for observation in [evidence.get(m.key, Observation(None))]
        )
        scored = [(r.marker, r.score) for r in results]
        evidence_score, evidence_level, coverage = dimension_evidence(scored)
        claimed = self_assessment.get(dimension.key)
        score, overclaim = _blend(scored, claimed)
        trials = [
            r.observation.trials
            for r in results
            if r.marker.kind is Kind.SHARE
            and r.observation.sampled
            and r.observation.trials is not None
        ]
        dimensions.append(
            DimensionResult(
                dimension=dimension,
                evidence_score=round(evidence_score, 2),
                evidence_level=evidence_level,
                self_level=claimed,
                coverage=coverage,
                score=round(score, 2),
                overclaim=overclaim,
                insufficient_evidence=bool(trials)
                and max(trials) < MIN_EVENTS_FOR_EVIDENCE,
                markers=results,
            )
        )
    return dimensions


def _gate(
    scores: Mapping[str, float], weights: Mapping[str, float]
) -> tuple[float, int]:
    """Return the index and the gated level (rules 4 and 5)."""
    total = sum(weights.get(key, 1.0) for key in scores)
    index = sum(score * weights.get(key, 1.0) for key, score in scores.items()) / total
    level = Level.TACTICAL
    for k in (Level.EVENT_DRIVEN, Level.UNDERSTANDING_DRIVEN, Level.PREDICTIVE):
        core = [d.key for d in DIMENSIONS if d.core_from and d.core_from <= k]
        if index >= k and all(scores[key] >= k for key in core):
            level = k
        else:
            break
    return index, int(level)


def _held_back_by(
    dimensions: Sequence[DimensionResult], index: float, level: int
) -> tuple[str, ...]:
    if level >= Level.PREDICTIVE:
        return ()
    target = level + 1
    blockers = [
        f"{d.dimension.key} {d.dimension.name} ({score_shown(d.score):.1f})"
        for d in sorted(dimensions, key=lambda d: d.score)
        if d.dimension.core_from
        and d.dimension.core_from <= target
        and d.score < target
    ]
    if index < target:
        blockers.append(f"index ({score_shown(index):.1f})")
    return tuple(blockers)


def _recommendations(dimension: DimensionResult, target: int) -> tuple[str, ...]:
    """Return the actions that would lift the dimension, most effective first."""
    unmet = [
        r
        for r in dimension.markers
        if r.marker.level <= target and not r.met and r.marker.action
    ]
    unmet.sort(key=lambda r: (r.marker.level, not r.marker.must_have, r.score or 0.0))
    actions: list[str] = []
    for result in unmet:
        action = result.marker.action
        if result.observation.context:
            action = f"{action} ({result.observation.context})"
        if action not in actions:
            actions.append(action)
    return tuple(actions)


def _level_tally(
    evidence: Mapping[str, Observation],
    claims: Mapping[str, float],
    weights: Mapping[str, float],
    dimensions: Sequence[DimensionResult],
    draws: int,
) -> Counter[int]:
    """Return how many of ``draws`` redraws of the sampled shares give each level.

    Each draw takes every sampled share from its Beta posterior, in the evidence's
    order, from one generator seeded with ``MONTE_CARLO_SEED``; dimensions without a
    sampled share keep their scores. A dimension's score depends only on its markers'
    scores, and a share far from its threshold scores the same (0 or 1) in nearly every
    draw, so each dimension's blend and the gate are computed once per distinct set of
    scores and looked up after: the same numbers as scoring every draw afresh.
    """
    posteriors = [
        (key, successes + 1, observation.trials - successes + 1)
        for key, observation in evidence.items()
        if observation.trials and observation.sampled
        for successes in [observation.successes or 0]
    ]
    drawn_keys = {key for key, _, _ in posteriors}
    # Only dimensions with sampled shares change between draws; the rest are fixed.
    uncertain = [
        key
        for key, markers in MARKERS_OF.items()
        if any(m.key in drawn_keys for m in markers)
    ]
    fixed = {
        d.dimension.key: d.score for d in dimensions if d.dimension.key not in uncertain
    }
    # Per uncertain dimension: its markers' fixed scores, and which of them are drawn.
    fixed_scores = {
        key: [
            marker_score(m, evidence.get(m.key, Observation(None)).value)
            for m in MARKERS_OF[key]
        ]
        for key in uncertain
    }
    drawn_markers = {
        key: [(i, m) for i, m in enumerate(MARKERS_OF[key]) if m.key in drawn_keys]
        for key in uncertain
    }
    blended: dict[tuple[str, tuple[float | None, ...]], float] = {}
    gated: dict[tuple[float, ...], int] = {}
    betavariate = random.Random(MONTE_CARLO_SEED).betavariate
    tally: Counter[int] = Counter()
    for _ in range(draws):
        values = {key: betavariate(alpha, beta) for key, alpha, beta in posteriors}
        drawn = {}
        for key in uncertain:
            scores = fixed_scores[key].copy()
            for i, marker in drawn_markers[key]:
                scores[i] = marker_score(marker, values[marker.key])
            signature = (key, tuple(scores))
            score = blended.get(signature)
            if score is None:
                scored = list(zip(MARKERS_OF[key], scores, strict=True))
                score = blended[signature] = round(
                    _blend(scored, claims.get(key))[0], 2
                )
            drawn[key] = score
        levels = tuple(drawn.values())
        level = gated.get(levels)
        if level is None:
            level = gated[levels] = _gate({**fixed, **drawn}, weights)[1]
        tally[level] += 1
    return tally


def assess(
    evidence: Mapping[str, Observation],
    self_assessment: Mapping[str, float] | None = None,
    *,
    weights: Mapping[str, float] | None = None,
    importance: Mapping[str, int] | None = None,
    draws: int = MONTE_CARLO_DRAWS,
    history_days: int | None = None,
) -> Assessment:
    """Score the organisation from ``evidence`` (marker key → observation) and claims.

    ``history_days``: how many days of data the period holds when it is shorter than
    asked (it starts at the organisation's first live answer); None for a full period.
    """
    claims = self_assessment or {}
    weights = weights or {}
    dimensions = _score_dimensions(evidence, claims)
    index, level = _gate({d.dimension.key: d.score for d in dimensions}, weights)

    tally = _level_tally(evidence, claims, weights, dimensions, draws)
    probabilities = (
        {k: tally[k] / draws for k in range(1, 5)} if draws else {level: 1.0}
    )
    confidence = probabilities.get(level, 0.0)
    coverage = _mean([d.coverage for d in dimensions])
    label, reasons = confidence_label(confidence, coverage, history_days)

    target = min(level + 1, Level.PREDICTIVE)
    dimensions = [
        replace(d, recommendations=_recommendations(d, target))
        if d.score < target
        else d
        for d in dimensions
    ]
    importance = importance or {}
    priorities = sorted(
        (
            (
                d.dimension.key,
                round(importance.get(d.dimension.key, 3) * (target - d.score), 2),
            )
            for d in dimensions
            if d.score < target
        ),
        key=lambda item: -item[1],
    )
    return Assessment(
        index=round(index, 2),
        level=level,
        level_name=LEVEL_NAMES[Level(level)],
        confidence=round(confidence, 3),
        confidence_label=label,
        level_probabilities=probabilities,
        coverage=round(coverage, 2),
        dimensions=tuple(dimensions),
        held_back_by=_held_back_by(dimensions, index, level),
        priorities=tuple(priorities),
        confidence_reasons=reasons,
    )
