"""Metric definitions at their edges, without a database: pooling, groupings, samples."""

from __future__ import annotations

import pytest
from django.utils import translation

from insights import metrics
from insights.metrics import Counts, Metric


def test_pooling_adds_every_count_and_sum() -> None:
    pooled = Counts(3, 2, 1, 12.5, 60.25) + Counts(4, 1, 2, 7.5, 20.75)

    assert pooled == Counts(7, 3, 3, 20.0, 81.0)
    assert metrics.combine([Counts(1, 1, 0, 5.0, 25.0)] * 3) == Counts(
        3, 3, 0, 15.0, 75.0
    )
    assert metrics.combine([]) == Counts()


def test_grouping_errors_name_what_is_wrong_in_the_users_words() -> None:
    with translation.override("en"):
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
    with translation.override("en"):
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
