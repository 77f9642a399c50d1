"""Scoring: from evidence markers and a self-assessment to a gated level. Pure: no ORM.

The rule, in order (documented again in the report's methods appendix):

1. A marker scores 0…1. A share scores softly around its threshold: full marks at the
   threshold, zero at ``threshold − w`` with ``w = max(0.05, threshold / 10)``, linear in
   between (69 % against 70 % is not a cliff). A count scores ``value / threshold``
   (capped at 1); a flag scores 0 or 1. A marker whose value cannot be computed from the
   data is left out and lowers the dimension's evidence *coverage*.
2. A dimension attains level k (2…4) when it attained k − 1, its computable markers of
   levels ≤ k average ≥ 0.75, at least one marker of level k is computable, and none of
   its must-have markers of level k scores below 0.5. Its evidence score E is the
   attained level plus the progress toward the next (the mean score of the next level's
   markers, at most 0.99), so 1.00…4.99. A level that defines no marker for the dimension
   (employees at level 2, say) asks nothing of it and is attained on the way.
3. The self-assessment S (1…4) blends in by coverage c: ``s = c·E + (1 − c)·S``. Where S
   is a level or more above E (and E rests on some data), the dimension is flagged as an
   **over-claim** and s is capped at E + 0.5.
4. The index I is the weighted mean of the dimension scores (equal weights by default).
5. The organisation is at level k when I ≥ k and every dimension that is core for
   level k scores ≥ k (core: L2 = D1, D2, D6; L3 adds D3, D4, D5, D7; L4 adds D8, D9).
6. Confidence: every share marker with counts is redrawn from its Beta(successes + 1,
   failures + 1) posterior 2,000 times with a fixed seed; the share of draws that give
   the reported level is the confidence (High ≥ 0.8, Medium ≥ 0.6, else Low), capped at
   Medium when evidence coverage is below 60 %. A dimension whose shares rest on fewer
   than 30 observations is marked "insufficient evidence".
7. Priorities: importance (1…5, default 3) × the dimension's gap to the next level.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from maturity.method import (
    ATTAIN_AVERAGE,
    CONFIDENCE_HIGH,
    CONFIDENCE_MEDIUM,
    COVERAGE_FOR_HIGH_CONFIDENCE,
    DIMENSIONS,
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

    @property
    def overclaims(self) -> tuple[str, ...]:
        return tuple(d.dimension.key for d in self.dimensions if d.overclaim)


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


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def dimension_evidence(
    dimension: Dimension, results: Sequence[MarkerResult]
) -> tuple[float, int, float]:
    """Return (evidence score E, attained level, coverage) of a dimension (rule 2)."""
    computable = [r for r in results if r.score is not None]
    coverage = len(computable) / len(results) if results else 0.0
    level = Level.TACTICAL
    for k in (Level.EVENT_DRIVEN, Level.UNDERSTANDING_DRIVEN, Level.PREDICTIVE):
        if not any(r.marker.level == k for r in results):
            level = k  # the level asks nothing of this dimension
            continue
        up_to_k = [r.score for r in computable if r.marker.level <= k]
        at_k = [r for r in computable if r.marker.level == k]
        must_haves_ok = all(
            r.score >= MUST_HAVE_MINIMUM  # type: ignore[operator]
            for r in at_k
            if r.marker.must_have
        )
        if at_k and _mean(up_to_k) >= ATTAIN_AVERAGE and must_haves_ok:  # type: ignore[arg-type]
            level = k
        else:
            break
    next_level = [r.score for r in computable if r.marker.level == level + 1]
    if level == Level.PREDICTIVE:
        next_level = [r.score for r in computable if r.marker.level == Level.PREDICTIVE]
    progress = min(0.99, _mean(next_level))  # type: ignore[arg-type]
    return level + progress, int(level), coverage


def _score_dimensions(
    evidence: Mapping[str, Observation], self_assessment: Mapping[str, float]
) -> list[DimensionResult]:
    dimensions = []
    for dimension in DIMENSIONS:
        results = tuple(
            MarkerResult(m, evidence.get(m.key, Observation(None)), None)
            for m in MARKERS
            if m.dimension == dimension.key
        )
        results = tuple(
            replace(r, score=marker_score(r.marker, r.observation.value))
            for r in results
        )
        evidence_score, evidence_level, coverage = dimension_evidence(
            dimension, results
        )
        claimed = self_assessment.get(dimension.key)
        score = evidence_score
        overclaim = False
        if claimed is not None:
            score = coverage * evidence_score + (1 - coverage) * claimed
            if coverage > 0 and claimed >= evidence_score + 1:
                overclaim = True
                score = min(score, evidence_score + 0.5)
        trials = [
            r.observation.trials
            for r in results
            if r.marker.kind is Kind.SHARE
            and r.observation.sampled
            and r.observation.trials is not None
        ]
        insufficient = bool(trials) and max(trials) < MIN_EVENTS_FOR_EVIDENCE
        dimensions.append(
            DimensionResult(
                dimension=dimension,
                evidence_score=round(evidence_score, 2),
                evidence_level=evidence_level,
                self_level=claimed,
                coverage=coverage,
                score=round(max(1.0, min(4.99, score)), 2),
                overclaim=overclaim,
                insufficient_evidence=insufficient,
                markers=results,
            )
        )
    return dimensions


def _gate(
    dimensions: Sequence[DimensionResult], weights: Mapping[str, float]
) -> tuple[float, int]:
    total = sum(weights.get(d.dimension.key, 1.0) for d in dimensions)
    index = sum(d.score * weights.get(d.dimension.key, 1.0) for d in dimensions) / total
    level = Level.TACTICAL
    for k in (Level.EVENT_DRIVEN, Level.UNDERSTANDING_DRIVEN, Level.PREDICTIVE):
        core = [
            d
            for d in dimensions
            if d.dimension.core_from and d.dimension.core_from <= k
        ]
        if index >= k and all(d.score >= k for d in core):
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
        f"{d.dimension.key} {d.dimension.name} ({d.score:.1f})"
        for d in sorted(dimensions, key=lambda d: d.score)
        if d.dimension.core_from
        and d.dimension.core_from <= target
        and d.score < target
    ]
    if index < target:
        blockers.append(f"index ({index:.1f})")
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


def _redraw(
    evidence: Mapping[str, Observation], rng: random.Random
) -> dict[str, Observation]:
    drawn = dict(evidence)
    for key, observation in evidence.items():
        if observation.trials and observation.sampled:
            successes = observation.successes or 0
            value = rng.betavariate(successes + 1, observation.trials - successes + 1)
            drawn[key] = replace(observation, value=value)
    return drawn


def assess(
    evidence: Mapping[str, Observation],
    self_assessment: Mapping[str, float] | None = None,
    *,
    weights: Mapping[str, float] | None = None,
    importance: Mapping[str, int] | None = None,
    draws: int = MONTE_CARLO_DRAWS,
) -> Assessment:
    """Score the organisation from ``evidence`` (marker key → observation) and claims."""
    claims = self_assessment or {}
    weights = weights or {}
    dimensions = _score_dimensions(evidence, claims)
    index, level = _gate(dimensions, weights)

    rng = random.Random(MONTE_CARLO_SEED)
    tally: Counter[int] = Counter()
    for _ in range(draws):
        tally[_gate(_score_dimensions(_redraw(evidence, rng), claims), weights)[1]] += 1
    probabilities = (
        {k: tally[k] / draws for k in range(1, 5)} if draws else {level: 1.0}
    )
    confidence = probabilities.get(level, 0.0)
    coverage = _mean([d.coverage for d in dimensions])
    label = "High" if confidence >= CONFIDENCE_HIGH else "Medium"
    if confidence < CONFIDENCE_MEDIUM:
        label = "Low"
    if label == "High" and coverage < COVERAGE_FOR_HIGH_CONFIDENCE:
        label = "Medium"

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
    )
