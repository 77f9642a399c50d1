"""Delivery: send each invitation once, retry what can be retried, never lose one.

The invitation row is the work item and its state the truth; Celery messages only say
"look at row N now". A worker *claims* a due row with a conditional update (scheduled →
sending, stamping ``claimed_at``, counting the attempt); only one claim can win, so a
duplicate or redelivered task stops there. The claim time is the worker's ownership:
every later write names it, so a worker that was too slow and lost its row to the sweeper
cannot touch it any more.

The row moves sending → sent in a transaction that commits right after the last byte of
the message is handed to the mail server (see ``surveys.transport``): killed before, the
row stays *sending* with nothing delivered and the sweeper sends it again; killed after,
it is *sent* and delivered.

Failures:

* transient (SMTP 4xx, a refused, lost or timed-out connection): the row goes back to
  *scheduled* with ``due_at`` pushed out by exponential backoff (30 s, 1 min, 2 min … at
  most 1 h) and the error noted in ``last_error``; after MAX_ATTEMPTS it fails;
* permanent (SMTP 5xx): *failed*, with the server's reason;
* **ambiguous** — the message went out whole but the connection dropped before the
  server answered. Decided: it counts as **sent** and is not retried, and ``last_error``
  says "ambiguous: …". The server had the complete message, and servers that received
  one almost always accept it; a survey sent twice annoys the customer and skews the
  response rate, while one that never arrived costs one answer. This is the same rule
  as for a worker killed after the hand-off.

The periodic sweeper (Celery beat, every CX_SWEEP_SECONDS) re-dispatches due rows that
nobody is sending (a lost broker message, a long delay, a retry's backoff), puts rows
stuck in *sending* for longer than CX_SENDING_TIMEOUT back to *scheduled* (their worker
died before the hand-off), expires links past ``expires_at`` and dispatches due
reminders. Long waits are therefore rows with a ``due_at``, never long broker ETAs.

The claim, owner token, backoff and sweep are ``cx.outbox``'s, shared with webhooks;
reminders are ``surveys.services.reminders``, provider reports
``surveys.services.tracking``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from cx import outbox
from cx.outbox import Outbox
from surveys import transport
from surveys.emails import invitation_message
from surveys.models import Invitation, Survey, UndeliverableAddress
from surveys.services.privacy import addresses_masked
from surveys.transport import AmbiguousError, PermanentError, TransientError

logger = logging.getLogger(__name__)

State = Invitation.State
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 30
# Retries sooner than this are re-published with a countdown; later ones wait for the
# sweeper, so that no message sits long in the broker (see the visibility timeout).
COUNTDOWN_LIMIT = timedelta(seconds=60)
SWEEP_BATCH = outbox.SWEEP_BATCH
# How many invitations one send task takes: enough to share a mail connection and the
# queries that load them, few enough that several workers share a burst.
SEND_BATCH = 20
AMBIGUOUS = "ambiguous: "


class Abandoned(Exception):
    """The claimed row is no longer this worker's (the sweeper gave it to another)."""


@dataclass(frozen=True)
class SendResult:
    """What one send attempt did; ``retry_in`` is set when it will be tried again."""

    outcome: str  # sent | ambiguous | retry | failed | refused | skipped
    detail: str = ""
    retry_in: timedelta | None = None


def backoff(attempts: int) -> timedelta:
    """Return the wait after failed attempt ``attempts``: 30 s, 1 min, 2 min … ≤ 1 h."""
    return timedelta(seconds=min(3600, BACKOFF_SECONDS * 2 ** max(0, attempts - 1)))


def _stuck_after() -> timedelta:
    return timedelta(seconds=settings.CX_SENDING_TIMEOUT)


OUTBOX: Outbox[Invitation] = Outbox(
    Invitation,
    max_attempts=MAX_ATTEMPTS,
    backoff=backoff,
    stuck_after=_stuck_after,
    batch=SWEEP_BATCH,
)
_owned = OUTBOX.owned


def invitation_claim(*, invitation_id: int) -> datetime | None:
    """Move a due invitation from scheduled to sending; return the claim time if won."""
    return OUTBOX.claim(pk=invitation_id)


def invitation_release(
    *, invitation_id: int, claimed_at: datetime, error: str
) -> timedelta | None:
    """Put a claimed invitation back for a later attempt; return the wait.

    After the last attempt it fails instead, and None is returned. A row the hand-off
    marked sent before the mail server refused it goes back too.
    """
    return OUTBOX.release(
        pk=invitation_id,
        claimed_at=claimed_at,
        error=error,
        states=[State.SENDING, State.SENT],
        sent_at=None,
        next_reminder_at=None,
    )


def invitation_fail(*, invitation_id: int, claimed_at: datetime, reason: str) -> None:
    """Mark a claimed invitation failed for good, with the reason."""
    _owned(invitation_id, claimed_at).filter(
        state__in=[State.SENDING, State.SENT]
    ).update(
        state=State.FAILED,
        sent_at=None,
        next_reminder_at=None,
        last_error=reason[:2000],
    )


def invitation_refusal(
    invitation: Invitation, undeliverable: set[str] | None = None
) -> str | None:
    """Return why the invitation must not be sent any more, or None.

    ``undeliverable``: the lower-cased undeliverable addresses among a batch's, when the
    caller looked them up for the whole batch at once.
    """
    customer = invitation.customer
    if customer is not None and customer.opted_out:
        return "customer opted out"
    if (
        invitation.email.lower() in undeliverable
        if undeliverable is not None
        else UndeliverableAddress.objects.filter(
            organization_id=invitation.organization_id,
            email__iexact=invitation.email,
        ).exists()
    ):
        return "address is undeliverable (bounced or complained)"
    if invitation.expires_at <= timezone.now():
        return "link expired before it could be sent"
    return None


def _undeliverable(invitations: list[Invitation]) -> set[str]:
    """Return which of the invitations' addresses are undeliverable, lower-cased."""
    wanted: dict[int, set[str]] = {}
    for invitation in invitations:
        wanted.setdefault(invitation.organization_id, set()).add(
            invitation.email.lower()
        )
    found: set[str] = set()
    for organization_id, emails in wanted.items():
        found.update(
            UndeliverableAddress.objects.filter(organization_id=organization_id)
            .annotate(address=Lower("email"))
            .filter(address__in=emails)
            .values_list("address", flat=True)
        )
    return found


def with_relations() -> QuerySet[Invitation]:
    return Invitation.objects.select_related(
        "organization", "survey", "customer", "rule"
    )


def invitation_send(*, invitation_id: int) -> SendResult:
    """Claim and deliver one invitation; a second call for it does nothing."""
    return invitations_send(invitation_ids=[invitation_id])[invitation_id]


def invitations_send(*, invitation_ids: Sequence[int]) -> dict[int, SendResult]:
    """Claim and deliver each due invitation of ``invitation_ids``, one by one.

    The batch only shares work: one query loads the rows, one looks up undeliverable
    addresses, and the messages go over one mail connection. Each row is still claimed,
    handed over and recorded on its own, so a worker killed halfway leaves the rows it
    sent *sent* and the others claimable (or, the one it was sending, to the sweeper).
    """
    skipped = SendResult("skipped", "not due, or another worker has it, or done")
    results = dict.fromkeys(invitation_ids, skipped)
    candidates = list(
        with_relations().filter(
            pk__in=invitation_ids, state=State.SCHEDULED, due_at__lte=timezone.now()
        )
    )
    undeliverable = _undeliverable(candidates)
    surveys: dict[int, Survey] = {}
    for invitation in candidates:
        # One Survey object per survey, so that its first question is looked up once.
        invitation.survey = surveys.setdefault(invitation.survey_id, invitation.survey)
        claimed_at = invitation_claim(invitation_id=invitation.pk)
        if claimed_at is None:
            continue
        invitation.state, invitation.claimed_at = State.SENDING, claimed_at
        results[invitation.pk] = _deliver(invitation, claimed_at, undeliverable)
    return results


def invitation_deliver(*, invitation_id: int, claimed_at: datetime) -> SendResult:
    """Send an invitation this worker has claimed and record how it went."""
    invitation = (
        with_relations()
        .filter(pk=invitation_id, state=State.SENDING, claimed_at=claimed_at)
        .first()
    )
    if invitation is None:
        return SendResult("skipped", "the claim was lost")
    return _deliver(invitation, claimed_at)


def _deliver(
    invitation: Invitation,
    claimed_at: datetime,
    undeliverable: set[str] | None = None,
) -> SendResult:
    invitation_id = invitation.pk
    refusal = invitation_refusal(invitation, undeliverable)
    if refusal:
        state = State.EXPIRED if "expired" in refusal else State.FAILED
        _owned(invitation_id, claimed_at).filter(state=State.SENDING).update(
            state=state, last_error=refusal
        )
        return SendResult("refused", refusal)
    rule = invitation.rule
    reminder_days = (
        rule.reminder_interval_days
        if rule is not None and rule.reminder_count
        else None
    )

    @contextmanager
    def handoff() -> Iterator[None]:
        with transaction.atomic():
            now = timezone.now()
            moved = (
                _owned(invitation_id, claimed_at)
                .filter(state=State.SENDING)
                .update(
                    state=State.SENT,
                    sent_at=now,
                    next_reminder_at=(
                        now + timedelta(days=reminder_days) if reminder_days else None
                    ),
                    last_error="",
                )
            )
            if not moved:
                raise Abandoned
            yield

    try:
        transport.send(invitation_message(invitation), handoff=handoff)
    except Abandoned:
        return SendResult("skipped", "the claim was lost")
    except AmbiguousError as exc:
        logger.warning("Invitation %s: %s", invitation_id, addresses_masked(exc.reason))
        _owned(invitation_id, claimed_at).update(
            last_error=(AMBIGUOUS + exc.reason)[:2000]
        )
        return SendResult("ambiguous", exc.reason)
    except TransientError as exc:
        logger.warning(
            "Invitation %s: transient failure: %s",
            invitation_id,
            addresses_masked(exc),
        )
        wait = invitation_release(
            invitation_id=invitation_id, claimed_at=claimed_at, error=exc.reason
        )
        if wait is None:
            return SendResult("failed", exc.reason)
        return SendResult("retry", exc.reason, retry_in=wait)
    except PermanentError as exc:
        logger.warning(
            "Invitation %s: permanent failure: %s",
            invitation_id,
            addresses_masked(exc),
        )
        invitation_fail(
            invitation_id=invitation_id, claimed_at=claimed_at, reason=exc.reason
        )
        return SendResult("failed", exc.reason)
    except Exception as exc:
        # A bug, not the mail server: note it on the row, let the task fail loudly.
        invitation_release(
            invitation_id=invitation_id,
            claimed_at=claimed_at,
            error=f"unexpected error: {exc!r}",
        )
        raise
    return SendResult("sent")


def invitations_sweep() -> dict[str, list[int]]:
    """Find the work a lost message or a dead worker left behind; return it by kind.

    Re-queues invitations stuck in *sending* (failing those out of attempts), expires
    links past their date, and returns the ids of invitations due for sending and of
    reminders due, for the caller to dispatch (each at most SWEEP_BATCH).
    """
    now = timezone.now()
    requeued = OUTBOX.requeue_stuck(now=now)
    Invitation.objects.filter(
        state__in=[State.SCHEDULED, State.SENT, State.OPENED], expires_at__lte=now
    ).update(state=State.EXPIRED, next_reminder_at=None)
    reminders = list(
        Invitation.objects.filter(
            state__in=[State.SENT, State.OPENED], next_reminder_at__lte=now
        )
        .order_by("next_reminder_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return {"requeued": requeued, "due": OUTBOX.due(now=now), "reminders": reminders}


def invitations_requeue(*, invitations: QuerySet[Invitation]) -> list[int]:
    """Give failed invitations a fresh start; return the ids to dispatch."""
    failed = invitations.filter(state=State.FAILED)
    ids = list(failed.values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=ids, state=State.FAILED).update(
        state=State.SCHEDULED,
        due_at=timezone.now(),
        attempts=0,
        claimed_at=None,
        last_error="re-queued by staff",
    )
    return ids
