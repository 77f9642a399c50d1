"""The statistics behind learned figures: AUC with its interval, calibration, effects.

Pure computation (numpy and scipy only, no ORM), tested without a database.

- AUC and its 95 % interval by DeLong's method (the fast midrank algorithm of Sun & Xu,
  2014), computed on the *later* period the model never saw.
- Brier score and a reliability table (ten equal-width bins, each bin's observed rate
  with its Wilson interval) for the reliability chart.
- The effect of acting: the outcome rate of acted-on customers minus that of held-out
  ones, with Newcombe's hybrid score interval (method 10, built from two Wilson
  intervals), and a sample-ratio check of the split (a chi-square goodness-of-fit test
  against the planned holdout share; an alert below p = 0.001).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

Z95 = 1.959963984540054
SRM_ALERT_P = 0.001


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    def excludes(self, point: float) -> bool:
        """Return whether ``point`` lies outside the interval."""
        return point < self.low or point > self.high


def auc_delong(labels: np.ndarray, scores: np.ndarray) -> Interval:
    """Return the AUC of ``scores`` for binary ``labels`` with DeLong's 95 % interval."""
    labels = np.asarray(labels, dtype=bool)
    scores = np.asarray(scores, dtype=float)
    positives, negatives = scores[labels], scores[~labels]
    m, n = len(positives), len(negatives)
    if m < 2 or n < 2:
        return Interval(float("nan"), float("nan"), float("nan"))
    tx = scipy_stats.rankdata(positives)
    ty = scipy_stats.rankdata(negatives)
    tz = scipy_stats.rankdata(np.concatenate([positives, negatives]))
    auc = (tz[:m].sum() - m * (m + 1) / 2) / (m * n)
    v01 = (tz[:m] - tx) / n
    v10 = 1.0 - (tz[m:] - ty) / m
    se = float(np.sqrt(np.var(v01, ddof=1) / m + np.var(v10, ddof=1) / n))
    return Interval(float(auc), max(0.0, auc - Z95 * se), min(1.0, auc + Z95 * se))


def brier(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """Return the mean squared difference of predicted probability and outcome."""
    labels = np.asarray(labels, dtype=float)
    return float(np.mean((np.asarray(probabilities, dtype=float) - labels) ** 2))


def wilson(
    successes: np.ndarray | int, trials: np.ndarray | int
) -> tuple[np.ndarray, np.ndarray]:
    """Return Wilson's 95 % (low, high) for ``successes`` of ``trials`` (arrays allowed)."""
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, k / n, 0.0)
        denominator = 1 + Z95**2 / n
        centre = (p + Z95**2 / (2 * n)) / denominator
        half = Z95 * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2)) / denominator
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def reliability(
    labels: np.ndarray, probabilities: np.ndarray, *, bins: int = 10
) -> list[dict[str, float]]:
    """Return per bin of predicted probability: mean prediction, observed rate, n, interval."""
    labels = np.asarray(labels, dtype=float)
    probabilities = np.asarray(probabilities, dtype=float)
    which = np.minimum((probabilities * bins).astype(int), bins - 1)
    table = []
    for b in range(bins):
        inside = which == b
        n = int(inside.sum())
        if n == 0:
            continue
        k = int(labels[inside].sum())
        low, high = wilson(k, n)
        table.append(
            {
                "bin": b,
                "predicted": float(probabilities[inside].mean()),
                "observed": k / n,
                "low": float(low),
                "high": float(high),
                "n": n,
            }
        )
    return table


def newcombe_difference(
    k1: np.ndarray | int,
    n1: np.ndarray | int,
    k2: np.ndarray | int,
    n2: np.ndarray | int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (difference, low, high): p1 − p2 with Newcombe's hybrid score 95 % interval.

    Vectorised: each argument may be an array of equal shape (one row per comparison).
    """
    k1, n1, k2, n2 = (np.asarray(a, dtype=float) for a in (k1, n1, k2, n2))
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    difference = p1 - p2
    low = difference - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return difference, low, high


def sample_ratio_p(acted: int, held_out: int, *, holdout_share: float) -> float:
    """Return the chi-square p-value of the split against the planned holdout share."""
    total = acted + held_out
    if total == 0 or not 0 < holdout_share < 1:
        return 1.0
    expected = np.array([total * (1 - holdout_share), total * holdout_share])
    observed = np.array([acted, held_out], dtype=float)
    chi2 = float(((observed - expected) ** 2 / expected).sum())
    return float(scipy_stats.chi2.sf(chi2, df=1))


@dataclass(frozen=True)
class Effect:
    """Acted-on vs held-out outcome rates after the horizon, and the split's check."""

    acted: int
    acted_outcomes: int
    held_out: int
    held_out_outcomes: int
    holdout_share: float

    @property
    def acted_rate(self) -> float:
        return self.acted_outcomes / self.acted if self.acted else float("nan")

    @property
    def held_out_rate(self) -> float:
        return self.held_out_outcomes / self.held_out if self.held_out else float("nan")

    @property
    def measurable(self) -> bool:
        return self.acted > 0 and self.held_out > 0

    @property
    def difference(self) -> Interval:
        """Return acted − held-out outcome rate with Newcombe's 95 % interval."""
        if not self.measurable:
            return Interval(float("nan"), float("nan"), float("nan"))
        d, low, high = newcombe_difference(
            self.acted_outcomes, self.acted, self.held_out_outcomes, self.held_out
        )
        return Interval(float(d), float(low), float(high))

    @property
    def sample_ratio_p(self) -> float:
        return sample_ratio_p(
            self.acted, self.held_out, holdout_share=self.holdout_share
        )

    @property
    def sample_ratio_alert(self) -> bool:
        return self.sample_ratio_p < SRM_ALERT_P

    def as_dict(self) -> dict[str, float | int | bool]:
        difference = self.difference
        return {
            "acted": self.acted,
            "acted_outcomes": self.acted_outcomes,
            "held_out": self.held_out,
            "held_out_outcomes": self.held_out_outcomes,
            "holdout_share": self.holdout_share,
            "difference": difference.value,
            "difference_low": difference.low,
            "difference_high": difference.high,
            "sample_ratio_p": self.sample_ratio_p,
            "sample_ratio_alert": self.sample_ratio_alert,
        }
