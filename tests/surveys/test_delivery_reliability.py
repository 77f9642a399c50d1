"""Reliability: a crash of the worker or of the broker mid-batch loses and doubles nothing.

Each test posts a batch of events (one invitation each) through the API, lets a real
Celery worker start sending them to an SMTP sink, and in the middle of it either
SIGKILLs the whole worker and starts a new one, or kills the Redis broker (a server of
the test's own, without persistence: everything queued in it is gone) and starts it
again. The sweeper (beat inside the worker, every second here) must then find what the
lost messages and the dead worker left behind. Each test prints sent / duplicated /
lost, and they must be N / 0 / 0.

N is CX_RELIABILITY_SIZE (150 by default; ``make reliability`` runs 500).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest
from django.conf import settings

from surveys.models import Invitation
from tests.counts import CountReport
from tests.surveys.celery_worker import RedisServer, Worker, new_queue, use_broker
from tests.surveys.delivery_faults import (
    Strike,
    assert_each_mailed_once,
    mail_count,
    post_batch,
)
from tests.surveys.smtp import SinkServer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]

SIZE = int(os.environ.get("CX_RELIABILITY_SIZE", "150"))
# Generous, and growing with N: the test counts outcomes, it does not time them.
STRIKE_SECONDS = max(60, SIZE // 2)
RECOVERY_SECONDS = max(120, SIZE)


@pytest.fixture
def report(count_report):
    """The run's table of counts (``tests.counts``), printed at the end."""
    return count_report


def run_with_fault(
    *,
    api,
    sink: SinkServer,
    broker_url: str,
    tmp_path,
    fault: Callable[[Worker], Worker],
    name: str,
    report: CountReport,
    strike: Strike | None = None,
) -> None:
    strike = strike or Strike()
    queue = new_queue()
    with use_broker(broker_url, queue):
        worker = Worker(
            broker_url=broker_url, queue=queue, smtp_port=sink.port, var_dir=tmp_path
        ).start()
        try:
            expected = post_batch(api, SIZE, prefix="r")
            assert Invitation.objects.count() == SIZE
            # Strike in the middle of the batch.
            assert sink.sink.wait_for(
                lambda s: len(s.received) >= SIZE // 3, timeout=STRIKE_SECONDS
            ), worker.output()
            worker = fault(worker)
            done = sink.sink.wait_for(
                lambda s: set(s.counts()) >= expected, timeout=RECOVERY_SECONDS
            )
            time.sleep(3)  # a duplicate would arrive now
        finally:
            worker.stop()
    count = mail_count(sink.sink, expected, strike)
    report.add(
        "delivery under faults, Redis (invitations)",
        fault=name, invitations=SIZE, sent=count.sent, duplicated=count.duplicated,
        of_which_in_the_killed_handoff=len(count.at_the_kill), lost=count.lost,
    )  # fmt: skip
    print(
        f"{name}: sent {count.sent} / duplicated {count.duplicated} / lost {count.lost}"
    )
    assert done, worker.output()
    assert_each_mailed_once(sink.sink, expected, count)


@pytest.fixture
def sink():
    with SinkServer() as server:
        yield server


def test_a_worker_killed_mid_batch_loses_and_doubles_nothing(
    api, chat_rule, sink, tmp_path, report
):
    strike = Strike()

    def kill_and_restart(worker: Worker) -> Worker:
        strike.note_kill()
        worker.kill()
        return Worker(
            broker_url=worker.env["CELERY_BROKER_URL"],
            queue=worker.env["CELERY_QUEUE"],
            smtp_port=sink.port,
            var_dir=tmp_path,
        ).start()

    run_with_fault(
        api=api,
        sink=sink,
        broker_url=settings.CELERY_BROKER_URL,
        tmp_path=tmp_path,
        fault=kill_and_restart,
        name="worker SIGKILL + restart",
        report=report,
        strike=strike,
    )


def test_a_broker_restart_mid_batch_loses_and_doubles_nothing(
    api, chat_rule, sink, tmp_path, report
):
    broker = RedisServer(tmp_path / "redis").start()

    def restart_redis(worker: Worker) -> Worker:
        broker.restart()  # without persistence: every queued message is gone
        return worker

    try:
        run_with_fault(
            api=api,
            sink=sink,
            broker_url=broker.url,
            tmp_path=tmp_path,
            fault=restart_redis,
            name="Redis restart (no persistence)",
            report=report,
        )
    finally:
        broker.kill()
