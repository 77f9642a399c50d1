"""An ingestion whose transaction rolls back enqueues nothing and leaves no invitation.

The trigger queues the sending with ``transaction.on_commit``: a task published before
the commit could reach a worker that looks for an invitation the rollback then undid
(or, worse, one that a retry of the event makes again). These tests make the
transaction fail *after* the rule matched and the invitation row was written, and spy
on every task published — on Celery's ``apply_async`` everywhere, and on a real broker
queue where there is one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from celery.app.task import Task
from django.conf import settings
from django.db import OperationalError, transaction
from kombu import Connection
from kombu.exceptions import ChannelError

from cx.models import Event
from cx.services import events as event_services
from surveys.models import Invitation
from tests.faults.support import broker_queue_delete
from tests.surveys.celery_worker import new_queue, use_broker
from tests.surveys.conftest import chat_event

pytestmark = pytest.mark.django_db(transaction=True)  # real commits and rollbacks


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """Record, instead of running, every task this process publishes."""
    calls: list[tuple[str, object]] = []

    def record(self: Task, args: object = None, kwargs: object = None, **options):  # type: ignore[no-untyped-def]
        calls.append((self.name, args))

    monkeypatch.setattr(Task, "apply_async", record)
    return calls


@pytest.fixture
def failing_after_match(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make ingestion fail after the trigger's receivers ran; return what they made.

    The database "goes away" just before the commit: the API answers 503 and the
    client will retry.
    """
    matched: list[int] = []
    receivers = event_services.event_receivers()

    def fail_before_commit(*, organization, events) -> None:  # type: ignore[no-untyped-def]
        matched.extend(
            Invitation.objects.filter(event__in=events).values_list("pk", flat=True)
        )
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(
        event_services, "event_receivers", lambda: (*receivers, fail_before_commit)
    )
    return matched


POSTS: list[tuple[str, Callable[[], object]]] = [
    ("/api/v1/events/", lambda: chat_event(1)),
    ("/api/v1/events/batch/", lambda: {"events": [chat_event(n) for n in (1, 2, 3)]}),
]


def test_a_committed_ingestion_publishes_its_invitations(api, chat_rule, published):
    """The control: without the failure, the spy does see the task."""
    response = api.post("/api/v1/events/", chat_event(1), format="json")

    assert response.status_code == 201
    invitation = Invitation.objects.get()
    assert published == [("surveys.tasks.invitations_send_task", ([invitation.pk],))]


@pytest.mark.parametrize(("path", "body"), POSTS, ids=["single", "batch"])
def test_an_ingestion_rolled_back_after_matching_publishes_nothing(
    api, chat_rule, published, failing_after_match, path, body, fault_report
):
    response = api.post(path, body(), format="json")

    fault_report.add(
        "Ingestion rolled back after the rule matched",
        post=path,
        answer=response.status_code,
        invitations_written=len(failing_after_match),
        tasks_published=len(published),
        invitations_left=Invitation.objects.count(),
        events_left=Event.objects.count(),
    )
    assert response.status_code == 503
    assert "Retry-After" in response
    assert failing_after_match  # the rule matched, and its invitations were written
    assert published == []
    assert Invitation.objects.count() == 0
    assert Event.objects.count() == 0


def test_a_callers_transaction_rolled_back_publishes_nothing(
    aurora, chat_rule, published
):
    """Ingestion inside a larger transaction queues only when that one commits."""
    with pytest.raises(RuntimeError), transaction.atomic():
        event_services.events_record(
            organization=aurora,
            events=[event_services.EventIn(event_id="chat-1", type="chat.ended")],
        )
        raise RuntimeError("the caller's next step failed")

    assert published == []
    assert Invitation.objects.count() == 0


HANDOFF_SECONDS = 3


@pytest.fixture
def broker_queue() -> Iterator[Callable[[], int]]:
    """Publish for real to a queue of the test's own; yield a count of its messages."""
    url, queue = settings.CELERY_BROKER_URL, new_queue()

    def waiting() -> int:
        # A connection each time: a failed passive declaration closes the channel.
        with Connection(url) as broker:
            try:
                declared = broker.default_channel.queue_declare(queue, passive=True)
            except ChannelError:  # never declared: nothing was published to it
                return 0
            return declared.message_count

    with use_broker(url, queue):
        yield waiting
    broker_queue_delete(url, queue)


@pytest.mark.broker
def test_nothing_reaches_the_broker_from_a_rolled_back_ingestion(
    api, chat_rule, broker_queue, failing_after_match
):
    response = api.post("/api/v1/events/", chat_event(1), format="json")

    assert response.status_code == 503
    assert failing_after_match
    time.sleep(HANDOFF_SECONDS)  # what was committed would have been published by now
    assert broker_queue() == 0


@pytest.mark.broker
def test_a_committed_ingestion_reaches_the_broker(api, chat_rule, broker_queue):
    """The control of the test above: the queue does get the task."""
    response = api.post("/api/v1/events/", chat_event(1), format="json")

    assert response.status_code == 201
    # Published off the request thread (surveys.handoff), within moments.
    deadline = time.monotonic() + HANDOFF_SECONDS
    while broker_queue() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert broker_queue() == 1
