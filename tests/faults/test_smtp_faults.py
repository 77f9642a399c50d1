"""A mail server that fails a whole batch: each invitation ends as its failure says.

``tests/surveys/test_delivery.py`` holds each rule for one invitation, calling the
delivery service in the test. Here a real Celery worker (Redis, PostgreSQL, its beat
sweeping every second) sends a batch of N invitations to an SMTP server that, for the
whole batch:

* answers **4xx** at RCPT: every invitation is put back with the error noted, retried
  after its backoff (30 s) and sent once the server has recovered;
* answers **5xx** at RCPT: every invitation fails with the server's reason, and is not
  retried;
* takes the whole message, then **drops the connection** before answering: every
  invitation counts as sent, is not sent again, and its ``last_error`` starts
  "ambiguous:".

The counts are read from the invitation rows (and the mails from the server); each
test prints them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.db.models import Q

from surveys.models import Invitation
from tests.counts import CountReport
from tests.faults.support import SIZE, broker_queue_delete
from tests.surveys.celery_worker import Worker, new_queue, use_broker
from tests.surveys.smtp import SinkServer, SMTPSink

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]

State = Invitation.State
# The first retry comes after 30 s; the rest is margin for a slow machine.
SETTLE_SECONDS = max(90, SIZE // 2)


@dataclass(frozen=True)
class Behaviour:
    """How the server fails the batch, and what every invitation must end as."""

    name: str
    misbehave: Callable[[SMTPSink], None]
    # The rows' state once the worker has met the failure: a Q every row must match.
    met: Q
    recovers: bool = False
    expected: dict[str, int] = field(default_factory=dict)  # counts, as fractions of N


def answer_4xx(sink: SMTPSink) -> None:
    sink.rcpt_reply = "451 4.3.0 mailbox busy, try again later"


def answer_5xx(sink: SMTPSink) -> None:
    sink.rcpt_reply = "550 5.1.1 no such user here"


def drop_after_data(sink: SMTPSink) -> None:
    sink.drop_after_data = True


BEHAVIOURS = [
    Behaviour(
        name="4xx at RCPT, then recovers",
        misbehave=answer_4xx,
        met=Q(state=State.SCHEDULED, attempts=1, last_error__contains="SMTP 451"),
        recovers=True,
        expected={"retried": 1, "failed": 0, "ambiguous": 0, "sent": 1, "mails": 1},
    ),
    Behaviour(
        name="5xx at RCPT",
        misbehave=answer_5xx,
        met=Q(
            state=State.FAILED,
            last_error__contains="SMTP 550 at RCPT TO",
        )
        & Q(last_error__contains="no such user here"),
        expected={"retried": 0, "failed": 1, "ambiguous": 0, "sent": 0, "mails": 0},
    ),
    Behaviour(
        name="drops the connection after DATA",
        misbehave=drop_after_data,
        met=Q(state=State.SENT, last_error__startswith="ambiguous: connection lost"),
        expected={"retried": 0, "failed": 0, "ambiguous": 1, "sent": 1, "mails": 1},
    ),
]


@pytest.fixture
def worker(sink: SinkServer, tmp_path) -> Iterator[Worker]:  # type: ignore[no-untyped-def]
    queue = new_queue()
    with use_broker(settings.CELERY_BROKER_URL, queue):
        process = Worker(
            broker_url=settings.CELERY_BROKER_URL,
            queue=queue,
            smtp_port=sink.port,
            var_dir=tmp_path,
        ).start()
        yield process
        process.stop()
    broker_queue_delete(settings.CELERY_BROKER_URL, queue)


def post_events(api, size: int) -> set[str]:  # type: ignore[no-untyped-def]
    """Post ``size`` chat events, one invitation each; return the addresses."""
    events = [
        {
            "event_id": f"smtp-{n}",
            "type": "chat.ended",
            "customer": {"external_id": f"s-{n}", "email": f"s{n}@example.com"},
        }
        for n in range(size)
    ]
    for start in range(0, size, 500):
        response = api.post(
            "/api/v1/events/batch/",
            {"events": events[start : start + 500]},
            format="json",
        )
        assert response.status_code == 200, response.content[:500]
    return {f"s{n}@example.com" for n in range(size)}


def wait_for_rows(condition: Q, timeout: float) -> bool:
    """Wait until every invitation matches ``condition``."""
    deadline = time.monotonic() + timeout
    while Invitation.objects.exclude(condition).exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def outcome_counts() -> dict[str, int]:
    """Count the invitations by how their sending went, from their rows."""
    invitations = Invitation.objects.all()
    return {
        "retried": invitations.filter(attempts__gte=2).count(),
        "failed": invitations.filter(state=State.FAILED).count(),
        "ambiguous": invitations.filter(last_error__startswith="ambiguous:").count(),
        "sent": invitations.filter(state=State.SENT).count(),
    }


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=lambda b: b.name)
def test_each_invitation_of_a_failed_batch_ends_as_its_failure_says(
    behaviour: Behaviour,
    api,
    chat_rule,
    sink: SinkServer,
    worker: Worker,
    fault_report: CountReport,
) -> None:
    behaviour.misbehave(sink.sink)

    addresses = post_events(api, SIZE)
    met = wait_for_rows(behaviour.met, timeout=SETTLE_SECONDS)
    meeting = Invitation.objects.filter(behaviour.met).count()
    if behaviour.recovers:
        sink.sink.rcpt_reply = None
        assert wait_for_rows(Q(state=State.SENT), timeout=SETTLE_SECONDS), (
            outcome_counts(),
            worker.output(),
        )
    time.sleep(3)  # a retry or a duplicate would come now

    counts = outcome_counts()
    mails = sink.sink.counts()
    counts["mails"] = len(mails)
    duplicated = sum(n - 1 for n in mails.values())
    fault_report.add(
        "SMTP server failing a whole batch (counted from the invitation rows)",
        server=behaviour.name,
        invitations=SIZE,
        **counts,
        duplicated=duplicated,
    )
    print(
        f"SMTP {behaviour.name}: {meeting} of {SIZE} met the failure as "
        f"expected; then retried {counts['retried']} / failed {counts['failed']} / "
        f"ambiguous {counts['ambiguous']} / sent {counts['sent']}; mails received "
        f"{counts['mails']}, duplicated {duplicated}"
    )
    assert met, (meeting, worker.output())
    assert counts == {key: SIZE * n for key, n in behaviour.expected.items()}
    assert duplicated == 0
    assert set(mails) <= addresses
    if behaviour.recovers:
        # Tried twice each: once refused, once sent; the error was cleared on success.
        assert set(Invitation.objects.values_list("attempts", "last_error")) == {
            (2, "")
        }
    else:
        assert set(Invitation.objects.values_list("attempts", flat=True)) == {1}
