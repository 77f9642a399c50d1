"""Hand due invitations to the broker off the request thread.

The rows are committed before this runs, and the sweeper sends every due row it finds,
so publishing is only the fast path: a request that stored an event need not wait for
the broker's round trip. Each process has one publisher thread; it takes every id
queued since its last publish, lingering ``LINGER`` for more, and sends them in as few
tasks as ``SEND_BATCH`` allows, so a burst of events costs a burst of ids, not of
messages. When tasks run eagerly (tests, ``CELERY_TASK_ALWAYS_EAGER``) the ids are
published, and so sent, at once.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Sequence

from cx.celery import app
from cx.publish import publish_now

LINGER = 0.05  # seconds a publish waits for more ids after the first

_pending: queue.SimpleQueue[int] = queue.SimpleQueue()
_publisher: tuple[int, threading.Thread] | None = None
_lock = threading.Lock()


def invitations_hand_off(invitation_ids: Sequence[int]) -> None:
    """Queue ``invitation_ids`` for the broker; never raises (the sweeper is behind)."""
    if app.conf.task_always_eager:
        _publish(list(invitation_ids))
        return
    for invitation_id in invitation_ids:
        _pending.put(invitation_id)
    _publisher_running()


def _publisher_running() -> None:
    global _publisher
    pid = os.getpid()
    if _publisher is not None and _publisher[0] == pid and _publisher[1].is_alive():
        return
    with _lock:  # one thread per process, started again after a fork
        if _publisher is None or _publisher[0] != pid or not _publisher[1].is_alive():
            thread = threading.Thread(
                target=_publish_forever, name="invitations-handoff", daemon=True
            )
            thread.start()
            _publisher = (pid, thread)


def _publish_forever() -> None:
    from surveys.services.delivery import SEND_BATCH

    while True:
        ids = [_pending.get()]
        # Linger a moment for the ids of requests committing right after: a task
        # message costs about a millisecond of this process's CPU however many ids it
        # carries, and under load single events commit many per LINGER.
        deadline = time.monotonic() + LINGER
        while len(ids) < SEND_BATCH:
            try:
                ids.append(_pending.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        while True:
            try:
                ids.append(_pending.get_nowait())
            except queue.Empty:
                break
        _publish(ids)


def _publish(invitation_ids: list[int]) -> None:
    from surveys.tasks import invitations_dispatch

    publish_now(invitations_dispatch, invitation_ids)  # never raises
