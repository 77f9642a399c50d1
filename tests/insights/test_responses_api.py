"""GET /api/v1/responses/: answers with their context and links, filtered, paginated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cx.models import Customer
from tests.insights.conftest import WHEN, make_response, make_survey

URL = "/api/v1/responses/"


@pytest.fixture
def responses(answer, chat, pages, valuable):
    """Four responses: a happy chat with a comment, a sad chat, two page visits."""
    happy, sad = answer(
        chat,
        nps=[10, 2],
        csat=[5, 1],
        comment=["Quick and kind", ""],
        segments=[valuable],
    )
    (late,) = answer(pages, nps=[7], completed_at=WHEN + timedelta(days=10))
    (no_nps,) = answer(pages, csat=[4], ces=[2])
    return {"happy": happy, "sad": sad, "late": late, "no_nps": no_nps}


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_response_with_answers_context_and_links(
    api, responses, chat, mortgage, survey, valuable
):
    happy = responses["happy"]
    happy.customer = Customer.objects.create(
        organization=happy.organization, external_id="c-1"
    )
    happy.save()

    body = api.get(f"{URL}{happy.pk}/").json()

    assert body["survey"] == {"id": survey.pk, "name": "Feedback"}
    assert body["touchpoint"] == {"id": chat.pk, "name": "Advisor chat"}
    assert body["journey"] == {"id": mortgage.pk, "name": "Mortgage"}
    assert body["process"] is None
    assert (body["customer"], body["state"], body["score"]) == ("c-1", "completed", 10)
    assert body["completed_at"] == "2026-03-04T12:00:00Z"
    assert body["answers"] == [
        {"question": "nps", "type": "nps", "value": 10, "choices": [], "text": ""},
        {"question": "csat", "type": "csat", "value": 5, "choices": [], "text": ""},
        {
            "question": "comment",
            "type": "text",
            "value": None,
            "choices": [],
            "text": "Quick and kind",
        },
    ]
    assert body["segments"] == [{"id": valuable.pk, "key": "valuable"}]
    assert body["links"] == {
        "self": f"/api/v1/responses/{happy.pk}/",
        "survey": f"/api/v1/surveys/{survey.pk}/",
        "touchpoint": f"/api/v1/touchpoints/{chat.pk}/",
        "journey": f"/api/v1/journeys/{mortgage.pk}/",
        "process": None,
        "customer": "/api/v1/customers/c-1/",
        "invitation": None,
    }


def test_list_is_newest_first(api, responses):
    ids = _ids(api.get(URL))

    assert ids == sorted(ids, reverse=True) and len(ids) == 4


def test_filters_by_context(api, responses, survey, chat, pages, mortgage, valuable):
    happy, sad = responses["happy"].pk, responses["sad"].pk
    late, no_nps = responses["late"].pk, responses["no_nps"].pk

    assert _ids(api.get(URL, {"touchpoint": chat.pk})) == [sad, happy]
    assert _ids(api.get(URL, {"touchpoint": pages.pk})) == [no_nps, late]
    assert len(_ids(api.get(URL, {"journey": mortgage.pk, "survey": survey.pk}))) == 4
    assert _ids(api.get(URL, {"segment": valuable.pk})) == [sad, happy]
    assert _ids(api.get(URL, {"process": 999_999})) == []


def test_score_filters_use_nps_else_the_first_score(api, responses):
    happy, sad = responses["happy"].pk, responses["sad"].pk
    late, no_nps = responses["late"].pk, responses["no_nps"].pk

    # Scores: happy 10, sad 2, late 7 (NPS); no_nps 4 (its CSAT comes first).
    assert _ids(api.get(URL, {"score_min": 7})) == [late, happy]
    assert _ids(api.get(URL, {"score_max": 4})) == [no_nps, sad]
    assert _ids(api.get(URL, {"score_min": 3, "score_max": 6})) == [no_nps]


def test_period_and_comment_filters(api, responses):
    happy, late = responses["happy"].pk, responses["late"].pk

    assert _ids(api.get(URL, {"since": "2026-03-10"})) == [late]
    assert late not in _ids(api.get(URL, {"until": "2026-03-10T00:00:00+02:00"}))
    assert _ids(api.get(URL, {"has_comment": "true"})) == [happy]
    assert happy not in _ids(api.get(URL, {"has_comment": "false"}))


def test_cursor_pagination(api, responses):
    first = api.get(URL, {"page_size": 3}).json()
    second = api.get(first["next"]).json()

    assert len(first["results"]) == 3 and len(second["results"]) == 1
    assert second["next"] is None


def _forged(position: str) -> str:
    """Return a well-formed cursor for ``position``, as a client could forge one."""
    from base64 import b64encode

    return b64encode(f"p={position}".encode()).decode()


@pytest.mark.parametrize("position", [str(2**70), "abc", "-5"])
def test_a_forged_cursor_position_is_a_400_not_a_500(api, responses, position):
    got = api.get(URL, {"cursor": _forged(position)})

    assert got.status_code == 400
    assert "cursor" in got.json()["errors"]


@pytest.mark.parametrize(
    "query",
    [
        {"score_min": "high"},
        {"since": "last week"},
        {"has_comment": "perhaps"},
        {"cursor": "garbage"},
        {"state": "lost"},
    ],
)
def test_bad_filters_are_400(api, query):
    assert api.get(URL, query).status_code == 400


def test_another_organisation_sees_no_response(outsider_api, other_org, responses):
    own = make_response(make_survey(other_org, name="Theirs"), None, {"nps": 9})

    assert _ids(outsider_api.get(URL)) == [own.pk]
    assert outsider_api.get(f"{URL}{responses['happy'].pk}/").status_code == 404


def test_responses_are_read_only(api, responses):
    assert api.delete(f"{URL}{responses['happy'].pk}/").status_code == 405


def test_a_page_costs_the_same_queries_however_many_responses(api, answer, chat):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(URL).status_code == 200
        return len(captured)

    answer(chat, nps=[10], comment="a")
    queries()  # the key's first use of the minute is recorded: not a page's cost
    few = queries()
    answer(chat, nps=[9, 8, 7, 6, 5], comment="b")

    assert queries() == few
