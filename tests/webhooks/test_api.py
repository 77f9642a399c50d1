"""The webhook API: endpoints with a secret shown once, a delivery log, Aurora's only."""

from __future__ import annotations

import pytest

from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_publish

ENDPOINTS = "/api/v1/webhook-endpoints/"
DELIVERIES = "/api/v1/webhook-deliveries/"
CRM = {
    "url": "https://crm.aurora.example/hooks/cx",
    "description": "CRM",
    "event_types": ["response.completed", "followup.opened"],
}


def test_create_shows_the_secret_once(api):
    created = api.post(ENDPOINTS, CRM, format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert body["secret"] == WebhookEndpoint.objects.get().secret
    assert body["active"] is True
    assert body["event_types"] == CRM["event_types"]
    listed = api.get(ENDPOINTS).json()["results"]
    detail = api.get(f"{ENDPOINTS}{body['id']}/").json()
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0] and "secret" not in detail
    assert body["secret"] not in api.get(ENDPOINTS).content.decode()


def test_a_client_cannot_choose_the_secret(api):
    created = api.post(ENDPOINTS, {**CRM, "secret": "whsec_mine"}, format="json")

    assert created.status_code == 400
    assert "secret" in created.json()["errors"]


def test_update_and_delete(api):
    endpoint_id = api.post(ENDPOINTS, CRM, format="json").json()["id"]
    secret = WebhookEndpoint.objects.get().secret

    changed = api.patch(
        f"{ENDPOINTS}{endpoint_id}/",
        {"active": False, "event_types": ["followup.closed", "followup.closed"]},
        format="json",
    )

    assert changed.status_code == 200, changed.json()
    assert changed.json()["event_types"] == ["followup.closed"]
    assert "secret" not in changed.json()
    assert WebhookEndpoint.objects.get().secret == secret
    assert api.get(ENDPOINTS, {"active": "false"}).json()["results"]
    assert api.delete(f"{ENDPOINTS}{endpoint_id}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://crm.aurora.example/hooks",
        "http://10.0.0.5/hooks",
        "ftp://crm.aurora.example/",
        "https://user:pw@crm.aurora.example/",
        "not a url",
    ],
)
def test_https_is_required_for_other_than_local_addresses(api, url):
    refused = api.post(ENDPOINTS, {**CRM, "url": url}, format="json")

    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["url"]
    assert not WebhookEndpoint.objects.exists()


def test_plain_http_to_localhost_only_while_developing_or_testing(api, settings):
    local = {**CRM, "url": "http://localhost:8080/hooks"}
    assert api.post(ENDPOINTS, local, format="json").status_code == 201

    settings.DEBUG = settings.TESTING = False
    refused = api.post(ENDPOINTS, local, format="json")

    assert refused.status_code == 400
    assert "https" in refused.json()["errors"]["url"][0]


@pytest.mark.parametrize(
    "event_types", [[], ["response.deleted"], "response.completed", None]
)
def test_event_types_must_be_known(api, event_types):
    refused = api.post(ENDPOINTS, {**CRM, "event_types": event_types}, format="json")

    assert refused.status_code == 400
    assert "event_types" in refused.json()["errors"]


@pytest.fixture
def deliveries(api, aurora):
    """Two endpoints of Aurora's with one delivery each: one failed, one delivered."""
    crm = WebhookEndpoint.objects.create(
        organization=aurora, url=CRM["url"], event_types=["response.completed"]
    )
    desk = WebhookEndpoint.objects.create(
        organization=aurora,
        url="https://desk.aurora.example/",
        event_types=["followup.opened"],
    )
    (failed,) = webhook_publish(
        organization=aurora, event_type="response.completed", payload={"n": 1}
    )
    (delivered,) = webhook_publish(
        organization=aurora, event_type="followup.opened", payload={"n": 2}
    )
    WebhookDelivery.objects.filter(pk=failed.pk).update(
        state="failed", attempts=1, last_status_code=400, last_error="HTTP 400: no"
    )
    WebhookDelivery.objects.filter(pk=delivered.pk).update(
        state="delivered", attempts=1, last_status_code=200, delivered_at=failed.due_at
    )
    return {"crm": crm, "desk": desk, "failed": failed, "delivered": delivered}


def ids(page) -> list[int]:
    assert page.status_code == 200, page.json()
    return [delivery["id"] for delivery in page.json()["results"]]


def test_the_delivery_log_filters_by_endpoint_state_and_event_type(api, deliveries):
    failed, delivered = deliveries["failed"], deliveries["delivered"]

    assert ids(api.get(DELIVERIES)) == [delivered.pk, failed.pk]
    assert ids(api.get(DELIVERIES, {"state": "failed"})) == [failed.pk]
    assert ids(api.get(DELIVERIES, {"event_type": "followup.opened"})) == [delivered.pk]
    assert ids(api.get(DELIVERIES, {"endpoint": deliveries["crm"].pk})) == [failed.pk]
    detail = api.get(f"{DELIVERIES}{failed.pk}/").json()
    assert detail["message_id"] == failed.message_id
    assert detail["payload"]["data"] == {"n": 1}
    assert (detail["last_status_code"], detail["last_error"]) == (400, "HTTP 400: no")
    assert api.post(DELIVERIES, {}, format="json").status_code == 405
    assert api.delete(f"{DELIVERIES}{failed.pk}/").status_code == 405


def test_retry_sends_a_failed_delivery_again(
    api, deliveries, django_capture_on_commit_callbacks, monkeypatch
):
    sent: list[int] = []
    monkeypatch.setattr(
        "webhooks.tasks.webhook_deliver_task.delay", lambda pk: sent.append(pk)
    )
    failed = deliveries["failed"]

    with django_capture_on_commit_callbacks(execute=True):
        retried = api.post(f"{DELIVERIES}{failed.pk}/retry/")

    assert retried.status_code == 202, retried.json()
    assert (retried.json()["state"], retried.json()["attempts"]) == ("scheduled", 0)
    assert retried.json()["message_id"] == failed.message_id
    assert sent == [failed.pk]
    again = api.post(f"{DELIVERIES}{deliveries['delivered'].pk}/retry/")
    assert again.status_code == 409
    assert "failed" in again.json()["detail"]


def test_another_organisations_key_sees_nothing(api, outsider_api, deliveries):
    crm, failed = deliveries["crm"], deliveries["failed"]

    assert outsider_api.get(ENDPOINTS).json()["results"] == []
    assert outsider_api.get(DELIVERIES).json()["results"] == []
    assert outsider_api.get(f"{ENDPOINTS}{crm.pk}/").status_code == 404
    assert (
        outsider_api.patch(
            f"{ENDPOINTS}{crm.pk}/", {"active": False}, format="json"
        ).status_code
        == 404
    )
    assert outsider_api.delete(f"{ENDPOINTS}{crm.pk}/").status_code == 404
    assert outsider_api.get(f"{DELIVERIES}{failed.pk}/").status_code == 404
    assert outsider_api.post(f"{DELIVERIES}{failed.pk}/retry/").status_code == 404
    assert outsider_api.get(DELIVERIES, {"endpoint": crm.pk}).status_code == 400
    assert WebhookEndpoint.objects.get(pk=crm.pk).active
    assert WebhookDelivery.objects.get(pk=failed.pk).state == "failed"


def test_the_api_needs_a_key(client):
    assert client.get(ENDPOINTS).status_code == 401
    assert client.get(DELIVERIES).status_code == 401
