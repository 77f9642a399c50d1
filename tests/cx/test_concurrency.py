"""Idempotency under concurrent retries rests on the database, not on luck."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cx.models import Customer, Event
from cx.services.organizations import api_key_create, organization_create

CLIENTS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_event_posted_20_times_concurrently_is_stored_once():
    organization = organization_create(slug="race", name="Race Oy")
    key = api_key_create(organization=organization).secret_key
    event = {
        "event_id": "evt-race",
        "type": "chat.ended",
        "customer": {"external_id": "c-1", "attributes": {"tier": "gold"}},
    }
    start = threading.Barrier(CLIENTS)
    statuses: list[int] = []
    bodies: list[dict] = []
    lock = threading.Lock()

    def post() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        try:
            start.wait()
            response = client.post("/api/v1/events/", event, format="json")
            with lock:
                statuses.append(response.status_code)
                bodies.append(response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] * (CLIENTS - 1) + [201]
    assert Event.objects.filter(event_id="evt-race").count() == 1
    assert Customer.objects.filter(external_id="c-1").count() == 1
    assert all(body == bodies[0] for body in bodies)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_sharing_customers_lose_no_attribute():
    organization = organization_create(slug="merge", name="Merge Oy")
    key = api_key_create(organization=organization).secret_key
    workers = 8
    start = threading.Barrier(workers)
    statuses: list[int] = []

    def post(worker: int) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        events = [
            {
                "event_id": f"w{worker}-{n}",
                "type": "web.loan_pages_viewed",
                "customer": {
                    "external_id": f"c-{n}",
                    "attributes": {f"seen_by_{worker}": True},
                },
            }
            for n in range(50)
        ]
        try:
            start.wait()
            response = client.post(
                "/api/v1/events/batch/", {"events": events}, format="json"
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [200] * workers
    assert Event.objects.count() == workers * 50
    for customer in Customer.objects.all():
        assert set(customer.attributes) == {f"seen_by_{w}" for w in range(workers)}
