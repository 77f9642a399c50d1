"""An organisation set up through the API alone (docs/api_setup_example.py), and the
own-channel invitation its event makes, answered through the link the API returned."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from cx.audit.models import AuditEntry
from cx.models import Journey, Membership, Organization, Role
from cx.roles import Scope
from cx.services.organizations import api_key_create
from followups.models import FollowUpPolicy
from insights.models import MetricTarget
from surveys.models import ContactPolicy, Invitation, Response, Survey

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "api_setup_example.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_setup_example", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def owner_api(aurora: Organization, aino: Any) -> APIClient:
    """Aurora's onboarding script: a key with the owner scope (aino owns Aurora)."""
    client = APIClient()
    issued = api_key_create(organization=aurora, scopes=[Scope.OWNER])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret_key}")
    return client


def _call(client: APIClient) -> Any:
    def call(method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        answer = getattr(client, method.lower())(f"/api/v1/{path}", body, format="json")
        return answer.status_code, answer.json() if answer.content else None

    return call


def test_the_script_sets_up_an_organisation_and_its_event_invites(
    owner_api, aurora, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = _script().set_up(_call(owner_api))

    manager = Membership.objects.get(organization=aurora, role=Role.CX_MANAGER)
    assert manager.user.email == "cx.manager@example.com"
    journey = Journey.objects.get(organization=aurora)
    assert journey.owner_id == manager.user_id
    assert made["journey"]["owner_email"] == "cx.manager@example.com"
    assert {t["owner"] for t in made["touchpoints"]} == {manager.user_id}
    targets = dict(
        MetricTarget.objects.filter(organization=aurora).values_list("metric", "value")
    )
    assert targets == {"nps": 40.0, "csat": 85.0}
    assert (
        ContactPolicy.objects.get(organization=aurora).min_days_between_invitations
        == 30
    )
    policy = FollowUpPolicy.objects.get(organization=aurora)
    assert (policy.sla_hours, policy.keywords) == (24, ["cancel"])
    survey = Survey.objects.get(organization=aurora)
    assert made["public_link"]["url"].endswith(f"/p/{survey.public_token}/")
    (invited,) = made["event"]["invitations"]
    assert invited["channel"] == "own" and invited["link"]
    assert AuditEntry.objects.filter(
        organization=aurora, subject="membership", channel="api"
    ).exists()


def test_an_own_channel_link_is_shown_once_sends_no_email_and_answers_like_an_email(
    owner_api, aurora, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = _script().set_up(_call(owner_api))
    (invited,) = made["event"]["invitations"]
    link = urlsplit(invited["link"]).path

    page = Client().get(link)
    done = Client().post(link, {"question": "csat", "answer": "2"})

    assert mail.outbox == []  # the caller delivers it; the product sends nothing
    assert page.status_code == 200 and done.status_code == 302
    response = Response.objects.get(invitation_id=invited["id"])
    assert response.state == Response.State.COMPLETED
    assert response.channel == "own"
    read = owner_api.get(f"/api/v1/responses/{response.pk}/").json()
    assert read["channel"] == "own"
    again = owner_api.get(f"/api/v1/invitations/{invited['id']}/").json()
    assert again["channel"] == "own" and "link" not in again
    retried = owner_api.post(
        "/api/v1/events/",
        {"event_id": "chat-0001", "type": "chat.ended",
         "customer": {"external_id": "c-0001"}},
        format="json",
    )  # fmt: skip
    assert retried.status_code == 200
    assert [i.get("link") for i in retried.json()["invitations"]] == [None]


def test_a_single_request_makes_an_own_channel_invitation(owner_api, aurora):
    _script().set_up(_call(owner_api))
    survey = Survey.objects.get(organization=aurora)

    made = owner_api.post(
        "/api/v1/invitations/",
        {"survey": survey.pk, "customer": "c-0001"},
        format="json",
    )
    unknown = owner_api.post(
        "/api/v1/invitations/",
        {"survey": survey.pk, "customer": "nobody"},
        format="json",
    )

    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["channel"] == "own" and body["state"] == "sent"
    assert Client().get(urlsplit(body["link"]).path).status_code == 200
    assert Invitation.objects.get(pk=body["id"]).email == ""
    assert unknown.status_code == 400 and "customer" in unknown.json()["errors"]
