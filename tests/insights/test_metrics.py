"""Metric definitions against values worked out by hand. Pure: no database."""

from __future__ import annotations

import math

import pytest
from django.utils.translation import override

from insights import metrics
from insights.metrics import Counts, Metric

Z = 1.959963984540054


def test_nps_of_ten_answers_and_its_adjusted_wald_interval():
    # 10 answers: 5 promoters, 3 passives, 2 detractors → 50 % − 20 % = NPS 30.
    result = metrics.evaluate(
        Metric.NPS, Counts(n=10, successes=5, failures=2), min_sample=10
    )

    # Adjusted Wald: n' = 13, p = 5.75/13 = 0.442308, d = 2.75/13 = 0.211538,
    # p − d = 0.230769, var = (0.653846 − 0.053254)/13 = 0.046199, se = 0.214940,
    # half = 1.959964 × 0.214940 = 0.421275 → [−19.05, 65.20].
    p, d = 5.75 / 13, 2.75 / 13
    half = Z * math.sqrt((p + d - (p - d) ** 2) / 13)
    assert result.value == pytest.approx(30.0)
    assert result.ci_low == pytest.approx(100 * (p - d - half))
    assert result.ci_high == pytest.approx(100 * (p - d + half))
    assert (round(result.ci_low, 2), round(result.ci_high, 2)) == (-19.05, 65.20)
    assert result.reason is None


def test_csat_is_the_share_satisfied_with_a_wilson_interval():
    # 8 of 10 answered 4–5. Wilson by hand: centre 0.716740, half 0.226578.
    result = metrics.evaluate(Metric.CSAT, Counts(n=10, successes=8), min_sample=10)

    assert result.value == pytest.approx(80.0)
    assert result.ci_low == pytest.approx(49.02, abs=0.01)
    assert result.ci_high == pytest.approx(94.33, abs=0.01)


def test_ces_mean_has_a_t_interval():
    scores = [7, 6, 5, 5, 4, 7, 3, 6, 5, 2]  # mean 5, sample variance 24/9
    counts = Counts(
        n=len(scores), total=sum(scores), total_of_squares=sum(s * s for s in scores)
    )

    result = metrics.evaluate(Metric.CES, counts, min_sample=10)

    half = 2.262 * math.sqrt((24 / 9) / 10)  # t(9) = 2.262
    assert result.value == pytest.approx(5.0)
    assert result.ci_low == pytest.approx(5 - half)
    assert result.ci_high == pytest.approx(5 + half)


@pytest.mark.parametrize("metric", [Metric.CES_EASY, Metric.FCR, Metric.RESPONSE_RATE])
def test_shares_use_the_same_wilson_interval(metric):
    result = metrics.evaluate(metric, Counts(n=10, successes=8), min_sample=10)

    assert (result.value, round(result.ci_low, 2), round(result.ci_high, 2)) == (
        80.0,
        49.02,
        94.33,
    )


def test_each_metric_counts_the_right_answers():
    definitions = metrics.DEFINITIONS
    assert (definitions[Metric.NPS].success, definitions[Metric.NPS].failure) == (
        (9, 10),
        (0, 6),
    )
    assert definitions[Metric.CSAT].success == (4, 5)
    assert definitions[Metric.CES_EASY].success == (5, 7)
    assert definitions[Metric.FCR].success == (1, 1)
    assert definitions[Metric.CES].question_type == "ces"


def test_count_is_exact_and_never_withheld():
    result = metrics.evaluate(Metric.COUNT, Counts(n=3), min_sample=30)

    assert (result.value, result.ci_low, result.ci_high, result.reason) == (
        3.0,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("n", "shown"), [(0, False), (1, False), (29, False), (30, True), (31, True)]
)
def test_below_the_minimum_sample_the_value_is_withheld_with_a_reason(n, shown):
    result = metrics.evaluate(Metric.NPS, Counts(n=n, successes=n // 2), min_sample=30)

    assert result.n == n
    assert (result.value is not None) is shown
    assert (result.ci_low is not None, result.ci_high is not None) == (shown, shown)
    if not shown:
        assert result.reason.startswith("not enough answers")
        assert f"{n} of the 30" in result.reason


def test_a_minimum_sample_of_zero_still_needs_one_answer():
    result = metrics.evaluate(Metric.CSAT, Counts(n=0), min_sample=0)

    assert result.value is None and "not enough answers" in result.reason


def test_response_rate_below_minimum_names_invitations():
    result = metrics.evaluate(Metric.RESPONSE_RATE, Counts(n=4), min_sample=30)

    assert result.value is None
    assert result.reason.startswith("not enough invitations sent")


def test_pooled_counts_equal_the_volume_weighted_score():
    chat = Counts(n=40, successes=24, failures=4)  # NPS 50
    pages = Counts(n=60, successes=18, failures=18)  # NPS 0
    pooled = metrics.combine([chat, pages])

    result = metrics.evaluate(Metric.NPS, pooled, min_sample=30)

    assert pooled == Counts(n=100, successes=42, failures=22)
    assert result.value == pytest.approx((40 * 50 + 60 * 0) / 100)


def test_shortfall_weighs_the_gap_by_volume():
    assert metrics.shortfall(target=30, score=20, volume=500) == 5000
    assert metrics.shortfall(target=30, score=-10, volume=100) == 4000
    assert metrics.shortfall(target=30, score=40, volume=100) < 0


@pytest.mark.parametrize(
    ("metric", "group_by", "fragment"),
    [
        (Metric.NPS, ["touchpoint", "colour"], "Unknown dimension(s): colour"),
        (Metric.NPS, ["touchpoint", "touchpoint"], "once"),
        (Metric.NPS, ["day", "week"], "one of day, week or month"),
        (Metric.NPS, ["touchpoint", "segment", "journey", "week"], "at most 3"),
        (Metric.RESPONSE_RATE, ["segment"], "cannot be split by segment"),
    ],
)
def test_bad_groupings_are_explained(metric, group_by, fragment):
    errors = metrics.group_by_errors(metric, group_by)

    assert any(fragment in error for error in errors), errors


def test_good_groupings_pass():
    assert metrics.group_by_errors(Metric.NPS, ["segment", "touchpoint", "week"]) == []
    assert metrics.group_by_errors(Metric.RESPONSE_RATE, ["channel", "month"]) == []
    assert metrics.group_by_errors(Metric.COUNT, []) == []


# At their edges: pooling, grouping errors, minimum-sample tiers.


def test_pooling_adds_every_count_and_sum() -> None:
    pooled = Counts(3, 2, 1, 12.5, 60.25) + Counts(4, 1, 2, 7.5, 20.75)

    assert pooled == Counts(7, 3, 3, 20.0, 81.0)
    assert metrics.combine([Counts(1, 1, 0, 5.0, 25.0)] * 3) == Counts(
        3, 3, 0, 15.0, 75.0
    )
    assert metrics.combine([]) == Counts()


def test_grouping_errors_name_what_is_wrong_in_the_users_words() -> None:
    with override("en"):
        errors = metrics.group_by_errors(
            Metric.RESPONSE_RATE, ["shoe", "day", "week", "segment", "day"]
        )

    assert errors == [
        "Unknown dimension(s): shoe. Use: " + ", ".join(metrics.DIMENSIONS) + ".",
        "Name each dimension once.",
        "Group by at most 3 dimensions.",
        "Group by one of day, week or month, not several.",
        "The response rate cannot be split by segment: segments are recorded "
        "when a response is completed.",
    ]
    with override("en"):
        assert metrics.group_by_errors(Metric.NPS, ["shoe", "hat"])[0].startswith(
            "Unknown dimension(s): shoe, hat. Use:"
        )


def test_three_distinct_dimensions_are_allowed_and_segments_split_answers() -> None:
    assert metrics.group_by_errors(Metric.NPS, ["touchpoint", "segment", "week"]) == []


@pytest.mark.parametrize(("min_sample", "hidden_below"), [(0, 1), (1, 1), (2, 2)])
def test_at_least_one_answer_is_always_needed(
    min_sample: int, hidden_below: int
) -> None:
    rule = metrics.sample_rule(min_sample)

    assert rule.hidden_below == hidden_below
    assert (rule.interval_from, rule.full_from) == (30, 100)


def test_a_high_minimum_lifts_every_tier_to_it() -> None:
    rule = metrics.sample_rule(150)

    assert (rule.hidden_below, rule.interval_from, rule.full_from) == (150, 150, 150)


def test_a_single_answer_is_shown_at_a_minimum_of_one() -> None:
    result = metrics.evaluate(Metric.CSAT, Counts(1, 1), 1)

    assert (result.n, result.value, result.reason) == (1, 100.0, None)


def test_a_count_is_its_number_of_units() -> None:
    result = metrics.evaluate(Metric.COUNT, Counts(7), 30)

    assert (result.n, result.value, result.ci_low, result.ci_high) == (
        7,
        7.0,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("metric", "counts"),
    [(Metric.NPS, Counts(3, 2, 1)), (Metric.CES, Counts(3, 0, 0, 15.0, 77.0))],
)
def test_a_minimum_sample_below_the_default_tiers_still_shows_the_value(
    metric: Metric, counts: Counts
) -> None:
    result = metrics.evaluate(metric, counts, 1)

    assert result.value is not None and result.reason is None


def test_counts_from_a_tally_of_answers_by_number():
    # 2 × 10, 1 × 9, 3 × 7, 4 × 2: 10 answers, 3 promoters, 4 detractors.
    tally = {10: 2, 9: 1, 7: 3, 2: 4}

    assert metrics.tally_counts(Metric.NPS, tally) == Counts(
        n=10, successes=3, failures=4
    )
    assert metrics.tally_counts(Metric.CES_EASY, tally) == Counts(n=10, successes=3)
    # Mean: 2·10 + 9 + 3·7 + 4·2 = 58; squares 200 + 81 + 147 + 16 = 444.
    assert metrics.tally_counts(Metric.CES, tally) == Counts(
        n=10, total=58.0, total_of_squares=444.0
    )
    assert metrics.tally_counts(Metric.FCR, {1: 4, 0: 2}) == Counts(n=6, successes=4)
    assert metrics.tally_counts(Metric.CSAT, {}) == Counts()
