"""Trigger rules, invitations and suppressions in the API and the admin, per tenant."""

from __future__ import annotations

import pytest
from django.urls import reverse

from surveys.models import (
    ContactPolicy,
    Invitation,
    Response,
    Suppression,
    Survey,
    TriggerRule,
    UndeliverableAddress,
)
from tests.surveys.conftest import chat_event


def test_trigger_rule_crud_and_validation(api, chat_survey, mortgage):
    chat = mortgage.touchpoints.get(name="Advisor chat")
    created = api.post(
        "/api/v1/trigger-rules/",
        {
            "name": "Chat",
            "survey": chat_survey.pk,
            "touchpoint": chat.pk,
            "sampling_percent": 50,
        },
        format="json",
    )
    no_target = api.post(
        "/api/v1/trigger-rules/",
        {"name": "Nowhere", "survey": chat_survey.pk},
        format="json",
    )
    half_quiet = api.post(
        "/api/v1/trigger-rules/",
        {
            "name": "Q",
            "survey": chat_survey.pk,
            "event_type": "x",
            "quiet_start": "21:00",
        },
        format="json",
    )
    too_much = api.post(
        "/api/v1/trigger-rules/",
        {
            "name": "S",
            "survey": chat_survey.pk,
            "event_type": "x",
            "sampling_percent": 101,
        },
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert no_target.status_code == 400 and "touchpoint" in no_target.json()["errors"]
    assert half_quiet.status_code == 400 and "quiet_end" in half_quiet.json()["errors"]
    assert (
        too_much.status_code == 400 and "sampling_percent" in too_much.json()["errors"]
    )
    rule_url = f"/api/v1/trigger-rules/{created.json()['id']}/"
    assert (
        api.patch(rule_url, {"is_active": False}, format="json").json()["is_active"]
        is False
    )


def test_invitations_and_suppressions_are_listed_with_filters(api, chat_rule):
    api.post("/api/v1/events/", chat_event(1), format="json")
    api.post("/api/v1/events/", chat_event(2, email=""), format="json")

    invitations = api.get("/api/v1/invitations/", {"customer": "c-1"}).json()["results"]
    suppressions = api.get(
        "/api/v1/suppressions/", {"survey": chat_rule.survey_id}
    ).json()

    assert [i["customer"] for i in invitations] == ["c-1"]
    assert invitations[0]["state"] == "scheduled"
    assert [(s["customer"], s["reason"]) for s in suppressions["results"]] == [
        ("c-2", "no_email")
    ]
    assert api.get("/api/v1/invitations/", {"customer": "c-2"}).json()["results"] == []
    assert (
        api.get("/api/v1/suppressions/", {"reason": "opted_out"}).json()["results"]
        == []
    )
    # Invitations are made by rules; the one POST is an own-channel invitation, which
    # names its survey and customer (tests/surveys/test_own_channel.py).
    refused = api.post("/api/v1/invitations/", {}, format="json")
    assert refused.status_code == 400
    assert {"survey", "customer"} <= set(refused.json()["errors"])
    assert api.delete("/api/v1/invitations/", format="json").status_code == 405


def test_other_tenants_see_none_of_it(api, outsider_api, chat_rule):
    api.post("/api/v1/events/", chat_event(1), format="json")
    api.post("/api/v1/events/", chat_event(2, email=""), format="json")
    invitation = Invitation.objects.get()

    assert outsider_api.get("/api/v1/invitations/").json()["results"] == []
    assert outsider_api.get("/api/v1/suppressions/").json()["results"] == []
    assert outsider_api.get(f"/api/v1/invitations/{invitation.pk}/").status_code == 404
    assert outsider_api.get(f"/api/v1/trigger-rules/{chat_rule.pk}/").status_code == 404
    stolen = outsider_api.post(
        "/api/v1/trigger-rules/",
        {"name": "Mine", "survey": chat_rule.survey_id, "event_type": "x"},
        format="json",
    )
    assert stolen.status_code == 400 and "survey" in stolen.json()["errors"]


@pytest.mark.parametrize(
    "model",
    [
        TriggerRule,
        Suppression,
        ContactPolicy,
        Invitation,
        UndeliverableAddress,
        Survey,
        Response,
    ],
)
def test_survey_admin_pages_render_for_a_member(client, aino, api, chat_rule, model):
    api.post("/api/v1/events/", chat_event(1), format="json")
    api.post("/api/v1/events/", chat_event(2, email=""), format="json")
    client.login(username="aino", password="pw-aino")
    opts = model._meta

    page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    assert page.status_code == 200


def test_suppression_admin_shows_the_reason_to_the_member_only(
    client, aino, olli, api, chat_rule
):
    api.post("/api/v1/events/", chat_event(2, email=""), format="json")
    url = reverse("admin:surveys_suppression_changelist")

    client.login(username="aino", password="pw-aino")
    assert b"(chat-2)" in client.get(url).content
    client.logout()
    client.login(username="olli", password="pw-olli")
    assert b"(chat-2)" not in client.get(url).content
