"""The outbox: rows with a state that workers claim, retry with backoff and sweep.

Every kind of outgoing work (invitations, webhook deliveries, follow-up announcements,
assessments) is a row whose state is the truth; a Celery message only says "look at
row N now". One :class:`Outbox` per kind holds the mechanism they share:

* **claim**: a conditional update *scheduled → sending* of a due row, stamping
  ``claimed_at`` and counting the attempt; only one worker can win it, so a duplicate or
  redelivered message stops there;
* **owner token**: the claim time. Every later write names it (:meth:`Outbox.owned`), so
  a worker too slow to finish before the sweeper took its row back changes nothing;
* **backoff**: a failed attempt puts the row back with ``due_at`` pushed out, or fails it
  once it is out of attempts (:meth:`Outbox.release`);
* **requeue stuck** and **batch cap**: the sweeper puts rows claimed longer ago than the
  stuck timeout back (their worker died) and returns the due rows, at most ``batch`` of
  each, for its task to dispatch (:meth:`Outbox.sweep`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import F, QuerySet
from django.utils import timezone

RowT = TypeVar("RowT", bound=models.Model)

# A sweep dispatches at most this many rows of each kind; the next sweep takes the rest.
SWEEP_BATCH = 5000
# The publisher dispatches a fresh row itself; the sweeper leaves it to that message.
FRESH = timedelta(seconds=10)
ERROR_CHARS = 2000


@dataclass(frozen=True)
class Outbox(Generic[RowT]):
    """The claim, retry and sweep of one kind of work row.

    The model has ``state`` (or ``state_field``), ``due_at``, ``claimed_at``,
    ``attempts``, ``last_error`` (or ``error_field``) and ``created_at``.
    """

    model: type[RowT]
    max_attempts: int
    backoff: Callable[[int], timedelta]
    stuck_after: Callable[[], timedelta]
    scheduled: str = "scheduled"
    sending: str = "sending"
    failed: str = "failed"
    state_field: str = "state"
    error_field: str = "last_error"
    batch: int = SWEEP_BATCH

    def _rows(self) -> QuerySet[RowT]:
        return self.model._default_manager.all()

    def _state(self, value: str) -> dict[str, Any]:
        return {self.state_field: value}

    def _error(self, text: str) -> dict[str, Any]:
        return {self.error_field: text[:ERROR_CHARS]}

    def claim(self, *, pk: int) -> datetime | None:
        """Move a due row from scheduled to sending; return the claim time if won."""
        now = timezone.now()
        won = (
            self._rows()
            .filter(pk=pk, due_at__lte=now, **self._state(self.scheduled))
            .update(
                claimed_at=now, attempts=F("attempts") + 1, **self._state(self.sending)
            )
        )
        return now if won else None

    def owned(self, pk: int, claimed_at: datetime) -> QuerySet[RowT]:
        """Return the row while it is still this claim's (the claim time is its token)."""
        return self._rows().filter(pk=pk, claimed_at=claimed_at)

    def release(
        self,
        *,
        pk: int,
        claimed_at: datetime,
        error: str,
        states: Iterable[str] | None = None,
        **fields: Any,
    ) -> timedelta | None:
        """Put a claimed row back for a later attempt; return the wait.

        After the last attempt it fails instead, and None is returned. ``states``: the
        states the row may be released from (sending unless told); ``fields``: more
        columns to set either way.
        """
        owned = self.owned(pk, claimed_at).filter(
            **{f"{self.state_field}__in": list(states or [self.sending])}
        )
        attempts = owned.values_list("attempts", flat=True).first()
        if attempts is None:
            return None
        if attempts >= self.max_attempts:
            owned.update(
                **self._state(self.failed),
                **self._error(f"gave up after {attempts} attempts: {error}"),
                **fields,
            )
            return None
        wait = self.backoff(attempts)
        owned.update(
            due_at=timezone.now() + wait,
            **self._state(self.scheduled),
            **self._error(error),
            **fields,
        )
        return wait

    def requeue_stuck(self, *, now: datetime) -> list[int]:
        """Put rows whose worker died back to scheduled (failing those out of attempts).

        Returns the ids put back, at most ``batch``.
        """
        stuck = self._rows().filter(
            claimed_at__lt=now - self.stuck_after(), **self._state(self.sending)
        )
        stuck.filter(attempts__gte=self.max_attempts).update(
            **self._state(self.failed),
            **self._error(
                f"gave up: the worker handling it stopped {self.max_attempts} times"
            ),
        )
        requeued = list(
            stuck.order_by("claimed_at").values_list("pk", flat=True)[: self.batch]
        )
        stuck.filter(pk__in=requeued).update(
            due_at=now,
            **self._state(self.scheduled),
            **self._error("re-queued: the worker handling it stopped before finishing"),
        )
        return requeued

    def due(self, *, now: datetime) -> list[int]:
        """Return the due scheduled rows, oldest first, at most ``batch``.

        A fresh row never tried is left to the message its publisher sent.
        """
        return list(
            self._rows()
            .filter(due_at__lte=now, **self._state(self.scheduled))
            .exclude(attempts=0, created_at__gt=now - FRESH)
            .order_by("due_at")
            .values_list("pk", flat=True)[: self.batch]
        )

    def sweep(self, *, now: datetime | None = None) -> list[int]:
        """Requeue the stuck rows, then return the due ones for the caller to dispatch."""
        now = now or timezone.now()
        self.requeue_stuck(now=now)
        return self.due(now=now)
