"""The follow-ups API: a CRM reads a case, assigns it, notes, starts and closes it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cx.audit.models import AuditEntry
from cx.roles import Scope
from cx.services.organizations import api_key_create
from followups.models import CaseActivity, FollowUp


@pytest.fixture
def case(answered) -> FollowUp:
    """Customer c-1 was dissatisfied and not helped: a case opened."""
    answered(1, csat="2", resolved="0")
    return FollowUp.objects.get()


@pytest.fixture
def read_only_api(aurora) -> APIClient:
    client = APIClient()
    issued = api_key_create(organization=aurora, scopes=[Scope.READ])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret_key}")
    return client


def test_a_case_reads_with_the_answers_as_asked_and_links(api, case):
    listed = api.get("/api/v1/followups/").json()["results"]
    read = api.get(f"/api/v1/followups/{case.pk}/")

    assert [row["id"] for row in listed] == [case.pk]
    body = read.json()
    assert body["state"] == "open" and body["customer"] == "c-1"
    assert body["links"]["customer"] == "/api/v1/customers/c-1/"
    assert body["links"]["response"] == f"/api/v1/responses/{case.response_id}/"
    shown = {answer["key"]: answer for answer in body["answers"]}
    assert shown["csat"]["question"] == "Kuinka tyytyväinen olit?"  # asked in Finnish
    assert shown["csat"]["value"] == "2 / 5" and shown["csat"]["category"] == "low"
    assert [a["kind"] for a in body["activities"]] == ["opened"]
    assert AuditEntry.objects.filter(subject="followup", subject_id=case.pk).exists()


def test_assign_note_start_and_close_make_one_history(api, aino, case):
    assigned = api.patch(
        f"/api/v1/followups/{case.pk}/",
        {"owner": aino.pk, "note": "Called, no answer."},
        format="json",
    )
    started = api.post(f"/api/v1/followups/{case.pk}/start/")
    closed = api.post(
        f"/api/v1/followups/{case.pk}/close/",
        {"root_cause": "system", "action_taken": "Fixed the chat."},
        format="json",
    )

    assert assigned.status_code == 200
    assert assigned.json()["owner"]["email"] == "aino@aurora.example"
    assert started.json()["state"] == "in_progress"
    assert closed.status_code == 200
    assert closed.json()["state"] == "closed"
    assert closed.json()["root_cause"] == "system"
    history = list(
        CaseActivity.objects.filter(followup=case).values_list("kind", "text")
    )
    assert history == [
        ("opened", ""),
        ("assigned", ""),
        ("noted", "Called, no answer."),
        ("started", ""),
        ("closed", "Fixed the chat."),
    ]


def test_closing_without_a_root_cause_is_a_400_and_changes_nothing(api, case):
    refused = api.post(
        f"/api/v1/followups/{case.pk}/close/",
        {"action_taken": "Fixed it."},
        format="json",
    )

    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert "root_cause" in refused.json()["errors"]
    case.refresh_from_db()
    assert case.state == FollowUp.State.OPEN


def test_closing_twice_and_assigning_a_stranger_are_400(api, olli, case):
    close = {"root_cause": "people", "action_taken": "Apologised."}
    api.post(f"/api/v1/followups/{case.pk}/close/", close, format="json")

    again = api.post(f"/api/v1/followups/{case.pk}/close/", close, format="json")
    stranger = api.patch(
        f"/api/v1/followups/{case.pk}/", {"owner": olli.pk}, format="json"
    )

    assert again.status_code == 400 and "state" in again.json()["errors"]
    assert stranger.status_code == 400 and "owner" in stranger.json()["errors"]


def test_a_recovery_survey_without_one_in_the_policy_is_a_400(api, case):
    refused = api.post(
        f"/api/v1/followups/{case.pk}/close/",
        {
            "root_cause": "system",
            "action_taken": "Fixed.",
            "send_recovery_survey": True,
        },
        format="json",
    )

    assert refused.status_code == 400
    assert "send_recovery_survey" in refused.json()["errors"]


def test_filters_find_the_case_by_state_customer_and_overdue(api, case):
    def ids(query: str) -> list[int]:
        return [
            row["id"]
            for row in api.get(f"/api/v1/followups/?{query}").json()["results"]
        ]

    assert ids("state=unresolved") == [case.pk]
    assert ids("state=closed") == []
    assert ids("customer=c-1") == [case.pk]
    assert ids("customer=c-2") == []
    assert ids("overdue=true") == []
    assert ids(f"touchpoint={case.touchpoint_id}") == [case.pk]
    assert ids(f"journey={case.journey_id + 1000}") == []


@pytest.mark.parametrize("name", ["journey", "touchpoint", "owner"])
@pytest.mark.parametrize("value", ["9.223372036854776e+18", str(2**63), "1.5", "0"])
def test_an_id_filter_no_database_id_can_be_is_a_400_not_a_500(api, case, name, value):
    refused = api.get("/api/v1/followups/", {name: value})

    assert refused.status_code == 400
    assert name in refused.json()["errors"]


def test_another_organisation_gets_404_and_a_read_only_key_403(
    outsider_api, read_only_api, case
):
    assert outsider_api.get(f"/api/v1/followups/{case.pk}/").status_code == 404
    assert outsider_api.post(f"/api/v1/followups/{case.pk}/start/").status_code == 404
    assert outsider_api.get("/api/v1/followups/").json()["results"] == []
    assert read_only_api.get(f"/api/v1/followups/{case.pk}/").status_code == 200
    forbidden = read_only_api.post(f"/api/v1/followups/{case.pk}/start/")
    assert forbidden.status_code == 403
    assert forbidden.json()["status"] == 403
    case.refresh_from_db()
    assert case.state == FollowUp.State.OPEN
