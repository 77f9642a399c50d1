"""Publish task messages after the transaction commits: the one way to do it.

A side effect that must happen is a row with a state first (an invitation, a webhook
delivery, a follow-up announcement, an assessment); the message only says "look at
row N now". So the message is published after the row commits (never for a rolled-back
one), and a broker that is down only delays the work: the error is logged, never raised
into the request that stored the row, and the periodic sweeper finds the row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def publish_on_commit(
    publish: Callable[..., object], *args: object, using: str | None = None
) -> None:
    """Call ``publish(*args)`` once the current transaction commits (at once outside one).

    ``publish`` is a task's ``delay`` or a function that publishes tasks; a broker error
    it raises is logged and swallowed, since the rows are committed and the sweeper is
    behind them.
    """
    transaction.on_commit(partial(publish_now, publish, *args), using=using)


def publish_now(publish: Callable[..., object], *args: object) -> None:
    """Call ``publish(*args)`` now (after a commit already), logging a broker error."""
    try:
        publish(*args)
    except Exception:  # any broker error: the rows wait for the sweeper
        logger.warning(
            "Could not publish %r%r; the sweeper will find the rows",
            publish,
            args,
            exc_info=True,
        )
