"""Reminders: one more email to a customer who was invited and has not answered.

A reminder is due when its invitation's ``next_reminder_at`` passes (the sweeper in
``surveys.services.delivery`` finds it); the hand-off moves the reminder counter
conditionally, so that it is sent at most once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from surveys import transport
from surveys.emails import invitation_message
from surveys.models import Invitation, Response
from surveys.scheduling import next_allowed
from surveys.services.delivery import (
    AMBIGUOUS,
    Abandoned,
    SendResult,
    invitation_refusal,
    with_relations,
)
from surveys.transport import AmbiguousError, PermanentError, TransientError

State = Invitation.State
REMINDER_RETRY = timedelta(minutes=15)


def reminder_send(*, invitation_id: int) -> SendResult:
    """Send one due reminder if it still makes sense.

    Only to invitations sent or opened and not answered, with no partial answer, to
    customers who have not opted out or bounced, outside the rule's quiet hours
    (inside them it moves to their end). Sent at most once: the reminder counter moves
    in the hand-off transaction, conditionally on its old value.
    """
    now = timezone.now()
    invitation = (
        with_relations()
        .filter(
            pk=invitation_id,
            state__in=[State.SENT, State.OPENED],
            next_reminder_at__lte=now,
        )
        .first()
    )
    if invitation is None or invitation.rule is None:
        return SendResult("skipped", "no reminder due")
    rule = invitation.rule
    count = invitation.reminders_sent
    this = Invitation.objects.filter(pk=invitation_id, reminders_sent=count)
    started = Response.objects.filter(
        invitation=invitation, answers__isnull=False
    ).exists()
    refusal = invitation_refusal(invitation)
    if started or refusal or count >= rule.reminder_count:
        this.update(next_reminder_at=None)
        return SendResult("refused", "answer started" if started else refusal or "")
    allowed = next_allowed(
        now, invitation.organization.tzinfo, rule.quiet_start, rule.quiet_end
    )
    if allowed > now:
        this.update(next_reminder_at=allowed)
        return SendResult("skipped", "quiet hours")
    following = (
        now + timedelta(days=rule.reminder_interval_days)
        if count + 1 < rule.reminder_count
        else None
    )

    @contextmanager
    def handoff() -> Iterator[None]:
        with transaction.atomic():
            moved = this.filter(
                state__in=[State.SENT, State.OPENED], next_reminder_at__lte=now
            ).update(reminders_sent=count + 1, next_reminder_at=following)
            if not moved:
                raise Abandoned
            yield

    def taken_back(error: str, retry: bool) -> None:
        Invitation.objects.filter(pk=invitation_id, reminders_sent=count + 1).update(
            reminders_sent=count,
            next_reminder_at=timezone.now() + REMINDER_RETRY if retry else None,
            last_error=f"reminder: {error}"[:2000],
        )

    try:
        transport.send(invitation_message(invitation, reminder=True), handoff=handoff)
    except Abandoned:
        return SendResult("skipped", "another worker sent it")
    except AmbiguousError as exc:
        Invitation.objects.filter(pk=invitation_id).update(
            last_error=f"reminder: {AMBIGUOUS}{exc.reason}"[:2000]
        )
        return SendResult("ambiguous", exc.reason)
    except TransientError as exc:
        if exc.after_handoff:
            taken_back(exc.reason, retry=True)
        else:
            this.update(
                next_reminder_at=timezone.now() + REMINDER_RETRY,
                last_error=f"reminder: {exc.reason}"[:2000],
            )
        return SendResult("retry", exc.reason, retry_in=REMINDER_RETRY)
    except PermanentError as exc:
        if exc.after_handoff:
            taken_back(exc.reason, retry=False)
        else:
            this.update(
                next_reminder_at=None, last_error=f"reminder: {exc.reason}"[:2000]
            )
        return SendResult("failed", exc.reason)
    return SendResult("sent")
