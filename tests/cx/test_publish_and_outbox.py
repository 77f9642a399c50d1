"""Publishing after commit and the outbox every kind of outgoing work shares."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cx.outbox import SWEEP_BATCH
from cx.publish import publish_on_commit
from surveys.services import delivery
from webhooks import services as webhooks
from webhooks.models import WebhookDelivery, WebhookEndpoint


def test_a_broker_that_is_down_is_logged_and_never_raised_into_the_caller(
    db, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*ids: int) -> None:
        raise ConnectionRefusedError("broker down")

    with (
        caplog.at_level(logging.WARNING, logger="cx.publish"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        publish_on_commit(broker_down, 7)

    assert len(callbacks) == 1
    assert "the sweeper will find the rows" in caplog.text
    assert "(7,)" in caplog.text


def test_nothing_is_published_for_a_transaction_that_rolls_back(
    db, django_capture_on_commit_callbacks
):
    published: list[int] = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            publish_on_commit(published.append, 1)
            raise RuntimeError("the caller fails")
        publish_on_commit(published.append, 2)

    assert published == [2]
    assert len(callbacks) == 1


@pytest.fixture
def crm(aurora) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        organization=aurora,
        url="http://127.0.0.1:9/hooks",
        event_types=["response.completed"],
    )


def stuck_deliveries(endpoint: WebhookEndpoint, count: int) -> list[int]:
    long_ago = timezone.now() - timedelta(hours=1)
    ids = [
        webhooks.webhook_publish(
            organization=endpoint.organization,
            event_type="response.completed",
            payload={"response_id": n},
        )[0].pk
        for n in range(count)
    ]
    WebhookDelivery.objects.filter(pk__in=ids).update(
        state=WebhookDelivery.State.SENDING, claimed_at=long_ago, attempts=1
    )
    return ids


def test_both_sweepers_cap_their_batch_of_stuck_rows(crm, monkeypatch):
    ids = stuck_deliveries(crm, 3)
    # The invitations' sweeper is the same outbox with the same cap.
    assert delivery.OUTBOX.batch == webhooks.OUTBOX.batch == SWEEP_BATCH
    assert type(delivery.OUTBOX) is type(webhooks.OUTBOX)
    monkeypatch.setattr(
        webhooks, "OUTBOX", dataclasses.replace(webhooks.OUTBOX, batch=2)
    )

    first = webhooks.webhook_deliveries_sweep()
    still_stuck = WebhookDelivery.objects.filter(state=WebhookDelivery.State.SENDING)
    assert still_stuck.count() == 1  # requeued: at most the batch
    WebhookDelivery.objects.filter(pk__in=first).update(
        state=WebhookDelivery.State.DELIVERED, delivered_at=timezone.now()
    )
    second = webhooks.webhook_deliveries_sweep()

    assert len(first) == 2  # due: at most the batch
    assert sorted([*first, *second]) == sorted(ids)  # the next sweep takes the rest


def test_a_claim_is_won_once_and_its_time_is_the_owner_token(crm):
    (row,) = webhooks.webhook_publish(
        organization=crm.organization, event_type="response.completed", payload={}
    )
    outbox = webhooks.OUTBOX

    claimed_at = outbox.claim(pk=row.pk)
    again = outbox.claim(pk=row.pk)
    WebhookDelivery.objects.filter(pk=row.pk).update(
        claimed_at=timezone.now() + timedelta(seconds=1)  # another worker's claim
    )
    assert claimed_at is not None
    late = outbox.release(pk=row.pk, claimed_at=claimed_at, error="late")

    assert again is None
    assert late is None
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == ("sending", 1, "")


def test_release_backs_off_then_fails_after_the_last_attempt(crm):
    (row,) = webhooks.webhook_publish(
        organization=crm.organization, event_type="response.completed", payload={}
    )
    outbox = webhooks.OUTBOX
    waits = []
    for _attempt in range(outbox.max_attempts):
        WebhookDelivery.objects.filter(pk=row.pk).update(due_at=timezone.now())
        claimed_at = outbox.claim(pk=row.pk)
        assert claimed_at is not None
        waits.append(outbox.release(pk=row.pk, claimed_at=claimed_at, error="503"))

    row.refresh_from_db()
    assert waits[:-1] == list(webhooks.BACKOFF)
    assert waits[-1] is None
    assert row.state == "failed"
    assert row.last_error == f"gave up after {outbox.max_attempts} attempts: 503"
