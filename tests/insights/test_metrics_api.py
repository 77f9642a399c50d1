"""GET /api/v1/metrics/: grouped metrics with intervals; 400s say which field is wrong."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.insights.conftest import WHEN

URL = "/api/v1/metrics/"


@pytest.fixture
def answered(answer, chat, pages, valuable, returner):
    """Chat: 30 valuable answers (18 promoters, 6 detractors); pages: 2 returners."""
    answer(chat, nps=[10] * 18 + [8] * 6 + [0] * 6, segments=[valuable])
    answer(pages, nps=[9, 3], segments=[returner])


def test_nps_by_touchpoint_and_segment(api, answered, chat, pages, valuable, returner):
    response = api.get(URL, {"metric": "nps", "group_by": "touchpoint,segment"})

    assert response.status_code == 200
    body = response.json()
    assert (body["metric"], body["group_by"], body["min_sample"]) == (
        "nps",
        ["touchpoint", "segment"],
        30,
    )
    first, second = body["rows"]
    assert first["touchpoint"] == {"id": chat.pk, "name": "Advisor chat"}
    assert first["segment"] == {
        "id": valuable.pk,
        "key": "valuable",
        "name": "Valuable",
    }
    assert first["n"] == 30
    assert first["value"] == pytest.approx(40.0)  # 60 % − 20 %
    assert first["ci_low"] < 40 < first["ci_high"]
    assert first["reason"] is None
    assert second == {
        "touchpoint": {"id": pages.pk, "name": "Loan pages"},
        "segment": {"id": returner.pk, "key": "returner", "name": "Returner"},
        "n": 2,
        "value": None,
        "ci_low": None,
        "ci_high": None,
        "reason": "not enough answers: 2 of the 30 needed",
    }


def test_minimum_sample_follows_the_setting(api, answered, settings):
    settings.CX_MIN_SAMPLE = 2

    body = api.get(URL, {"metric": "nps", "group_by": "touchpoint"}).json()

    assert body["min_sample"] == 2
    assert [row["value"] for row in body["rows"]] == [pytest.approx(40.0), 0.0]


def test_weeks_are_dates_and_periods_are_half_open(api, answer, chat):
    answer(chat, nps=[10], completed_at=WHEN)
    answer(chat, nps=[0], completed_at=WHEN + timedelta(days=7))

    body = api.get(
        URL,
        {
            "metric": "count",
            "group_by": "week",
            "since": "2026-03-01",
            "until": (WHEN + timedelta(days=7)).isoformat(),
        },
    ).json()

    assert body["rows"] == [
        {
            "week": "2026-03-02",
            "n": 1,
            "value": 1.0,
            "ci_low": None,
            "ci_high": None,
            "reason": None,
        }
    ]


def test_without_group_by_one_row_of_totals(api, answered):
    body = api.get(URL, {"metric": "count"}).json()

    assert body["group_by"] == []
    assert [row["n"] for row in body["rows"]] == [32]


def test_filters_by_touchpoint(api, answered, pages):
    body = api.get(URL, {"metric": "count", "touchpoint": pages.pk}).json()

    assert body["rows"][0]["n"] == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "metric"),
        ({"metric": "happiness"}, "metric"),
        ({"metric": "nps", "group_by": "touchpoint,colour"}, "group_by"),
        ({"metric": "nps", "group_by": "week,month"}, "group_by"),
        ({"metric": "nps", "group_by": "segment,segment"}, "group_by"),
        ({"metric": "response_rate", "group_by": "segment"}, "group_by"),
        ({"metric": "response_rate", "segment": 1}, "segment"),
        ({"metric": "nps", "since": "yesterday"}, "since"),
        ({"metric": "nps", "until": "2026-02-30"}, "until"),
        ({"metric": "nps", "since": "2026-03-02", "until": "2026-03-01"}, "until"),
        ({"metric": "nps", "touchpoint": "chat"}, "touchpoint"),
        ({"metric": "nps", "channel": "pigeon"}, "channel"),
        ({"metric": "nps", "groupby": "touchpoint"}, "groupby"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, query, field):
    response = api.get(URL, query)

    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()


def test_needs_an_api_key(client, answered):
    assert client.get(URL, {"metric": "nps"}).status_code == 401


def test_another_organisation_sees_none_of_auroras_answers(
    outsider_api, answered, chat
):
    grouped = outsider_api.get(URL, {"metric": "nps", "group_by": "touchpoint,segment"})
    aimed = outsider_api.get(URL, {"metric": "count", "touchpoint": chat.pk})

    assert grouped.status_code == 200
    assert grouped.json()["rows"] == []
    assert aimed.json()["rows"][0]["n"] == 0
