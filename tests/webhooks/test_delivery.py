"""Delivery: signed once per attempt, retried with backoff, failed for good on a refusal."""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.webhooks.conftest import signature_is_valid
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import sign, webhook_deliver, webhook_publish
from webhooks.tasks import webhook_deliver_task, webhook_deliveries_sweep_task

State = WebhookDelivery.State


def publish(endpoint: WebhookEndpoint, **data: object) -> WebhookDelivery:
    (delivery,) = webhook_publish(
        organization=endpoint.organization,
        event_type="response.completed",
        payload={"response_id": 1, **data},
    )
    return delivery


def make_due(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())


def test_signature_reproduces_the_standard_webhooks_example():
    assert (
        sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            '{"test": 2432232314}',
        )
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_delivery_posts_json_with_the_three_signature_headers(endpoint, receiver):
    delivery = publish(endpoint)

    result = webhook_deliver(delivery_id=delivery.pk)

    assert result.outcome == "delivered"
    (request,) = receiver.requests
    assert request.path == "/hooks/cx"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == delivery.message_id
    assert delivery.message_id.startswith("msg_")
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
    assert request.headers["webhook-signature"].startswith("v1,")
    assert signature_is_valid(endpoint.secret, request)
    assert not signature_is_valid("whsec_" + "A" * 32, request)
    assert request.json()["type"] == "response.completed"
    assert request.json()["data"] == {"response_id": 1}
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
        State.DELIVERED,
        1,
        200,
    )
    assert delivery.delivered_at is not None


def test_secret_is_whsec_and_24_random_bytes(endpoint):
    import base64

    assert endpoint.secret.startswith("whsec_")
    assert len(base64.b64decode(endpoint.secret.removeprefix("whsec_"))) == 24
    assert WebhookEndpoint(organization=endpoint.organization).secret != endpoint.secret


def test_a_server_error_is_retried_with_backoff_then_delivered(endpoint, receiver):
    receiver.answers = [500]
    delivery = publish(endpoint)

    first = webhook_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert first.outcome == "retry" and first.retry_in == timedelta(seconds=30)
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
        State.SCHEDULED,
        1,
        500,
    )
    assert "HTTP 500" in delivery.last_error
    assert (
        timedelta(seconds=25)
        < delivery.due_at - timezone.now()
        <= timedelta(seconds=30)
    )
    assert webhook_deliver(delivery_id=delivery.pk).outcome == "skipped"  # not due

    make_due(delivery)
    assert webhook_deliver(delivery_id=delivery.pk).outcome == "delivered"

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
        State.DELIVERED,
        2,
        200,
    )
    assert delivery.last_error == ""
    first_id, second_id = (r.headers["webhook-id"] for r in receiver.requests)
    assert first_id == second_id == delivery.message_id
    assert all(signature_is_valid(endpoint.secret, r) for r in receiver.requests)


def test_backoff_is_30s_2min_10min_1h_6h_then_it_fails(endpoint, receiver):
    receiver.answers = [503] * 6
    delivery = publish(endpoint)
    waits = []

    for _ in range(6):
        make_due(delivery)
        waits.append(webhook_deliver(delivery_id=delivery.pk).retry_in)

    assert waits == [
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=10),
        timedelta(hours=1),
        timedelta(hours=6),
        None,
    ]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.FAILED, 6)
    assert delivery.last_error.startswith("gave up after 6 attempts: HTTP 503")
    assert len(receiver.requests) == 6


def test_a_client_error_fails_for_good_with_its_code_and_answer(endpoint, receiver):
    receiver.answers = [400]
    delivery = publish(endpoint)

    assert webhook_deliver(delivery_id=delivery.pk).outcome == "failed"

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
        State.FAILED,
        1,
        400,
    )
    assert delivery.last_error.startswith('HTTP 400: {"status": 400')
    assert len(delivery.last_error) <= services.ERROR_CHARS  # the answer is trimmed
    make_due(delivery)
    assert webhook_deliver(delivery_id=delivery.pk).outcome == "skipped"
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("status", [408, 429, 502])
def test_timeouts_throttling_and_gateway_errors_are_retried(endpoint, receiver, status):
    receiver.answers = [status]
    delivery = publish(endpoint)

    assert webhook_deliver(delivery_id=delivery.pk).outcome == "retry"

    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_status_code) == (State.SCHEDULED, status)


def test_a_receiver_that_hangs_is_given_up_on_and_retried(
    endpoint, receiver, monkeypatch
):
    monkeypatch.setattr(services, "TIMEOUT_SECONDS", 0.3)
    receiver.answers = ["hang"]
    delivery = publish(endpoint)

    started = time.monotonic()
    result = webhook_deliver(delivery_id=delivery.pk)

    assert time.monotonic() - started < 3
    assert result.outcome == "retry"
    delivery.refresh_from_db()
    assert delivery.state == State.SCHEDULED
    assert delivery.last_status_code is None
    assert "timed out" in delivery.last_error or "Timeout" in delivery.last_error


def test_a_refused_connection_is_retried(aurora):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    endpoint = WebhookEndpoint.objects.create(
        organization=aurora,
        url=f"http://127.0.0.1:{port}/",
        event_types=["response.completed"],
    )
    delivery = publish(endpoint)

    assert webhook_deliver(delivery_id=delivery.pk).outcome == "retry"

    delivery.refresh_from_db()
    assert delivery.state == State.SCHEDULED
    assert delivery.last_error.startswith("connection failed: ")


def test_a_deactivated_endpoint_gets_nothing(endpoint, receiver):
    delivery = publish(endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)

    assert webhook_deliver(delivery_id=delivery.pk).outcome == "failed"
    assert receiver.requests == []
    assert publish_nothing(endpoint) == []


def publish_nothing(endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    return webhook_publish(
        organization=endpoint.organization,
        event_type="response.completed",
        payload={},
    )


def test_only_subscribed_active_endpoints_of_the_organisation_get_the_event(
    endpoint, other_org, receiver
):
    WebhookEndpoint.objects.create(
        organization=endpoint.organization,
        url=receiver.url,
        event_types=["followup.opened"],
    )
    WebhookEndpoint.objects.create(
        organization=other_org, url=receiver.url, event_types=["response.completed"]
    )

    deliveries = webhook_publish(
        organization=endpoint.organization,
        event_type="response.completed",
        payload={},
    )

    assert [d.endpoint for d in deliveries] == [endpoint]
    with pytest.raises(ValueError):
        webhook_publish(
            organization=endpoint.organization, event_type="nope", payload={}
        )


def test_publishing_dispatches_after_commit_and_a_duplicate_task_delivers_once(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        delivery = publish(endpoint)
        assert receiver.requests == []  # nothing leaves before the commit

    assert len(callbacks) == 1
    webhook_deliver_task.delay(delivery.pk)
    webhook_deliver_task(delivery.pk)

    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.DELIVERED, 1)


def test_free_text_travels_as_plain_json_data(endpoint, receiver):
    text = '<script>alert("hi")</script> & {{ 7*7 }} \u00e5\u00e4\u00f6 \U0001f600'
    delivery = publish(endpoint, text=text)

    webhook_deliver(delivery_id=delivery.pk)

    (request,) = receiver.requests
    assert request.json()["data"]["text"] == text
    assert b"<script>" in request.body and b"&lt;" not in request.body
    assert "åäö".encode() in request.body  # UTF-8, not \u escapes
    assert request.headers["content-type"] == "application/json"


def test_the_sweeper_requeues_stuck_rows_and_returns_what_is_due(endpoint, receiver):
    now = timezone.now()
    stuck, busy, fresh, waiting, retry_due, hopeless = (
        publish(endpoint) for _ in range(6)
    )
    WebhookDelivery.objects.filter(pk=stuck.pk).update(
        state=State.SENDING, attempts=1, claimed_at=now - timedelta(minutes=11)
    )
    WebhookDelivery.objects.filter(pk=busy.pk).update(
        state=State.SENDING, attempts=1, claimed_at=now - timedelta(minutes=1)
    )
    WebhookDelivery.objects.filter(pk=waiting.pk).update(
        attempts=1, due_at=now + timedelta(minutes=2)
    )
    WebhookDelivery.objects.filter(pk=retry_due.pk).update(
        attempts=2, due_at=now - timedelta(seconds=1)
    )
    WebhookDelivery.objects.filter(pk=hopeless.pk).update(
        state=State.SENDING, attempts=6, claimed_at=now - timedelta(hours=1)
    )

    due = services.webhook_deliveries_sweep()

    assert sorted(due) == sorted([stuck.pk, retry_due.pk])  # fresh is its own task's
    states = dict(WebhookDelivery.objects.values_list("pk", "state"))
    assert states[stuck.pk] == State.SCHEDULED
    assert states[busy.pk] == State.SENDING
    assert states[hopeless.pk] == State.FAILED
    assert "re-queued" in WebhookDelivery.objects.get(pk=stuck.pk).last_error

    webhook_deliveries_sweep_task()

    assert len(receiver.requests) == 2
    assert WebhookDelivery.objects.get(pk=stuck.pk).state == State.DELIVERED
    assert WebhookDelivery.objects.get(pk=fresh.pk).state == State.SCHEDULED


def test_a_slow_worker_that_lost_its_row_cannot_overwrite_it(endpoint, receiver):
    delivery = publish(endpoint)
    claimed_at = services.webhook_claim(delivery_id=delivery.pk)
    assert claimed_at is not None
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claimed_at=claimed_at - timedelta(minutes=11)
    )
    services.webhook_deliveries_sweep()  # the sweeper takes the row back
    assert webhook_deliver(delivery_id=delivery.pk).outcome == "delivered"

    delivery.attempts = 1
    services._release(delivery, claimed_at, 500, "the old worker's late answer")

    assert WebhookDelivery.objects.get(pk=delivery.pk).state == State.DELIVERED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_let_exactly_one_worker_send(aurora, receiver):
    endpoint = WebhookEndpoint.objects.create(
        organization=aurora, url=receiver.url, event_types=["response.completed"]
    )
    delivery = WebhookDelivery.objects.create(  # not published: no task of its own
        endpoint=endpoint,
        organization=aurora,
        event_type="response.completed",
        payload={},
        due_at=timezone.now(),
    )
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            start.wait()
            outcomes.append(webhook_deliver(delivery_id=delivery.pk).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(outcomes) == ["delivered"] + ["skipped"] * 7
    assert len(receiver.requests) == 1
