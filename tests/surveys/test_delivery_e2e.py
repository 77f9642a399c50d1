"""End to end on real servers: events in, each expected email out exactly once.

PostgreSQL, a Redis broker, a real Celery worker process and a local SMTP server
(aiosmtpd) started by the test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from cx.celery import app as celery_app
from surveys.models import Invitation
from tests.surveys.conftest import chat_event

ROOT = Path(__file__).resolve().parents[2]


class Sink:
    """An SMTP server that keeps every message's recipients."""

    def __init__(self) -> None:
        self.recipients: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def worker(smtp_sink, monkeypatch):
    """A Celery worker process on its own queue of the real broker, mailing the sink."""
    _, port = smtp_sink
    queue = f"test-{uuid.uuid4().hex[:8]}"
    # With the CELERY namespace, the settings are stored under their prefixed names.
    monkeypatch.setattr(celery_app.conf, "CELERY_TASK_ALWAYS_EAGER", False)
    default_queue = celery_app.conf.task_default_queue
    celery_app.conf.CELERY_TASK_DEFAULT_QUEUE = queue
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{connection.settings_dict['NAME']}"
        ),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cx", "worker", "-Q", queue,
         "--pool=threads", "--concurrency=4", "--without-gossip", "--without-mingle",
         "--loglevel=WARNING"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    yield process
    celery_app.conf.CELERY_TASK_DEFAULT_QUEUE = default_queue
    process.terminate()
    process.wait(timeout=30)


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.postgres
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_each_expected_email_arrives_exactly_once(api, chat_rule, smtp_sink, worker):
    sink, _ = smtp_sink
    expected = {f"c{n}@example.com" for n in range(1, 21)}
    for n in range(1, 21):
        assert (
            api.post("/api/v1/events/", chat_event(n), format="json").status_code == 201
        )
    api.post(
        "/api/v1/events/", chat_event(1), format="json"
    )  # a retry of the same event
    api.post("/api/v1/events/", chat_event(99, email=""), format="json")  # no email
    api.post(
        "/api/v1/events/", {**chat_event(2), "event_id": "again"}, format="json"
    )  # fatigue

    assert wait_for(lambda: set(sink.recipients) >= expected), sorted(sink.recipients)
    time.sleep(2)  # anything extra would arrive now

    counts = Counter(sink.recipients)
    assert set(counts) == expected
    assert set(counts.values()) == {1}
    assert Invitation.objects.filter(state=Invitation.State.SENT).count() == 20
