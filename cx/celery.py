"""The Celery application. Settings come from Django settings (``CELERY_*``)."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cx.settings")

app = Celery("cx")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# How often a thread-pool worker wakes its consumer loop (seconds).
THREAD_POOL_WAKEUP_SECONDS = 0.05


@worker_ready.connect
def wake_thread_pool_consumer(sender: Any = None, **_: Any) -> None:
    """Keep a ``--pool=threads`` worker fetching as soon as a task finishes.

    With late acknowledgement and a prefetch of one, the thread pool's consumer loop
    acknowledges finished tasks and fetches the next ones only when it wakes, which it
    otherwise does every few seconds (celery/celery#6941): a queue of invitations went
    out in bursts of ``concurrency`` every five seconds. A timer entry makes it wake
    often. The prefork pool has an event loop and needs none of this.
    """
    pool = getattr(sender, "pool", None)
    if sender is None or type(pool).__module__ != "celery.concurrency.thread":
        return
    sender.timer.call_repeatedly(THREAD_POOL_WAKEUP_SECONDS, _do_nothing)


def _do_nothing() -> None:
    """A timer entry whose only purpose is to wake the consumer loop."""
