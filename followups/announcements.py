"""Announcements of a case's changes: the owner's email and the ``followup.*`` webhooks.

An announcement is a row with a state (``followups.models.Announcement``), written in
the transaction that opens, hands over or closes the case, and published after commit
(``cx.publish``). The send claims it (``cx.outbox``) and, in one transaction, marks it
done, stores the webhook deliveries and hands the email to the mail server last: a
mail server that fails rolls the rest back and the row is tried again after a backoff;
a lost message or a dead worker leaves the row to the sweeper. So the owner's email and
the webhook go out once, however many times the message is delivered.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cx.outbox import Outbox
from cx.plugins import plugins
from cx.publish import publish_on_commit
from followups import emails
from followups.models import Announcement, FollowUp
from followups.payloads import followup_payload

logger = logging.getLogger(__name__)

State = Announcement.State
Kind = Announcement.Kind
# What the organisation's webhooks hear of; a handover is internal.
WEBHOOK_EVENTS = (Kind.OPENED, Kind.CLOSED)
# The owner hears of a new case and of one handed to them.
OWNER_EVENTS = (Kind.OPENED, Kind.ASSIGNED)
MAX_ATTEMPTS = 6
# A send takes seconds (one email, a few rows); one claimed longer ago lost its worker.
STUCK_AFTER = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """Return the wait after failed attempt ``attempts``: 30 s, 1 min, 2 min … ≤ 1 h."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


OUTBOX: Outbox[Announcement] = Outbox(
    Announcement,
    max_attempts=MAX_ATTEMPTS,
    backoff=backoff,
    stuck_after=lambda: STUCK_AFTER,
)


def announcement_schedule(*, followup: FollowUp, kind: str) -> Announcement:
    """Store the announcement of ``kind`` with the caller's change; publish it after commit."""
    from followups.tasks import announcement_send_task

    announcement = Announcement.objects.create(
        organization_id=followup.organization_id, followup=followup, kind=kind
    )
    publish_on_commit(announcement_send_task.delay, announcement.pk)
    return announcement


def announcement_send(*, announcement_id: int) -> str:
    """Claim a due announcement and send it; return "done", "retry", "failed" or "skipped".

    A second call for the same announcement finds it claimed or done and does nothing.
    """
    claimed_at = OUTBOX.claim(pk=announcement_id)
    if claimed_at is None:
        return "skipped"
    announcement = Announcement.objects.select_related(
        "followup__organization", "followup__owner", "followup__touchpoint"
    ).get(pk=announcement_id)
    followup = announcement.followup
    try:
        with transaction.atomic():
            marked = (
                OUTBOX.owned(announcement_id, claimed_at)
                .filter(state=State.SENDING)
                .update(state=State.DONE, done_at=timezone.now(), last_error="")
            )
            if not marked:
                return "skipped"  # the sweeper gave it to another worker
            _publish_webhook(followup, announcement.kind)
            if announcement.kind in OWNER_EVENTS:
                message = emails.owner_message(
                    followup, assigned=announcement.kind == Kind.ASSIGNED
                )
                if message is not None:
                    message.send()  # last: a refusal rolls the rows back
    except Exception as exc:  # the mail server or the database: try again later
        logger.warning("Announcement %s failed: %r", announcement_id, exc)
        wait = OUTBOX.release(
            pk=announcement_id, claimed_at=claimed_at, error=repr(exc)
        )
        return "failed" if wait is None else "retry"
    return "done"


def _publish_webhook(followup: FollowUp, kind: str) -> None:
    if kind not in WEBHOOK_EVENTS:
        return
    for receiver in plugins("CX_FOLLOWUP_EVENT_RECEIVERS"):
        receiver(
            organization=followup.organization,
            event_type=kind,
            payload=followup_payload(followup),
        )


def announcements_sweep() -> list[int]:
    """Requeue announcements whose worker died; return the due ones to dispatch."""
    return OUTBOX.sweep()
