"""Training, time-split validation, the publication gate and reasons (no ORM).

The method (DESIGN §8), in order:

1. **Examples.** Moments (cutoffs) every ``step_days`` from the first data to
   ``now − horizon`` (so every label is known); at each cutoff every customer active in
   the 60 days before it is an example: its features as of the cutoff, its outcome after.
2. **Time split.** The latest third of the cutoffs is the *test* period. Training uses
   only cutoffs whose horizon ended before the test period starts, so no outcome the
   model learns from lies in the test period.
3. **Model.** A regularised logistic regression (standardised features, L2, C = 1) is
   the explainable default; a histogram gradient boosting model replaces it only when
   it validates better (AUC + 0.01) on the last quarter of the training period. The
   chosen model is refitted on the whole training period and judged once on the test.
4. **Figures on the test period.** AUC with DeLong's 95 % interval; Brier score beside
   the base rate's; the reliability table; the lift of the riskiest tenth over the base
   rate; and the AUC of the simplest rule a CX manager would use: "the lower the last
   score the customer gave, the higher the risk".
5. **Gate.** Refuse to publish when the test period has fewer than ``min_positives``
   outcomes (or fewer non-outcomes), or when the AUC interval reaches 0.5; each reason
   is recorded so the page says why.
6. **Reasons.** A customer's reasons are the features that raise their risk most: the
   risk minus the risk with that one feature set to its training mean.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from predictions import stats
from predictions.features import DAY, LONG_DAYS, FeatureSpec, History

Outcome = Callable[[np.ndarray, np.ndarray], np.ndarray]  # 1, 0 or −1 (undefined)
Progress = Callable[[int, str], None]

MAX_EXAMPLES = 300_000
SELECTION_MARGIN = 0.01
TOP_TYPES = 12
TOP_SEGMENTS = 8


def logistic() -> Pipeline:
    """Return the default model: standardised features, L2-regularised logistic."""
    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=300))


def boosting() -> HistGradientBoostingClassifier:
    """Return the challenger: histogram gradient boosting, fixed seed."""
    return HistGradientBoostingClassifier(
        max_iter=100, learning_rate=0.1, early_stopping=False, random_state=0
    )


CANDIDATES: dict[str, Callable[[], Any]] = {"logistic": logistic, "boosting": boosting}


@dataclass
class Examples:
    customers: np.ndarray
    at: np.ndarray
    labels: np.ndarray
    matrix: np.ndarray


@dataclass
class Trained:
    """The outcome of one training: the model (if any), its card and the gate's word."""

    estimator: Any
    spec: FeatureSpec
    names: list[str]
    means: np.ndarray
    card: dict[str, Any]
    refusals: list[dict[str, Any]] = field(default_factory=list)
    fit_seconds: float = 0.0

    @property
    def published(self) -> bool:
        return self.estimator is not None and not self.refusals


def top_types(history: History, *, limit: int = TOP_TYPES) -> tuple[str, ...]:
    """Return the most frequent event types (the ones the features count)."""
    k = max(len(history.types), 1)
    codes = (history.typed_keys // (1 << 32)) % k
    counts = np.bincount(codes, minlength=len(history.types))
    order = np.argsort(-counts, kind="stable")[:limit]
    return tuple(history.types[i] for i in order if counts[i] > 0)


def top_segments(history: History, *, limit: int = TOP_SEGMENTS) -> tuple[str, ...]:
    """Return the segments most often snapshotted (the ones the features read)."""
    s = max(len(history.segments), 1)
    codes = (history.segment_keys // (1 << 32)) % s
    counts = np.bincount(codes, minlength=len(history.segments))
    order = np.argsort(-counts, kind="stable")[:limit]
    return tuple(history.segments[i] for i in order if counts[i] > 0)


def examples(
    history: History,
    spec: FeatureSpec,
    outcome: Outcome,
    cutoffs: np.ndarray,
    *,
    max_examples: int = MAX_EXAMPLES,
) -> Examples:
    """Return every active customer at every cutoff, with features and defined labels."""
    everyone = np.arange(len(history.customer_ids), dtype=np.int64)
    customers_parts, at_parts = [], []
    for cutoff in cutoffs:
        at = np.full(len(everyone), cutoff, dtype=np.int64)
        active = history.active(everyone, at, days=LONG_DAYS)
        customers_parts.append(everyone[active])
        at_parts.append(at[active])
    customers = np.concatenate(customers_parts) if customers_parts else everyone[:0]
    at = np.concatenate(at_parts) if at_parts else np.zeros(0, np.int64)
    labels = outcome(customers, at) if len(customers) else np.zeros(0, int)
    defined = labels >= 0
    customers, at, labels = customers[defined], at[defined], labels[defined]
    if len(customers) > max_examples:
        keep = np.sort(
            np.random.default_rng(0).choice(len(customers), max_examples, replace=False)
        )
        customers, at, labels = customers[keep], at[keep], labels[keep]
    return Examples(
        customers, at, labels.astype(int), history.features(spec, customers, at)
    )


def cutoff_grid(
    history: History, *, now: int, horizon_days: int, step_days: int = 7
) -> np.ndarray:
    """Return the moments examples are taken at, latest first reversed to ascending."""
    if not len(history.event_keys):
        return np.zeros(0, np.int64)
    first = int((history.event_keys % (1 << 32)).min()) + history.base
    last = now - horizon_days * DAY
    start = first + 14 * DAY
    if last < start:
        return np.zeros(0, np.int64)
    return np.arange(last, start - 1, -step_days * DAY, dtype=np.int64)[::-1]


def _both_classes(labels: np.ndarray) -> bool:
    return len(labels) > 0 and 0 < labels.sum() < len(labels)


def _auc(labels: np.ndarray, scores: np.ndarray) -> float:
    return stats.auc_delong(labels, scores).value if _both_classes(labels) else 0.5


def _stamp(seconds: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(int(seconds)))


def train(*args: Any, **kwargs: Any) -> Trained:
    """Train, validate on the later period and gate; see the module's method.

    One thread: the worker shares its machine, and OpenMP's spinning threads slow
    histogram boosting down many times over when the cores are busy.
    """
    with threadpool_limits(limits=1):
        return _train(*args, **kwargs)


def _train(
    history: History,
    outcome: Outcome,
    *,
    now: int,
    horizon_days: int,
    min_positives: int = 50,
    step_days: int = 7,
    progress: Progress | None = None,
    candidates: dict[str, Callable[[], Any]] | None = None,
) -> Trained:
    tell = progress or (lambda percent, step: None)
    candidates = candidates or CANDIDATES
    spec = FeatureSpec(event_types=top_types(history), segments=top_segments(history))
    names = spec.names()
    cutoffs = cutoff_grid(
        history, now=now, horizon_days=horizon_days, step_days=step_days
    )
    card: dict[str, Any] = {"features": names, "horizon_days": horizon_days}
    refusals: list[dict[str, Any]] = []
    test_cut = (
        cutoffs[int(len(cutoffs) * 2 / 3) :] if len(cutoffs) >= 3 else cutoffs[:0]
    )
    split = int(test_cut[0]) if len(test_cut) else now
    train_cut = cutoffs[cutoffs + horizon_days * DAY <= split]
    if not len(test_cut) or not len(train_cut):
        refusals.append({"code": "short_history", "horizon_days": horizon_days})
        return Trained(None, spec, names, np.zeros(len(names)), card, refusals)
    tell(10, "features")
    train_set = examples(history, spec, outcome, train_cut)
    test_set = examples(history, spec, outcome, test_cut)
    card["periods"] = {
        "train_from": _stamp(train_cut[0]),
        "train_to": _stamp(train_cut[-1]),
        "test_from": _stamp(test_cut[0]),
        "test_to": _stamp(test_cut[-1]),
    }
    card["sizes"] = {
        "train": len(train_set.labels),
        "train_positives": int(train_set.labels.sum()),
        "test": len(test_set.labels),
        "test_positives": int(test_set.labels.sum()),
    }
    if not _both_classes(train_set.labels):
        refusals.append({"code": "one_class_in_training"})
        return Trained(None, spec, names, np.zeros(len(names)), card, refusals)
    tell(30, "model selection")
    fit_seconds = 0.0
    chosen = "logistic"
    inner = train_cut[int(len(train_cut) * 3 / 4) :]
    early = train_set.at < inner[0] if len(inner) and len(train_cut) >= 4 else None
    if (
        len(candidates) > 1
        and early is not None
        and _both_classes(train_set.labels[early])
        and _both_classes(train_set.labels[~early])
    ):
        scores = {}
        for name, make in candidates.items():
            model = make()
            started = time.perf_counter()
            model.fit(train_set.matrix[early], train_set.labels[early])
            fit_seconds += time.perf_counter() - started
            scores[name] = _auc(
                train_set.labels[~early],
                model.predict_proba(train_set.matrix[~early])[:, 1],
            )
        card["selection_auc"] = scores
        if scores.get("boosting", 0) > scores["logistic"] + SELECTION_MARGIN:
            chosen = "boosting"
    else:
        chosen = next(iter(candidates))
    tell(60, "fit")
    estimator = candidates[chosen]()
    started = time.perf_counter()
    estimator.fit(train_set.matrix, train_set.labels)
    fit_seconds += time.perf_counter() - started
    tell(80, "validation")
    means = train_set.matrix.mean(axis=0)
    card["estimator"] = chosen
    card.update(
        validation(
            test_set.labels,
            estimator.predict_proba(test_set.matrix)[:, 1],
            base_rate=float(train_set.labels.mean()),
            last_score=history.last_score(test_set.customers, test_set.at),
        )
    )
    card["top_factors"] = top_factors(estimator, test_set.matrix, means, names)
    positives = card["sizes"]["test_positives"]
    negatives = card["sizes"]["test"] - positives
    if positives < min_positives or negatives < min_positives:
        refusals.append(
            {
                "code": "few_outcomes",
                "positives": positives,
                "negatives": negatives,
                "needed": min_positives,
            }
        )
    auc = card["auc"]
    if not np.isfinite(auc["low"]) or auc["low"] <= 0.5:
        refusals.append({"code": "auc_reaches_chance", **auc})
    tell(95, "model card")
    return Trained(estimator, spec, names, means, card, refusals, fit_seconds)


def validation(
    labels: np.ndarray,
    risk: np.ndarray,
    *,
    base_rate: float,
    last_score: np.ndarray,
) -> dict[str, Any]:
    """Return the test period's figures: AUC, Brier, reliability, lift, baselines."""
    auc = stats.auc_delong(labels, risk)
    rate = float(labels.mean()) if len(labels) else float("nan")
    top = risk >= np.quantile(risk, 0.9) if len(risk) else risk.astype(bool)
    top_rate = float(labels[top].mean()) if top.any() else float("nan")
    filled = np.where(np.isnan(last_score), 0.5, last_score)
    baseline = stats.auc_delong(labels, -filled)
    return {
        "auc": {"value": auc.value, "low": auc.low, "high": auc.high},
        "brier": stats.brier(labels, risk),
        "brier_base_rate": stats.brier(labels, np.full(len(labels), base_rate)),
        "base_rate": rate,
        "top_decile_rate": top_rate,
        "lift_top_decile": top_rate / rate if rate else float("nan"),
        "baseline_last_score_auc": {
            "value": baseline.value,
            "low": baseline.low,
            "high": baseline.high,
        },
        "reliability": stats.reliability(labels, risk),
    }


def contributions(
    estimator: Any, rows: np.ndarray, means: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return (risk, per-feature effect): risk minus risk with the feature at its mean."""
    rows = np.atleast_2d(rows)
    n, f = rows.shape
    stacked = np.repeat(rows, f + 1, axis=0).reshape(n, f + 1, f)
    for j in range(f):
        stacked[:, j + 1, j] = means[j]
    risk = estimator.predict_proba(stacked.reshape(-1, f))[:, 1].reshape(n, f + 1)
    return risk[:, 0], risk[:, :1] - risk[:, 1:]


def reasons(
    effects: np.ndarray, row: np.ndarray, names: list[str], *, limit: int = 3
) -> list[dict[str, Any]]:
    """Return the features raising this customer's risk most, with their values."""
    order = np.argsort(-effects, kind="stable")
    return [
        {"feature": names[j], "value": float(row[j]), "effect": float(effects[j])}
        for j in order[:limit]
        if effects[j] > 0.005
    ]


def top_factors(
    estimator: Any, matrix: np.ndarray, means: np.ndarray, names: list[str]
) -> list[dict[str, Any]]:
    """Return the features that raise the risk of the test period's riskiest tenth most.

    Its weight is the mean rise in risk the feature causes among those customers (the
    risk minus the risk with the feature at its training mean), so a factor that makes
    a few customers very risky is not drowned by the many it leaves alone.
    """
    if not len(matrix):
        return []
    risk = estimator.predict_proba(matrix)[:, 1]
    riskiest = np.argsort(-risk, kind="stable")[: max(1, min(2000, len(risk) // 10))]
    _, effects = contributions(estimator, matrix[riskiest], means)
    weight = effects.mean(axis=0)
    order = np.argsort(-weight, kind="stable")[:5]
    return [
        {"feature": names[j], "weight": float(weight[j]), "mean": float(means[j]),
         "riskiest_mean": float(matrix[riskiest, j].mean())}
        for j in order
        if weight[j] > 0
    ]  # fmt: skip
