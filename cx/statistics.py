"""Metric values and their 95 % intervals, as defined in DESIGN.md §6. Pure: no ORM.

The database counts; this module turns counts into values, intervals and a reporting
tier. Every function takes counts (or sums), so the same code serves the API, the
dashboard and the PDF report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

Z95 = 1.959963984540054

# t quantiles (two-sided 95 %) for small samples; beyond 30 the normal value is close.
_T95 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
    16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074,
    23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045,
    30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980,
}  # fmt: skip


class Tier(StrEnum):
    """How much a cell's sample size lets us say (DESIGN.md §6, minimum sample)."""

    HIDDEN = "hidden"  # below the minimum: "not enough answers"
    INDICATIVE = "indicative"  # shown, no trend
    INTERVAL = "interval"  # shown with its interval; trends only when significant
    FULL = "full"


@dataclass(frozen=True)
class SampleRule:
    """The organisation's minimum-sample thresholds."""

    hidden_below: int = 5
    interval_from: int = 30
    full_from: int = 100

    def tier(self, n: int) -> Tier:
        if n < self.hidden_below:
            return Tier.HIDDEN
        if n < self.interval_from:
            return Tier.INDICATIVE
        if n < self.full_from:
            return Tier.INTERVAL
        return Tier.FULL


@dataclass(frozen=True)
class Estimate:
    """A metric value with its 95 % interval; ``value`` is None when hidden."""

    n: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    tier: Tier

    @classmethod
    def hidden(cls, n: int) -> Estimate:
        return cls(n=n, value=None, ci_low=None, ci_high=None, tier=Tier.HIDDEN)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def wilson(successes: int, n: int) -> tuple[float, float]:
    """Return the Wilson score interval of a proportion, as fractions 0…1."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = (Z95 / (1 + z2 / n)) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (_clamp(centre - half, 0.0, 1.0), _clamp(centre + half, 0.0, 1.0))


def proportion(successes: int, n: int, rule: SampleRule = SampleRule()) -> Estimate:
    """Return a percentage (0…100) with its Wilson interval: CSAT, FCR, response rate."""
    tier = rule.tier(n)
    if tier is Tier.HIDDEN:
        return Estimate.hidden(n)
    low, high = wilson(successes, n)
    return Estimate(n, 100 * successes / n, 100 * low, 100 * high, tier)


def nps(
    promoters: int, detractors: int, n: int, rule: SampleRule = SampleRule()
) -> Estimate:
    """Return NPS (−100…+100) with the adjusted-Wald interval of DESIGN.md §6.

    Add 3 to n and ¾ to the promoter and detractor counts; the variance of p − d is
    [p + d − (p − d)²] / n on the adjusted values.
    """
    tier = rule.tier(n)
    if tier is Tier.HIDDEN:
        return Estimate.hidden(n)
    value = 100 * (promoters - detractors) / n
    n_adj = n + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    centre = p - d
    half = Z95 * math.sqrt((p + d - centre * centre) / n_adj)
    low = _clamp(centre - half, -1.0, 1.0)
    high = _clamp(centre + half, -1.0, 1.0)
    return Estimate(n, value, 100 * low, 100 * high, tier)


def t_quantile(df: int) -> float:
    """Return the two-sided 95 % t quantile for ``df`` degrees of freedom."""
    if df in _T95:
        return _T95[df]
    for bound in (40, 60, 120):
        if df < bound:
            return _T95[bound]
    return Z95


def mean(
    total: float, total_of_squares: float, n: int, rule: SampleRule = SampleRule()
) -> Estimate:
    """Return a mean with its t interval from the sum and sum of squares: CES mean."""
    tier = rule.tier(n)
    if tier is Tier.HIDDEN:
        return Estimate.hidden(n)
    average = total / n
    if n < 2:
        return Estimate(n, average, None, None, tier)
    variance = max(0.0, (total_of_squares - n * average * average) / (n - 1))
    half = t_quantile(n - 1) * math.sqrt(variance / n)
    return Estimate(n, average, average - half, average + half, tier)


def differs(a: Estimate, b: Estimate) -> bool:
    """Return whether two estimates' intervals do not overlap (a conservative test)."""
    if a.ci_low is None or a.ci_high is None or b.ci_low is None or b.ci_high is None:
        return False
    return a.ci_high < b.ci_low or b.ci_high < a.ci_low
