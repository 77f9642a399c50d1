"""The admin: endpoints with their secret masked, the delivery log, a retry action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_publish


@pytest.fixture
def aino_client(client, aino):
    client.login(username="aino", password="pw-aino")
    return client


@pytest.fixture
def both_orgs(aurora, other_org):
    ours = WebhookEndpoint.objects.create(
        organization=aurora,
        url="https://crm.aurora.example/",
        event_types=["response.completed"],
    )
    theirs = WebhookEndpoint.objects.create(
        organization=other_org,
        url="https://erp.other.example/",
        event_types=["response.completed"],
    )
    for organization in (aurora, other_org):
        webhook_publish(
            organization=organization, event_type="response.completed", payload={}
        )
    return ours, theirs


def test_endpoints_show_only_ours_with_the_secret_masked(aino_client, both_orgs):
    ours, theirs = both_orgs

    listing = aino_client.get(reverse("admin:webhooks_webhookendpoint_changelist"))
    page = aino_client.get(
        reverse("admin:webhooks_webhookendpoint_change", args=[ours.pk])
    )

    assert b"crm.aurora.example" in listing.content
    assert b"erp.other.example" not in listing.content
    assert page.status_code == 200
    assert ours.secret not in page.content.decode()
    assert ours.secret[-4:] in page.content.decode()
    other = aino_client.get(
        reverse("admin:webhooks_webhookendpoint_change", args=[theirs.pk])
    )
    assert other.status_code in (302, 403, 404)


def test_adding_an_endpoint_shows_its_secret_once(aino_client, aurora):
    added = aino_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {
            "organization": aurora.pk,
            "url": "https://crm.aurora.example/",
            "description": "",
            "event_types": ["response.completed", "followup.closed"],
            "active": "on",
        },
        follow=True,
    )

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["response.completed", "followup.closed"]
    assert endpoint.secret in added.content.decode()
    again = aino_client.get(
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
    )
    assert endpoint.secret not in again.content.decode()


def test_deliveries_filter_search_and_retry(aino_client, both_orgs):
    ours = WebhookDelivery.objects.get(endpoint=both_orgs[0])
    theirs = WebhookDelivery.objects.get(endpoint=both_orgs[1])
    WebhookDelivery.objects.update(state="failed", attempts=6)
    url = reverse("admin:webhooks_webhookdelivery_changelist")

    listing = aino_client.get(url, {"state__exact": "failed"})
    found = aino_client.get(url, {"q": ours.message_id})

    assert ours.message_id.encode() in listing.content
    assert theirs.message_id.encode() not in listing.content
    assert ours.message_id.encode() in found.content
    assert (
        aino_client.get(url, {"event_type__exact": "followup.opened"}).status_code
        == 200
    )
    aino_client.post(
        url, {"action": "retry_failed", "_selected_action": [ours.pk, theirs.pk]}
    )
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.state, ours.attempts) == ("scheduled", 0)
    assert theirs.state == "failed"
