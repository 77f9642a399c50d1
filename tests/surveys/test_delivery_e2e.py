"""End to end on real servers: events in, each expected email out exactly once.

PostgreSQL (the pytest-django test database), the Redis broker on a queue of this run's
own, a real ``celery -A cx worker`` process and an SMTP server (aiosmtpd) the test
starts. Events go in through the API; a trigger rule turns them into invitations.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from surveys.models import Invitation
from tests.surveys.celery_worker import Worker, new_queue, use_broker
from tests.surveys.conftest import chat_event
from tests.surveys.smtp import SinkServer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def sink():
    with SinkServer() as server:
        yield server


@pytest.fixture
def worker(sink, tmp_path):
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


def test_each_expected_email_arrives_exactly_once(api, chat_rule, sink, worker):
    expected = {f"c{n}@example.com" for n in range(1, 21)}
    started = time.time()
    for n in range(1, 21):
        created = api.post("/api/v1/events/", chat_event(n), format="json")
        assert created.status_code == 201
    api.post("/api/v1/events/", chat_event(1), format="json")  # the same event again
    api.post("/api/v1/events/", chat_event(99, email=""), format="json")  # no email
    again = {**chat_event(2), "event_id": "chat-2-later"}  # contacted just now
    api.post("/api/v1/events/", again, format="json")

    arrived = sink.sink.wait_for(lambda s: set(s.counts()) >= expected, timeout=60)
    assert arrived, (sorted(sink.sink.counts()), worker.output())
    time.sleep(2)  # anything extra would arrive now

    counts = sink.sink.counts()
    assert counts == dict.fromkeys(expected, 1)
    assert Invitation.objects.filter(state=Invitation.State.SENT).count() == 20
    assert min(item.at for item in sink.sink.received) - started < 5  # right away


def test_the_email_that_arrives_is_the_customers_own(api, chat_rule, sink, worker):
    api.post("/api/v1/events/", chat_event(7, language="fi"), format="json")

    assert sink.sink.wait_for(lambda s: len(s.received) == 1, timeout=60)
    message = sink.sink.received[0].message
    invitation = Invitation.objects.get()
    assert message["To"] == "c7@example.com"
    assert message["Subject"] == "Miten meni? Aurora Bank haluaa kuulla"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"/s/{invitation.token()}/unsubscribe/" in message["List-Unsubscribe"]
    kinds = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html"} <= kinds
