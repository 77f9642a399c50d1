"""The deviation rule on crafted series: it fires on a real drop and stays silent on noise."""

from __future__ import annotations

from cx import statistics
from insights.deviations import Interval, is_deviation


def nps(promoters: int, detractors: int, n: int) -> Interval:
    estimate = statistics.nps(promoters, detractors, n)
    return Interval(estimate.value, estimate.ci_low, estimate.ci_high)


BASELINE = nps(promoters=200, detractors=40, n=400)  # NPS 40 over eight weeks


def test_a_real_drop_fires():
    recent = nps(promoters=30, detractors=40, n=100)  # NPS −10 this week

    assert is_deviation(recent, BASELINE)


def test_a_dip_within_the_noise_of_a_small_week_is_silent():
    recent = nps(promoters=16, detractors=6, n=40)  # NPS 25: lower, but n is small

    assert recent.value < BASELINE.value
    assert not is_deviation(recent, BASELINE)


def test_a_rise_never_fires_and_hidden_values_say_nothing():
    assert not is_deviation(nps(90, 2, 100), BASELINE)
    assert not is_deviation(Interval(None, None, None), BASELINE)
    assert not is_deviation(nps(0, 4, 4), Interval(None, None, None))


def test_a_week_of_pure_noise_around_the_baseline_never_fires():
    # Every possible week of 50 answers whose NPS equals the baseline's ± 15 points.
    for promoters in range(0, 51):
        for detractors in range(0, 51 - promoters):
            week = nps(promoters, detractors, 50)
            if abs(week.value - 40) <= 15:
                assert not is_deviation(week, BASELINE), (promoters, detractors)
