"""Metric intervals against values computed by hand (DESIGN.md §6)."""

from __future__ import annotations

import math

import pytest

from cx import statistics as stats


def test_nps_value_and_adjusted_wald_interval():
    # 100 answers: 50 promoters, 20 detractors → NPS 30.
    estimate = stats.nps(promoters=50, detractors=20, n=100)

    # By hand: n' = 103, p = 50.75/103 = 0.492718, d = 20.75/103 = 0.201456,
    # p − d = 0.291262, var = (0.694175 − 0.084834)/103 = 0.005916, se = 0.076915,
    # half = 1.959964 × 0.076915 = 0.150750 → [14.05, 44.20].
    assert estimate.value == pytest.approx(30.0)
    assert estimate.ci_low == pytest.approx(14.05, abs=0.01)
    assert estimate.ci_high == pytest.approx(44.20, abs=0.01)
    assert estimate.tier is stats.Tier.FULL


def test_wilson_interval_for_csat():
    # 40 of 50 satisfied: p = 0.8. Wilson by hand: centre 0.7752, half 0.1122.
    estimate = stats.proportion(40, 50)

    assert estimate.value == pytest.approx(80.0)
    assert estimate.ci_low == pytest.approx(66.9, abs=0.1)
    assert estimate.ci_high == pytest.approx(88.8, abs=0.1)
    assert estimate.tier is stats.Tier.INTERVAL


def test_wilson_stays_inside_zero_and_one_at_the_extremes():
    low, high = stats.wilson(0, 10)
    assert low == 0.0 and 0.0 < high < 0.35
    low, high = stats.wilson(10, 10)
    assert high == pytest.approx(1.0) and 0.65 < low < 1.0


def test_ces_mean_with_t_interval():
    # Scores 4, 5, 6, 7, 3: mean 5, sample sd = sqrt(2.5), t(4) = 2.776.
    scores = [4, 5, 6, 7, 3]
    estimate = stats.mean(sum(scores), sum(s * s for s in scores), len(scores))

    half = 2.776 * math.sqrt(2.5 / 5)
    assert estimate.value == pytest.approx(5.0)
    assert estimate.ci_low == pytest.approx(5 - half)
    assert estimate.ci_high == pytest.approx(5 + half)
    assert estimate.tier is stats.Tier.INDICATIVE


@pytest.mark.parametrize(
    ("n", "tier"),
    [
        (0, stats.Tier.HIDDEN),
        (4, stats.Tier.HIDDEN),
        (5, stats.Tier.INDICATIVE),
        (29, stats.Tier.INDICATIVE),
        (30, stats.Tier.INTERVAL),
        (99, stats.Tier.INTERVAL),
        (100, stats.Tier.FULL),
    ],
)
def test_minimum_sample_tiers(n, tier):
    assert stats.SampleRule().tier(n) is tier


def test_below_the_minimum_sample_no_number_is_given():
    estimate = stats.nps(promoters=3, detractors=0, n=4)

    assert estimate.value is None and estimate.ci_low is None
    assert estimate.tier is stats.Tier.HIDDEN


def test_an_organisation_may_raise_its_minimum():
    rule = stats.SampleRule(hidden_below=10)

    assert stats.proportion(5, 8, rule).value is None
    assert stats.proportion(5, 10, rule).value == pytest.approx(50.0)


def test_nps_interval_narrows_with_more_answers():
    small = stats.nps(45, 25, 100)
    large = stats.nps(450, 250, 1000)

    assert (large.ci_high - large.ci_low) < (small.ci_high - small.ci_low) / 3


def test_differs_only_when_intervals_do_not_overlap():
    assert stats.differs(stats.proportion(90, 100), stats.proportion(50, 100))
    assert not stats.differs(stats.proportion(55, 100), stats.proportion(50, 100))
    assert not stats.differs(stats.proportion(3, 4), stats.proportion(90, 100))
