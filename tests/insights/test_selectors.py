"""Metrics counted in the database: grouping, filters, journey scores, ranking, funnel."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cx.models import Journey, Touchpoint
from insights import selectors
from insights.metrics import Metric
from insights.models import MetricTarget
from tests.insights.conftest import WHEN, make_response, make_survey


@pytest.fixture(autouse=True)
def _small_samples(settings):
    settings.CX_MIN_SAMPLE = 1


@pytest.fixture
def mixed(answer, chat, pages, valuable, returner):
    """Chat: 4 valuable (3 promoters, 1 detractor) and 2 returners; pages: 2 in both."""
    answer(chat, nps=[10, 9, 9, 3], segments=[valuable])
    answer(chat, nps=[8, 0], segments=[returner])
    answer(pages, nps=[10, 6], segments=[valuable, returner])


def _table(rows, *dimensions):
    """Return {(label names…): (n, value)} for short assertions."""
    return {
        tuple(
            None if row.groups[d] is None else row.groups[d]["name"] for d in dimensions
        ): (row.n, pytest.approx(row.value))
        for row in rows
    }


def test_nps_by_touchpoint(aurora, mixed, chat):
    rows = selectors.metric_rows(
        organization=aurora, metric="nps", group_by=["touchpoint"]
    )

    # Chat: 6 answers, 3 promoters, 2 detractors; pages: 1 promoter, 1 detractor.
    assert _table(rows, "touchpoint") == {
        ("Advisor chat",): (6, 100 * (3 - 2) / 6),
        ("Loan pages",): (2, 0.0),
    }
    chat_row = rows[0]
    assert chat_row.groups["touchpoint"] == {"id": chat.pk, "name": "Advisor chat"}
    assert (chat_row.counts.successes, chat_row.counts.failures) == (3, 2)
    assert chat_row.ci_low < chat_row.value < chat_row.ci_high


def test_nps_by_segment_counts_a_response_in_each_of_its_segments(aurora, mixed):
    rows = selectors.metric_rows(
        organization=aurora, metric="nps", group_by=["segment"]
    )

    # Valuable: chat 4 + pages 2 = 6 answers, 4 promoters, 2 detractors.
    # Returner: chat 2 + pages 2 = 4 answers, 1 promoter, 2 detractors.
    assert _table(rows, "segment") == {
        ("Returner",): (4, -25.0),
        ("Valuable",): (6, 100 * 2 / 6),
    }
    assert rows[0].groups["segment"]["key"] == "returner"


def test_nps_by_segment_and_touchpoint(aurora, mixed):
    rows = selectors.metric_rows(
        organization=aurora, metric="nps", group_by=["segment", "touchpoint"]
    )

    assert list(_table(rows, "segment", "touchpoint").items()) == [
        (("Returner", "Advisor chat"), (2, -50.0)),
        (("Returner", "Loan pages"), (2, 0.0)),
        (("Valuable", "Advisor chat"), (4, 50.0)),
        (("Valuable", "Loan pages"), (2, 0.0)),
    ]


def test_answers_without_touchpoint_or_segment_form_their_own_group(aurora, answer):
    answer(None, nps=[10, 1])

    (by_touchpoint,) = selectors.metric_rows(
        organization=aurora, metric="nps", group_by=["touchpoint"]
    )
    (by_segment,) = selectors.metric_rows(
        organization=aurora, metric="nps", group_by=["segment"]
    )

    assert by_touchpoint.groups == {"touchpoint": None}
    assert by_segment.groups == {"segment": None}
    assert by_segment.n == 2


def test_grouped_counts_take_one_query(aurora, mixed, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.metric_rows(
            organization=aurora,
            metric="nps",
            group_by=["segment", "touchpoint", "week"],
        )


def test_nps_by_week_starts_weeks_on_monday(aurora, answer, chat):
    answer(chat, nps=[10], completed_at=WHEN)  # Wednesday 4 March
    answer(chat, nps=[0], completed_at=WHEN - timedelta(days=2))  # Monday 2 March
    answer(chat, nps=[9, 9], completed_at=WHEN + timedelta(days=7))

    rows = selectors.metric_rows(organization=aurora, metric="nps", group_by=["week"])

    assert [(row.groups["week"], row.n, row.value) for row in rows] == [
        (date(2026, 3, 2), 2, 0.0),
        (date(2026, 3, 9), 2, 100.0),
    ]


def test_nps_by_month_and_day(aurora, answer, chat):
    answer(chat, nps=[10, 0], completed_at=WHEN)
    answer(chat, nps=[10], completed_at=WHEN + timedelta(days=30))

    months = selectors.metric_rows(
        organization=aurora, metric="nps", group_by=["month"]
    )
    days = selectors.metric_rows(organization=aurora, metric="nps", group_by=["day"])

    assert [(row.groups["month"], row.n) for row in months] == [
        (date(2026, 3, 1), 2),
        (date(2026, 4, 1), 1),
    ]
    assert [row.groups["day"] for row in days] == [date(2026, 3, 4), date(2026, 4, 3)]


def test_since_is_inclusive_and_until_exclusive(aurora, answer, chat):
    answer(chat, nps=[10], completed_at=WHEN)
    answer(chat, nps=[0], completed_at=WHEN + timedelta(days=1))

    (row,) = selectors.metric_rows(
        organization=aurora,
        metric="nps",
        group_by=[],
        since=WHEN,
        until=WHEN + timedelta(days=1),
    )

    assert (row.n, row.value) == (1, 100.0)


def test_filters_narrow_by_touchpoint_channel_and_segment(
    aurora, mixed, chat, valuable
):
    def total(**filters):
        (row,) = selectors.metric_rows(
            organization=aurora, metric="nps", group_by=[], filters=filters
        )
        return row.n

    assert total(touchpoint=chat.pk) == 6
    assert total(channel="web") == 2
    # The pages answers are in two segments, and still counted once each.
    assert total(segment=valuable.pk) == 6
    assert total(journey=chat.journey_id) == 8
    assert total(process=chat.process_id or 0, survey=0) == 0


def test_segment_filter_with_segment_grouping_keeps_that_segment(
    aurora, mixed, valuable
):
    rows = selectors.metric_rows(
        organization=aurora,
        metric="nps",
        group_by=["segment"],
        filters={"segment": valuable.pk},
    )

    assert _table(rows, "segment") == {("Valuable",): (6, 100 * 2 / 6)}


def test_csat_ces_fcr_and_count_from_the_same_answers(aurora, answer, chat):
    answer(
        chat,
        csat=[5, 4, 3, 1, 5],
        ces=[7, 5, 4, 2, 6],
        resolved=[1, 1, 0, 1, 0],
        comment="ok",
    )

    def value(metric):
        (row,) = selectors.metric_rows(organization=aurora, metric=metric, group_by=[])
        return row.n, pytest.approx(row.value)

    assert value("csat") == (5, 60.0)
    assert value("ces") == (5, 4.8)
    assert value("ces_easy") == (5, 60.0)
    assert value("fcr") == (5, 60.0)
    assert value("count") == (5, 5.0)
    (no_nps,) = selectors.metric_rows(organization=aurora, metric="nps", group_by=[])
    assert (no_nps.n, no_nps.value) == (0, None)


def test_unfinished_responses_are_not_counted(aurora, answer, chat):
    answer(chat, nps=[10, 10])
    answer(chat, nps=[0], completed_at=None)

    (row,) = selectors.metric_rows(organization=aurora, metric="nps", group_by=[])

    assert (row.n, row.value) == (2, 100.0)


def test_minimum_sample_withholds_small_groups(aurora, answer, chat, pages, settings):
    settings.CX_MIN_SAMPLE = 3
    answer(chat, nps=[10, 10, 0])
    answer(pages, nps=[10, 10])

    rows = selectors.metric_rows(
        organization=aurora, metric="nps", group_by=["touchpoint"]
    )

    shown, withheld = rows
    assert (shown.n, shown.value is not None) == (3, True)
    assert (withheld.n, withheld.value, withheld.ci_low, withheld.ci_high) == (
        2,
        None,
        None,
        None,
    )
    assert "not enough answers" in withheld.reason


def test_other_organisations_answers_are_never_counted(aurora, other_org, answer, chat):
    answer(chat, nps=[10])
    outsider_survey = make_survey(other_org, name="Feedback")
    for score in (0, 0, 0):
        make_response(outsider_survey, None, {"nps": score})

    (row,) = selectors.metric_rows(organization=aurora, metric="nps", group_by=[])

    assert (row.n, row.value) == (1, 100.0)
    assert [
        r.n
        for r in selectors.metric_rows(
            organization=other_org, metric="nps", group_by=["touchpoint"]
        )
    ] == [3]


def test_unknown_dimension_is_refused(aurora):
    with pytest.raises(ValueError, match="colour"):
        selectors.metric_rows(organization=aurora, metric="nps", group_by=["colour"])


@pytest.fixture
def three_journeys(aurora, answer, chat, pages):
    """Mortgage: 10 answers, NPS 0 (chat +100 on 2, pages −25 on 8).

    Claims: 4 answers, NPS 25. Onboarding: 2 answers, NPS −100.
    """
    answer(chat, nps=[10, 9])
    answer(pages, nps=[10, 0, 0, 0, 7, 8, 9, 5])
    claims = Journey.objects.create(organization=aurora, name="Claims")
    call = Touchpoint.objects.create(
        organization=aurora, journey=claims, position=1, name="Claim call"
    )
    answer(call, nps=[9, 9, 0, 8])
    onboarding = Journey.objects.create(organization=aurora, name="Onboarding")
    welcome = Touchpoint.objects.create(
        organization=aurora, journey=onboarding, position=1, name="Welcome"
    )
    answer(welcome, nps=[0, 2])


def test_journey_score_weights_touchpoints_by_volume(aurora, three_journeys):
    scores = {
        score.journey["name"]: score
        for score in selectors.journey_scores(organization=aurora)
    }

    mortgage = scores["Mortgage"]
    # (2 × 100 + 8 × −25) / 10 = 0, where a plain mean of the two would say 37.5.
    assert (mortgage.counts.n, mortgage.result.value) == (10, pytest.approx(0.0))
    assert [row.n for row in mortgage.touchpoints] == [2, 8]
    assert mortgage.result.ci_low < 0 < mortgage.result.ci_high
    assert scores["Claims"].result.value == pytest.approx(25.0)


def test_underperformers_rank_by_gap_times_volume(aurora, three_journeys):
    ranked = selectors.underperforming_journeys(organization=aurora)

    # Default target 30: Mortgage (30 − 0) × 10 = 300, Onboarding (30 + 100) × 2 = 260,
    # Claims (30 − 25) × 4 = 20. The worst score is not the first to fix.
    assert [(j.journey["name"], j.priority) for j in ranked] == [
        ("Mortgage", pytest.approx(300)),
        ("Onboarding", pytest.approx(260)),
        ("Claims", pytest.approx(20)),
    ]
    assert {j.target for j in ranked} == {30.0}


def test_the_organisations_own_target_replaces_the_default(aurora, three_journeys):
    MetricTarget.objects.create(organization=aurora, metric="nps", value=20)

    ranked = selectors.underperforming_journeys(organization=aurora)

    assert [j.journey["name"] for j in ranked] == ["Onboarding", "Mortgage"]
    assert selectors.target_for(organization=aurora, metric="nps") == 20


def test_journeys_too_small_to_score_are_not_ranked(aurora, three_journeys, settings):
    settings.CX_MIN_SAMPLE = 4

    ranked = selectors.underperforming_journeys(organization=aurora)

    assert [j.journey["name"] for j in ranked] == ["Mortgage", "Claims"]


def test_no_target_no_ranking(aurora, three_journeys):
    assert selectors.underperforming_journeys(organization=aurora, metric="csat") == []


def test_totals_over_overlapping_periods_agree_with_each_metric_row(
    aurora, other_org, answer, chat, pages
):
    """``metric_totals`` tallies answers by number; ``metric_rows`` counts with filters.

    Two ways to the same counts: every scored metric, alone in its period or beside an
    overlapping one, has the n, value and interval its own row has.
    """
    answer(chat, nps=[10, 9, 3, 7], csat=[5, 4, 2, 1], ces=[7, 5, 2, 6], resolved=1)
    answer(pages, nps=[0, 10], csat=5, ces=[1, 7], resolved=[0, 1])
    answer(chat, nps=[6, 9, 10], csat=3, ces=4, completed_at=WHEN + timedelta(days=9))
    answer(chat, nps=[10], completed_at=None)  # unfinished: in no period
    make_response(make_survey(other_org, name="Feedback"), None, {"nps": 0, "csat": 1})
    scored = [Metric.NPS, Metric.CSAT, Metric.CES, Metric.CES_EASY, Metric.FCR]
    first = (WHEN - timedelta(days=1), WHEN + timedelta(days=1))
    both = (WHEN - timedelta(days=1), WHEN + timedelta(days=10))

    for periods in ({"first": first, "both": both}, {"both": both}):
        totals = selectors.metric_totals(
            organization=aurora, metrics_wanted=scored, periods=periods
        )
        for when, (since, until) in periods.items():
            for metric in scored:
                (row,) = selectors.metric_rows(
                    organization=aurora,
                    metric=metric,
                    group_by=[],
                    since=since,
                    until=until,
                )
                total = totals[when, metric]
                assert (total.n, total.value, total.ci_low, total.ci_high) == (
                    row.n,
                    row.value,
                    row.ci_low,
                    row.ci_high,
                ), (when, metric)
    assert totals["both", Metric.NPS].n == 9
    assert totals["both", Metric.CES].value == pytest.approx(40 / 9)  # 20 + 8 + 12
