"""The event API: the product's front door for integrating systems."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from cx.models import Customer, Event

EVENT = {
    "event_id": "evt-1",
    "type": "chat.ended",
    "occurred_at": "2026-11-20T10:15:00+02:00",
    "customer": {
        "external_id": "c-42",
        "email": "maija@example.com",
        "name": "Maija Meikäläinen",
        "language": "fi",
        "attributes": {"tier": "gold", "customer_value": 150000},
    },
    "properties": {"agent": "Ville", "queue_seconds": 40},
}


def test_event_is_stored_with_customer_and_touchpoint(api, mortgage):
    response = api.post("/api/v1/events/", EVENT, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["event_id"] == "evt-1"
    assert body["customer"]["external_id"] == "c-42"
    assert body["touchpoint"]["name"] == "Advisor chat"
    assert body["touchpoint"]["journey"] == "Mortgage"
    assert body["occurred_at"] == "2026-11-20T08:15:00Z"
    event = Event.objects.get()
    assert event.properties == {"agent": "Ville", "queue_seconds": 40}
    assert event.customer.email == "maija@example.com"
    assert event.customer.language == "fi"


def test_same_event_again_answers_200_with_same_body_and_stores_nothing(api, mortgage):
    first = api.post("/api/v1/events/", EVENT, format="json")
    again = api.post(
        "/api/v1/events/",
        {
            **EVENT,
            "customer": {"external_id": "c-42", "attributes": {"tier": "silver"}},
        },
        format="json",
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Event.objects.count() == 1
    assert Customer.objects.get().attributes["tier"] == "gold"


def test_customer_is_upserted_and_attributes_merged(api, aurora):
    api.post("/api/v1/events/", EVENT, format="json")
    api.post(
        "/api/v1/events/",
        {
            "event_id": "evt-2",
            "type": "mortgage.offer_sent",
            "customer": {
                "external_id": "c-42",
                "attributes": {"tier": "platinum", "kids": 2},
            },
        },
        format="json",
    )

    customer = Customer.objects.get()
    assert customer.attributes == {
        "tier": "platinum",
        "customer_value": 150000,
        "kids": 2,
    }
    assert customer.name == "Maija Meikäläinen"  # an absent name does not blank it
    assert customer.events.count() == 2


def test_unknown_event_type_is_stored_without_touchpoint(api, mortgage):
    response = api.post(
        "/api/v1/events/", {"event_id": "x", "type": "newsletter.opened"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["touchpoint"] is None
    assert response.json()["customer"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**EVENT, "colour": "red"}, "colour"),
        ({**EVENT, "event_id": 12 * [1]}, "event_id"),
        ({**EVENT, "occurred_at": "yesterday"}, "occurred_at"),
        ({**EVENT, "customer": {**EVENT["customer"], "language": "de"}}, "customer"),
        ({**EVENT, "customer": {**EVENT["customer"], "shoe": 42}}, "customer"),
        ({**EVENT, "customer": {"email": "a@b.fi"}}, "customer"),
        ({**EVENT, "properties": [1, 2]}, "properties"),
        ({"type": "chat.ended"}, "event_id"),
    ],
)
def test_bad_event_gets_400_with_field_errors(api, payload, field):
    response = api.post("/api/v1/events/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Event.objects.count() == 0
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"event_id": "x", ', "application/json"),
        (b"\xff\xfe not utf-8", "application/json"),
        (b'{"event_id": NaN}', "application/json"),
        (b"[" * 100 + b"]" * 100, "application/json"),
        (b"[]", "application/json"),
    ],
)
def test_malformed_body_gets_400(api, body, content_type):
    response = api.generic("POST", "/api/v1/events/", body, content_type=content_type)

    assert response.status_code == 400
    assert "detail" in response.json() or "non_field_errors" in response.json()


def test_unknown_content_type_gets_415(api):
    response = api.generic("POST", "/api/v1/events/", b"a=b", content_type="text/plain")

    assert response.status_code == 415


@override_settings(API_MAX_BODY_BYTES=1000)
def test_oversize_body_gets_413(api):
    payload = {**EVENT, "properties": {"blob": "x" * 2000}}

    response = api.post("/api/v1/events/", payload, format="json")

    assert response.status_code == 413
    assert Event.objects.count() == 0


def test_missing_or_wrong_or_revoked_key_gets_401(api, client):
    assert (
        client.post(
            "/api/v1/events/", EVENT, content_type="application/json"
        ).status_code
        == 401
    )
    wrong = client.post(
        "/api/v1/events/",
        EVENT,
        content_type="application/json",
        headers={"authorization": "Bearer cxk_000000000000_nope"},
    )
    assert wrong.status_code == 401

    api.api_key.revoke()
    assert api.post("/api/v1/events/", EVENT, format="json").status_code == 401
    assert Event.objects.count() == 0


def test_events_of_other_organisations_are_separate(api, outsider_api):
    api.post("/api/v1/events/", EVENT, format="json")
    response = outsider_api.post("/api/v1/events/", EVENT, format="json")

    assert response.status_code == 201  # same event id, another tenant: a new event
    assert Event.objects.count() == 2
    assert Customer.objects.count() == 2


def test_batch_answers_each_item(api, mortgage):
    events = [
        {
            "event_id": f"b-{n}",
            "type": "chat.ended",
            "customer": {"external_id": f"c-{n % 3}"},
        }
        for n in range(5)
    ]
    events.append({"event_id": "b-bad", "type": ""})  # rejected
    events.append(events[0])  # duplicate within the batch

    response = api.post("/api/v1/events/batch/", {"events": events}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["duplicates"], body["rejected"]) == (5, 1, 1)
    statuses = [item["status"] for item in body["results"]]
    assert statuses == [201, 201, 201, 201, 201, 400, 200]
    assert "type" in body["results"][5]["errors"]
    assert body["results"][6]["event"] == body["results"][0]["event"]
    assert Event.objects.count() == 5
    assert Customer.objects.count() == 3
    assert all(event.touchpoint.name == "Advisor chat" for event in Event.objects.all())


def test_batch_again_creates_nothing(api, mortgage):
    events = [{"event_id": f"b-{n}", "type": "chat.ended"} for n in range(3)]
    api.post("/api/v1/events/batch/", {"events": events}, format="json")

    again = api.post("/api/v1/events/batch/", {"events": events}, format="json").json()

    assert (again["created"], again["duplicates"]) == (0, 3)
    assert Event.objects.count() == 3


def test_batch_over_the_limit_is_refused_whole(api, settings):
    events = [
        {"event_id": f"b-{n}", "type": "t"} for n in range(settings.EVENT_BATCH_MAX + 1)
    ]

    response = api.post("/api/v1/events/batch/", {"events": events}, format="json")

    assert response.status_code == 400
    assert "events" in response.json()["errors"]
    assert Event.objects.count() == 0


def test_batch_must_be_a_list(api):
    for payload in ({"events": "nope"}, {"events": []}, {}, {"events": [1], "x": 1}):
        response = api.post("/api/v1/events/batch/", payload, format="json")
        assert response.status_code == 400, payload


def test_batch_item_that_is_not_an_object_is_rejected_alone(api):
    response = api.post(
        "/api/v1/events/batch/",
        {"events": [42, {"event_id": "ok", "type": "t"}]},
        format="json",
    )

    body = response.json()
    assert [item["status"] for item in body["results"]] == [400, 201]


def test_event_api_response_is_json(api):
    response = api.post("/api/v1/events/", EVENT, format="json")
    assert response["Content-Type"] == "application/json"
    json.loads(response.content)
