"""Outbound webhooks: publish an event once per endpoint, deliver it signed, never lose it.

The delivery row is the work item and its state the truth; a Celery message only says
"look at row N now". ``webhook_publish`` writes one row per subscribed endpoint inside
the caller's transaction and dispatches them after commit, so an event whose
transaction rolls back is never sent. A worker *claims* a due row with a conditional
update (scheduled → sending, stamping ``claimed_at``, counting the attempt); only one
claim can win, so a duplicate or redelivered task stops there. Every later write names
the claim time, so a worker too slow to finish before the sweeper took its row back
cannot overwrite what the next one recorded.

The request follows the Standard Webhooks specification (https://www.standardwebhooks.com):
headers ``webhook-id`` (the message id, the same on every attempt, for the receiver to
deduplicate by), ``webhook-timestamp`` (unix seconds of this attempt) and
``webhook-signature`` (``v1,`` and the base64 HMAC-SHA256 of ``{id}.{timestamp}.{body}``
keyed with the base64-decoded part of the ``whsec_`` secret). The body is the JSON
envelope the spec recommends: ``{"type": …, "timestamp": …, "data": {…}}``. Redirects are
not followed: a signed body must not be handed on to an address nobody configured.

Outcomes of an attempt:

* 2xx: *delivered*;
* 4xx other than 408 and 429: *failed* for good, with the code and the start of the answer
  (the receiver refuses this request; sending it again would not change its mind);
* 5xx, 408, 429, other codes, refused or timed-out connections: back to *scheduled*, due
  again after 30 s, 2 min, 10 min, 1 h, 6 h; the sixth failed attempt fails the delivery.

Delivery is at least once: a worker that dies after the receiver answered but before the
row was updated leaves it *sending*, and the sweeper sends it again after ten minutes
with the same ``webhook-id``.

Event payloads (the envelope's ``data``):

``response.completed`` (see ``webhooks.receivers``)::

    {"response_id": 12, "survey": {"id": 3, "name": "Chat satisfaction"},
     "touchpoint": {"id": 5, "name": "Advisor chat"} | null,
     "journey": {"id": 2, "name": "Mortgage"} | null,
     "process": {"id": 1, "name": "Lending"} | null,
     "customer": {"external_id": "c-1"} | null,        # null when anonymous
     "language": "fi", "completed_at": "2025-05-01T12:00:00.123Z",
     "answers": [{"question": "csat", "type": "csat", "number": 4, "choices": [],
                  "text": ""}, …],
     "segments": ["valuable"]}

``followup.opened`` and ``followup.closed``: the case as ``followups.payloads.followup_payload``
returns it, published by the follow-up app (``followups.announcements.announcement_send``)::

    webhook_publish(organization=followup.organization,
                    event_type="followup.opened",           # or "followup.closed"
                    payload=followup_payload(followup))
    # data: {"id": 7, "state": "open", "reason": "detractor", "response_id": 12,
    #        "customer_external_id": "c-1" | null,
    #        "touchpoint": {"id", "name"} | null, "journey": …, "process": …,
    #        "owner": "aino" | null, "opened_at": ISO, "due_at": ISO,
    #        "closed_at": ISO | null, "root_cause": "…" | null,
    #        "action_taken": "…" | null, "recovery_survey_sent": false,
    #        "recovered": null}

Publish inside the transaction that changes the case when there is one: the deliveries
then commit with it. Publishing twice makes two deliveries with different message ids,
so the caller publishes each change once.

Datetimes, decimals and UUIDs may be passed as Python objects: the payload is encoded
with Django's JSON encoder (datetimes as ISO 8601) when the delivery is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cx.models import Organization
from cx.outbox import ERROR_CHARS, Outbox
from cx.publish import publish_on_commit
from webhooks.models import SECRET_PREFIX, EventType, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

State = WebhookDelivery.State
# The wait after failed attempt n is BACKOFF[n - 1]; the attempt after the last fails.
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT_SECONDS = 10.0
# A row claimed longer ago than this lost its worker (the request itself times out in
# seconds): the sweeper puts it back.
STUCK_AFTER = timedelta(minutes=10)
# Retries sooner than this are re-published with a countdown; later ones wait for the
# sweeper, so that no message sits long in the broker.
COUNTDOWN_LIMIT = timedelta(seconds=60)
RETRYABLE_4XX = frozenset({408, 429})
ANSWER_BYTES = 2048  # of the receiver's answer, read and kept for the log
USER_AGENT = "CX-Feedback-Webhooks/1.0"


@dataclass(frozen=True)
class DeliveryResult:
    """What one delivery attempt did; ``retry_in`` is set when it will be tried again."""

    outcome: str  # delivered | retry | failed | skipped
    detail: str = ""
    retry_in: timedelta | None = None


def backoff(attempts: int) -> timedelta | None:
    """Return the wait after failed attempt ``attempts``, or None when it was the last."""
    if 1 <= attempts <= len(BACKOFF):
        return BACKOFF[attempts - 1]
    return None


def _retry_wait(attempts: int) -> timedelta:
    return backoff(attempts) or BACKOFF[-1]


OUTBOX: Outbox[WebhookDelivery] = Outbox(
    WebhookDelivery,
    max_attempts=MAX_ATTEMPTS,
    backoff=_retry_wait,
    stuck_after=lambda: STUCK_AFTER,
)


def sign(secret: str, message_id: str, timestamp: int, body: bytes | str) -> str:
    """Return the ``webhook-signature`` value of a message (Standard Webhooks, v1)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    raw = body.encode() if isinstance(body, str) else body
    content = f"{message_id}.{timestamp}.".encode() + raw
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def webhook_subscribers(
    *, organization: Organization | int, event_type: str
) -> list[WebhookEndpoint]:
    """Return the organisation's active endpoints subscribed to ``event_type``.

    Filtered in Python: an organisation has a handful of endpoints, and SQLite cannot
    look inside a JSON list.
    """
    endpoints = WebhookEndpoint.objects.for_organization(organization).filter(
        active=True
    )
    return [endpoint for endpoint in endpoints if endpoint.wants(event_type)]


@transaction.atomic
def webhook_publish(
    *, organization: Organization | int, event_type: str, payload: dict[str, Any]
) -> list[WebhookDelivery]:
    """Store one delivery of the event per subscribed endpoint; send them after commit."""
    if event_type not in EventType.values:
        raise ValueError(f"Unknown webhook event type {event_type!r}")
    endpoints = webhook_subscribers(organization=organization, event_type=event_type)
    if not endpoints:
        return []
    now = timezone.now()
    envelope = {"type": event_type, "timestamp": now, "data": payload}
    body = json.loads(json.dumps(envelope, cls=DjangoJSONEncoder))
    deliveries = [
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            organization_id=endpoint.organization_id,
            event_type=event_type,
            payload=body,
            due_at=now,
        )
        for endpoint in endpoints
    ]
    publish_on_commit(webhooks_dispatch, [d.pk for d in deliveries])
    return deliveries


def webhooks_dispatch(delivery_ids: Sequence[int]) -> None:
    """Hand deliveries to Celery (through ``publish_on_commit``: a broker down only delays)."""
    from webhooks.tasks import webhook_deliver_task

    for delivery_id in delivery_ids:
        webhook_deliver_task.delay(delivery_id)


def _owned(delivery_id: int, claimed_at: datetime) -> QuerySet[WebhookDelivery]:
    return OUTBOX.owned(delivery_id, claimed_at).filter(state=State.SENDING)


def webhook_claim(*, delivery_id: int) -> datetime | None:
    """Move a due delivery from scheduled to sending; return the claim time if won."""
    return OUTBOX.claim(pk=delivery_id)


def webhook_deliver(*, delivery_id: int) -> DeliveryResult:
    """Claim a due delivery, POST it and record how it went; a second call does nothing."""
    claimed_at = webhook_claim(delivery_id=delivery_id)
    if claimed_at is None:
        return DeliveryResult("skipped", "not due, or another worker has it, or done")
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:  # its endpoint was deleted a moment ago, and the log with it
        return DeliveryResult("skipped", "the delivery no longer exists")
    endpoint = delivery.endpoint
    if not endpoint.active:
        return _fail(delivery, claimed_at, None, "the endpoint is not active")
    try:
        status, answer = _post(
            endpoint.url,
            secret=endpoint.secret,
            message_id=delivery.message_id,
            payload=delivery.payload,
        )
    except (http.client.InvalidURL, UnicodeError) as exc:
        return _fail(delivery, claimed_at, None, f"the URL cannot be used: {exc}")
    except (OSError, http.client.HTTPException) as exc:
        logger.info("Webhook %s: connection failed: %r", delivery_id, exc)
        return _release(delivery, claimed_at, None, f"connection failed: {exc!r}")
    except Exception as exc:
        # A bug, not the receiver: note it on the row, let the task fail loudly.
        _release(delivery, claimed_at, None, f"unexpected error: {exc!r}")
        raise
    said = f"HTTP {status}: {answer}".strip()
    if 200 <= status < 300:
        _owned(delivery_id, claimed_at).update(
            state=State.DELIVERED,
            delivered_at=timezone.now(),
            last_status_code=status,
            last_error="",
        )
        return DeliveryResult("delivered", said)
    if 400 <= status < 500 and status not in RETRYABLE_4XX:
        return _fail(delivery, claimed_at, status, said)
    return _release(delivery, claimed_at, status, said)


def _post(url: str, *, secret: str, message_id: str, payload: Any) -> tuple[int, str]:
    """POST ``payload`` signed to ``url``; return the status and the answer's start."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    connection_class = (
        http.client.HTTPSConnection if secure else http.client.HTTPConnection
    )
    # The port is always given: http.client would read "::1" as host ":" port 1.
    connection = connection_class(
        parts.hostname or "",
        parts.port or (443 if secure else 80),
        timeout=TIMEOUT_SECONDS,
    )
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read(ANSWER_BYTES).decode("utf-8", "replace")
    finally:
        connection.close()


def _fail(
    delivery: WebhookDelivery,
    claimed_at: datetime,
    status: int | None,
    error: str,
) -> DeliveryResult:
    """Fail a claimed delivery for good, noting why."""
    logger.warning("Webhook %s failed: %s", delivery.pk, error[:200])
    _owned(delivery.pk, claimed_at).update(
        state=State.FAILED, last_status_code=status, last_error=error[:ERROR_CHARS]
    )
    return DeliveryResult("failed", error)


def _release(
    delivery: WebhookDelivery,
    claimed_at: datetime,
    status: int | None,
    error: str,
) -> DeliveryResult:
    """Put a claimed delivery back for a later attempt, or fail it after the last one."""
    wait = OUTBOX.release(
        pk=delivery.pk, claimed_at=claimed_at, error=error, last_status_code=status
    )
    if wait is None and delivery.attempts < MAX_ATTEMPTS:
        return DeliveryResult("skipped", "the claim was lost")
    if wait is None:
        logger.warning("Webhook %s failed: %s", delivery.pk, error[:200])
        return DeliveryResult(
            "failed", f"gave up after {delivery.attempts} attempts: {error}"
        )
    return DeliveryResult("retry", error, retry_in=wait)


def webhook_deliveries_sweep() -> list[int]:
    """Find the work a lost message, a backoff or a dead worker left; return due ids.

    Rows stuck in *sending* longer than STUCK_AFTER go back to *scheduled* (or fail,
    when out of attempts); then the scheduled rows that are due are returned, oldest
    first and at most ``cx.outbox.SWEEP_BATCH``, for the caller to dispatch.
    """
    return OUTBOX.sweep()


@transaction.atomic
def webhook_deliveries_retry(*, deliveries: QuerySet[WebhookDelivery]) -> list[int]:
    """Give failed deliveries to active endpoints a fresh start; return their ids.

    The message id stays, so a receiver that did get an earlier attempt can tell.
    """
    ids = list(
        deliveries.filter(state=State.FAILED, endpoint__active=True).values_list(
            "pk", flat=True
        )
    )
    WebhookDelivery.objects.filter(pk__in=ids, state=State.FAILED).update(
        state=State.SCHEDULED,
        due_at=timezone.now(),
        attempts=0,
        claimed_at=None,
        last_error="re-queued by hand",
    )
    if ids:
        publish_on_commit(webhooks_dispatch, ids)
    return ids
