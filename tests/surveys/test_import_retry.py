"""Imports an integrator can retry: own ids, per-row answers, customers never dropped."""

from __future__ import annotations

import pytest

from cx.models import Customer
from surveys.models import Question, Response, Survey
from surveys.services import imports

URL = "/api/v1/responses/import/"


@pytest.fixture
def yearly_survey(aurora) -> Survey:
    survey = Survey.objects.create(
        organization=aurora, name="Yearly 2025", status="closed", languages=["en"]
    )
    Question.objects.create(
        survey=survey, key="nps", position=1, type="nps", text={"en": "Recommend?"}
    )
    return survey


def _row(external_id: str, score: int = 9, **fields: object) -> dict[str, object]:
    return {
        "external_id": external_id,
        "completed_at": "2025-05-02T10:00:00Z",
        "answers": {"nps": score},
        **fields,
    }


def test_a_retried_import_stores_nothing_twice_and_answers_the_same_ids(
    api, yearly_survey
):
    payload = {"survey": yearly_survey.pk, "responses": [_row("y-1"), _row("y-2", 3)]}

    first = api.post(URL, payload, format="json")
    again = api.post(URL, payload, format="json")

    assert first.status_code == 201, first.json()
    assert again.status_code == 200, again.json()
    stored = [row["response"] for row in first.json()["results"]]
    assert [row["response"] for row in again.json()["results"]] == stored
    assert [row["status"] for row in first.json()["results"]] == [201, 201]
    assert [row["status"] for row in again.json()["results"]] == [200, 200]
    assert (again.json()["created"], again.json()["duplicates"]) == (0, 2)
    assert Response.objects.count() == 2
    assert set(Response.objects.values_list("pk", flat=True)) == set(stored)


def test_a_row_repeated_in_one_request_is_stored_once(api, yearly_survey):
    payload = {"survey": yearly_survey.pk, "responses": [_row("y-1"), _row("y-1")]}

    body = api.post(URL, payload, format="json").json()

    first, repeated = body["results"]
    assert (first["status"], repeated["status"]) == (201, 200)
    assert first["response"] == repeated["response"]
    assert Response.objects.count() == 1


def test_each_row_says_what_was_stored_or_why_not(api, yearly_survey):
    payload = {
        "survey": yearly_survey.pk,
        "responses": [_row("y-1"), _row("y-2", 11), _row("", 7)],
    }

    response = api.post(URL, payload, format="json")

    assert response.status_code == 201
    stored, refused, unnamed = response.json()["results"]
    assert stored["response"] == Response.objects.get(external_id="y-1").pk
    assert (refused["status"], refused["response"]) == (400, None)
    assert "11 is outside 0–10" in refused["errors"]["answers"][0]
    assert unnamed["status"] == 201 and unnamed["response"] is not None


def test_a_row_naming_a_customer_is_linked_and_an_unknown_customer_created(
    api, aurora, yearly_survey
):
    Customer.objects.create(organization=aurora, external_id="known", name="Kim")
    payload = {
        "survey": yearly_survey.pk,
        "responses": [_row("y-1", customer="known"), _row("y-2", customer="new")],
    }

    results = api.post(URL, payload, format="json").json()["results"]

    for result, external_id in zip(results, ("known", "new"), strict=True):
        response = Response.objects.get(pk=result["response"])
        assert response.customer.external_id == external_id
        assert response.is_anonymous is False
    assert Customer.objects.get(external_id="known").name == "Kim"  # kept


def test_a_customer_is_never_silently_anonymised(api, aurora, yearly_survey):
    anonymous_survey = Survey.objects.create(
        organization=aurora, name="Pulse", is_anonymous=True, languages=["en"]
    )
    Question.objects.create(
        survey=anonymous_survey, key="nps", position=1, type="nps", text={"en": "?"}
    )
    contradicting = api.post(
        URL,
        {
            "survey": yearly_survey.pk,
            "responses": [
                _row("y-1", customer="c-1", anonymous=True),
                _row("y-2", anonymous=False),
            ],
        },
        format="json",
    )
    into_anonymous = api.post(
        URL,
        {"survey": anonymous_survey.pk, "responses": [_row("p-1", customer="c-1")]},
        format="json",
    )

    assert contradicting.status_code == 400
    errors = contradicting.json()["errors"]["responses"]
    assert "names no customer" in errors["0"]["anonymous"][0]
    assert "names its customer" in errors["1"]["customer"][0]
    assert into_anonymous.status_code == 400
    assert (
        "survey is anonymous"
        in (into_anonymous.json()["errors"]["responses"]["0"]["customer"][0])
    )
    assert not Response.objects.exists()
    assert not Customer.objects.exists()  # nothing upserted for refused rows


def test_a_failure_while_storing_leaves_nothing_half_written(
    aurora, yearly_survey, monkeypatch
):
    def broken(**kwargs: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "responses_segments_snapshot", broken)
    rows = [
        imports.ImportedResponse(
            completed_at=Response._meta.get_field("completed_at").to_python(
                "2025-05-02T10:00:00Z"
            ),
            answers={"nps": 9},
            customer_external_id="c-1",
            external_id="y-1",
        )
    ]

    with pytest.raises(RuntimeError):
        imports.responses_import(organization=aurora, survey=yearly_survey, rows=rows)

    assert not Response.objects.exists()
    assert not Customer.objects.exists()


def test_an_import_racing_another_is_a_409_with_nothing_stored(
    api, yearly_survey, monkeypatch
):
    payload = {"survey": yearly_survey.pk, "responses": [_row("y-1"), _row("y-2")]}
    api.post(
        URL, {"survey": yearly_survey.pk, "responses": [_row("y-2")]}, format="json"
    )
    # The other import commits y-2 between this one's look-up and its insert.
    monkeypatch.setattr(imports, "_stored_before", lambda organization, rows: {})

    response = api.post(URL, payload, format="json")

    assert response.status_code == 409
    assert "retry" in response.json()["detail"]
    assert list(Response.objects.values_list("external_id", flat=True)) == ["y-2"]


def test_the_same_external_id_in_another_organisation_is_another_response(
    api, outsider_api, other_org, yearly_survey
):
    theirs = Survey.objects.create(organization=other_org, name="Y", languages=["en"])
    Question.objects.create(
        survey=theirs, key="nps", position=1, type="nps", text={"en": "?"}
    )

    ours = api.post(
        URL, {"survey": yearly_survey.pk, "responses": [_row("y-1")]}, format="json"
    )
    other = outsider_api.post(
        URL, {"survey": theirs.pk, "responses": [_row("y-1")]}, format="json"
    )

    assert (ours.status_code, other.status_code) == (201, 201)
    assert Response.objects.count() == 2
