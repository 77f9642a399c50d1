"""Rising themes: a theme whose share this week is beyond its baseline. Pure.

For each theme: this week's count ``k`` of comments with the theme among the week's
``n`` comments, against its share ``p0`` over the BASELINE_WEEKS before. The one-sided
binomial test gives P(X ≥ k | n, p0); the p-values of all themes that week are corrected
with Benjamini–Hochberg, and a theme rises when its adjusted p-value is below ALPHA,
``k`` reaches MIN_COUNT and its share at least doubled. ALPHA is strict (0.01) because
an alert interrupts a person: over a year of unchanged weeks it should almost never
fire, while a theme going from 1 % to 4 % of a few hundred weekly comments still does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binom

BASELINE_WEEKS = 8
MIN_COUNT = 5
ALPHA = 0.01
MIN_RATIO = 2.0


@dataclass(frozen=True)
class WeekCount:
    theme: int
    count: int  # this week's comments with the theme
    n: int  # this week's comments
    baseline_count: int
    baseline_n: int


@dataclass(frozen=True)
class Rise:
    theme: int
    count: int
    n: int
    share: float
    baseline_share: float
    p_value: float
    adjusted: float


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Return the Benjamini–Hochberg adjusted p-values, in the given order."""
    m = len(p_values)
    if m == 0:
        return []
    order = np.argsort(p_values)
    ranked = np.array(p_values)[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1.0)
    result = np.empty(m)
    result[order] = adjusted
    return [float(value) for value in result]


def rising(weeks: list[WeekCount]) -> list[Rise]:
    """Return the themes rising this week (see the module rule)."""
    tested = []
    for week in weeks:
        if week.n == 0 or week.baseline_n == 0:
            continue
        # Half a comment in the baseline keeps a theme never seen before testable.
        p0 = max(week.baseline_count, 0.5) / week.baseline_n
        p_value = float(binom.sf(week.count - 1, week.n, p0))
        tested.append((week, p0, p_value))
    adjusted = benjamini_hochberg([p for _, _, p in tested])
    return [
        Rise(week.theme, week.count, week.n, week.count / week.n, p0, p, q)
        for (week, p0, p), q in zip(tested, adjusted, strict=True)
        if q < ALPHA
        and week.count >= MIN_COUNT
        and week.count / week.n >= MIN_RATIO * p0
    ]
