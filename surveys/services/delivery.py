"""Delivery: send each invitation once, retry what can be retried, never lose one.

The invitation row is the work item. A worker *claims* it with a conditional update
(scheduled → sending, only if due); only one claim can win, so duplicate or redelivered
tasks stop there. After sending, the row moves sending → sent. A transient failure
(SMTP 4xx, a refused or lost connection, a timeout) releases the row back to scheduled
with a later ``due_at`` (exponential backoff) and the error noted; a permanent one
(SMTP 5xx) marks it failed with the reason. The periodic sweeper re-dispatches due rows
and rows stuck in *sending* (a worker killed mid-send), so a lost broker message only
delays an email.

The ambiguous case — the server may have accepted the message but the connection was
lost before it said so — is treated as transient: the row is retried and the note says
"ambiguous". At-least-once delivery can therefore, rarely, send a message twice; it
never silently drops one.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from surveys.emails import invitation_message
from surveys.models import Invitation, Response, UndeliverableAddress
from surveys.scheduling import next_allowed

logger = logging.getLogger(__name__)

State = Invitation.State
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 30
STUCK_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 2000


class TransientError(Exception):
    """A failure worth retrying later."""


class PermanentError(Exception):
    """A failure that retrying cannot fix."""


def backoff(attempts: int) -> timedelta:
    """Return the wait before attempt ``attempts + 1``: 30 s, 1 min, 2 min … at most 1 h."""
    return timedelta(seconds=min(3600, BACKOFF_SECONDS * 2 ** max(0, attempts - 1)))


def invitation_claim(*, invitation_id: int) -> bool:
    """Move a due invitation from scheduled to sending; return whether this call won."""
    now = timezone.now()
    return bool(
        Invitation.objects.filter(
            pk=invitation_id, state=State.SCHEDULED, due_at__lte=now
        ).update(state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def invitation_release(*, invitation_id: int, error: str) -> None:
    """Put a claimed invitation back for a later attempt, or fail it after the last one."""
    invitation = Invitation.objects.get(pk=invitation_id)
    if invitation.attempts >= MAX_ATTEMPTS:
        invitation_fail(
            invitation_id=invitation_id,
            reason=f"gave up after {MAX_ATTEMPTS} attempts: {error}",
        )
        return
    Invitation.objects.filter(pk=invitation_id, state=State.SENDING).update(
        state=State.SCHEDULED,
        due_at=timezone.now() + backoff(invitation.attempts),
        last_error=error[:2000],
    )


def invitation_fail(*, invitation_id: int, reason: str) -> None:
    Invitation.objects.filter(pk=invitation_id).exclude(
        state__in=[State.SENT, State.OPENED, State.ANSWERED]
    ).update(state=State.FAILED, last_error=reason[:2000])


def _refusal(invitation: Invitation) -> str | None:
    """Return why the invitation must not be sent any more, or None."""
    customer = invitation.customer
    if customer is not None and customer.opted_out:
        return "customer opted out"
    if UndeliverableAddress.objects.filter(
        organization_id=invitation.organization_id, email__iexact=invitation.email
    ).exists():
        return "address is undeliverable (bounced or complained)"
    if invitation.expires_at <= timezone.now():
        return "link expired before it could be sent"
    return None


def _send(invitation: Invitation, *, reminder: bool) -> None:
    """Send the email; raise TransientError or PermanentError on failure."""
    message = invitation_message(invitation, reminder=reminder)
    try:
        with get_connection() as connection:
            message.connection = connection
            message.send()
    except smtplib.SMTPResponseException as exc:
        text = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
        if 400 <= exc.smtp_code < 500:
            raise TransientError(text) from exc
        raise PermanentError(text) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        codes = {code for code, _ in exc.recipients.values()}
        text = f"recipient refused: {exc.recipients!r}"
        if all(400 <= code < 500 for code in codes):
            raise TransientError(text) from exc
        raise PermanentError(text) from exc
    except smtplib.SMTPServerDisconnected as exc:
        raise TransientError(f"ambiguous: connection lost during send ({exc})") from exc
    except OSError as exc:  # refused, reset, timed out
        raise TransientError(f"connection failed: {exc}") from exc


def invitation_deliver(*, invitation_id: int) -> None:
    """Send a claimed invitation and mark it sent (or failed, or released for retry)."""
    invitation = Invitation.objects.select_related(
        "organization", "survey", "customer", "rule"
    ).get(pk=invitation_id)
    if invitation.state != State.SENDING:
        return
    refusal = _refusal(invitation)
    if refusal:
        state = State.EXPIRED if "expired" in refusal else State.FAILED
        Invitation.objects.filter(pk=invitation_id, state=State.SENDING).update(
            state=state, last_error=refusal
        )
        return
    try:
        _send(invitation, reminder=False)
    except TransientError as exc:
        logger.warning("Invitation %s: transient failure: %s", invitation_id, exc)
        invitation_release(invitation_id=invitation_id, error=str(exc))
        return
    except PermanentError as exc:
        logger.warning("Invitation %s: permanent failure: %s", invitation_id, exc)
        invitation_fail(invitation_id=invitation_id, reason=str(exc))
        return
    now = timezone.now()
    rule = invitation.rule
    next_reminder = (
        now + timedelta(days=rule.reminder_interval_days)
        if rule is not None and rule.reminder_count > 0
        else None
    )
    Invitation.objects.filter(pk=invitation_id, state=State.SENDING).update(
        state=State.SENT, sent_at=now, next_reminder_at=next_reminder, last_error=""
    )


def invitation_send(*, invitation_id: int) -> bool:
    """Claim and deliver one invitation; return whether this call sent it."""
    if not invitation_claim(invitation_id=invitation_id):
        return False  # another worker has it, it is done, or it is not due yet
    invitation_deliver(invitation_id=invitation_id)
    return Invitation.objects.filter(pk=invitation_id, state=State.SENT).exists()


@transaction.atomic
def invitations_sweep() -> dict[str, list[int]]:
    """Find the work a lost message or a dead worker left behind; return it by kind.

    Re-queues invitations stuck in *sending*, expires links past their date, and returns
    the ids of invitations due for sending and of reminders due, for the caller to
    dispatch after commit.
    """
    now = timezone.now()
    stuck = Invitation.objects.filter(
        state=State.SENDING, claimed_at__lt=now - STUCK_AFTER
    )
    requeued = list(stuck.values_list("pk", flat=True)[:SWEEP_BATCH])
    Invitation.objects.filter(pk__in=requeued).update(
        state=State.SCHEDULED,
        last_error="re-queued: the worker sending it did not finish",
    )
    Invitation.objects.filter(
        state__in=[State.SCHEDULED, State.SENT, State.OPENED], expires_at__lte=now
    ).update(state=State.EXPIRED)
    due = list(
        Invitation.objects.filter(state=State.SCHEDULED, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    reminders = list(
        Invitation.objects.filter(
            state__in=[State.SENT, State.OPENED], next_reminder_at__lte=now
        ).values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return {"requeued": requeued, "due": due, "reminders": reminders}


def reminder_send(*, invitation_id: int) -> bool:
    """Send one due reminder if it still makes sense; return whether one was sent.

    Only to invitations not answered and with no partial answer, to customers who have
    not opted out, and outside the rule's quiet hours (otherwise it moves to their end).
    """
    now = timezone.now()
    invitation = (
        Invitation.objects.select_related("organization", "survey", "customer", "rule")
        .filter(
            pk=invitation_id,
            state__in=[State.SENT, State.OPENED],
            next_reminder_at__lte=now,
        )
        .first()
    )
    if invitation is None or invitation.rule is None:
        return False
    rule = invitation.rule
    started = Response.objects.filter(
        invitation=invitation, answers__isnull=False
    ).exists()
    if (
        started
        or _refusal(invitation)
        or invitation.reminders_sent >= rule.reminder_count
    ):
        Invitation.objects.filter(pk=invitation_id).update(next_reminder_at=None)
        return False
    allowed = next_allowed(
        now, invitation.organization.tzinfo, rule.quiet_start, rule.quiet_end
    )
    if allowed > now:
        Invitation.objects.filter(pk=invitation_id).update(next_reminder_at=allowed)
        return False
    following = (
        now + timedelta(days=rule.reminder_interval_days)
        if invitation.reminders_sent + 1 < rule.reminder_count
        else None
    )
    # The claim: only the worker that moves the counter sends this reminder.
    claimed = Invitation.objects.filter(
        Q(pk=invitation_id) & Q(reminders_sent=invitation.reminders_sent)
    ).update(reminders_sent=F("reminders_sent") + 1, next_reminder_at=following)
    if not claimed:
        return False
    try:
        _send(invitation, reminder=True)
    except (TransientError, PermanentError) as exc:
        Invitation.objects.filter(pk=invitation_id).update(
            last_error=f"reminder: {exc}"[:2000]
        )
        return False
    return True
