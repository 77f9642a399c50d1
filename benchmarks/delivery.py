"""Benchmark: invitation delivery from event to SMTP sink, next to a plain smtplib loop.

(a) Throughput: N chat events (one invitation each, a delay-0 rule) are posted to
    ``/api/v1/events/batch/`` through Django's full request stack in-process; the
    trigger publishes send tasks (SEND_BATCH invitations each) to Redis after commit;
    a real ``celery -A cx worker`` (PostgreSQL, Redis; prefork, as in production)
    claims, renders and sends each to an aiosmtpd sink in another process. Measured
    from the first POST to the last message at the sink. Baseline, same run, same
    sink: a plain ``smtplib`` loop sending N similar messages (the same text and HTML
    bodies) over one connection. Target ≥ 80 %.
(b) Latency: single events posted one at a time at a modest pace; from the POST to the
    message at the sink. Target p95 < 1 s.

    make bench-delivery   (DATABASE_URL=postgres://…, CELERY_BROKER_URL=redis://…;
                           N=2000 LATENCY_N=200 POOL=prefork CONCURRENCY=4)
"""

from __future__ import annotations

import json
import os
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from email.message import EmailMessage
from typing import TYPE_CHECKING

from _db import ROOT, django_setup, table, throwaway_database

if TYPE_CHECKING:
    from cx.models import Organization

N = int(os.environ.get("N", "2000"))
LATENCY_N = int(os.environ.get("LATENCY_N", "200"))
POOL = os.environ.get("POOL", "prefork")
CONCURRENCY = int(os.environ.get("CONCURRENCY", "4"))
BATCH = 500
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """The aiosmtpd sink process; records each recipient's arrival time."""

    def __init__(self) -> None:
        self.port = free_port()
        self.arrivals: dict[str, float] = {}
        self.count = 0
        self.lock = threading.Lock()
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "_smtp_sink.py"),
                str(self.port),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "ready"
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            at, recipient = line.split()
            with self.lock:
                self.arrivals.setdefault(recipient, float(at))
                self.count += 1

    def wait(self, recipients: set[str], timeout: float) -> float:
        """Wait until all ``recipients`` arrived; return the last arrival time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if recipients <= self.arrivals.keys():
                    return max(self.arrivals[r] for r in recipients)
            time.sleep(0.01)
        missing = len(recipients - self.arrivals.keys())
        raise SystemExit(f"{missing} of {len(recipients)} messages never arrived")

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


def chat_event(name: str) -> dict[str, object]:
    return {
        "event_id": name,
        "type": "chat.ended",
        "customer": {
            "external_id": name,
            "email": f"{name}@example.com",
            "name": f"Customer {name}",
            "language": "fi",
        },
    }


def set_up_rule() -> Organization:
    from tests.factories import (
        OrganizationFactory,
        SurveyFactory,
        TouchpointFactory,
        TriggerRuleFactory,
    )

    organization = OrganizationFactory(
        slug="bench", name="Bench Bank", default_language="fi"
    )
    chat = TouchpointFactory(
        journey__organization=organization, journey__name="Service", position=1,
        name="Chat", channel="chat", event_types=["chat.ended"],
    )  # fmt: skip
    survey = SurveyFactory(
        organization=organization,
        name="Chat",
        title={"fi": "Miten chat onnistui?", "en": "How was your chat?"},
        intro={"fi": "Kaksi nopeaa kysymystä.", "en": "Two quick questions."},
        questions=["csat"],
    )
    TriggerRuleFactory(
        name="Chat ended",
        survey=survey,
        touchpoint=chat,
        reminder_count=1,
        reminder_interval_days=3,
    )
    return organization


def start_worker(url: str, queue: str, port: int, var_dir: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "CX_VAR_DIR": var_dir,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cx",
            "worker",
            "-Q",
            queue,
            f"--pool={POOL}",
            f"--concurrency={CONCURRENCY}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
            f"--hostname={queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def smtplib_loop(port: int, count: int, subject: str, text: str, html: str) -> float:
    """Send ``count`` similar messages over one connection; return messages/s."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(count):
            message = EmailMessage()
            message["From"] = "Bench Bank <feedback@localhost>"
            message["To"] = f"raw{n}@example.com"
            message["Subject"] = subject
            message["List-Unsubscribe"] = "<http://127.0.0.1:8000/s/x/unsubscribe/>"
            message.set_content(text)
            message.add_alternative(html, subtype="html")
            smtp.send_message(message)
    return count / (time.perf_counter() - started)


def main() -> None:
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ.update(
        {
            "CELERY_BROKER_URL": BROKER_URL,
            "CELERY_QUEUE": queue,
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }
    )
    with (
        throwaway_database("cx_bench_delivery") as url,
        tempfile.TemporaryDirectory() as var_dir,
    ):
        django_setup(url)
        from django.db import connection
        from django.test import Client

        from cx.services.organizations import api_key_create
        from surveys.emails import invitation_message
        from surveys.models import Invitation

        organization = set_up_rule()
        key = api_key_create(organization=organization).secret_key
        client = Client(headers={"authorization": f"Bearer {key}"})
        sink = Sink()
        worker = start_worker(url, queue, sink.port, var_dir)
        try:
            # Warm-up: the worker is up and has connected to everything.
            client.post(
                "/api/v1/events/", chat_event("warm"), content_type="application/json"
            )
            sink.wait({"warm@example.com"}, timeout=60)

            # (a) Throughput.
            names = [f"t{n}" for n in range(N)]
            bodies = [
                json.dumps(
                    {"events": [chat_event(name) for name in names[i : i + BATCH]]}
                )
                for i in range(0, N, BATCH)
            ]
            started = time.time()
            for body in bodies:
                response = client.post(
                    "/api/v1/events/batch/", body, content_type="application/json"
                )
                assert response.status_code == 200, response.content[:300]
            posted = time.time()
            last = sink.wait({f"{name}@example.com" for name in names}, timeout=600)
            pipeline_rate = N / (last - started)
            assert Invitation.objects.filter(state="sent").count() == N + 1

            # The baseline, same sink, same bodies.
            sample = invitation_message(Invitation.objects.first())
            raw_rate = smtplib_loop(
                sink.port, N, sample.subject, sample.body, sample.alternatives[0][0]
            )

            # (b) Latency, one event at a time.
            latencies = []
            for n in range(LATENCY_N):
                name = f"l{n}"
                sent_at = time.time()
                client.post(
                    "/api/v1/events/", chat_event(name), content_type="application/json"
                )
                arrived = sink.wait({f"{name}@example.com"}, timeout=30)
                latencies.append(arrived - sent_at)
                time.sleep(0.02)
        finally:
            os.killpg(worker.pid, 15)
            worker.wait(timeout=30)
            sink.stop()
            connection.close()

    ratio = pipeline_rate / raw_rate
    cuts = statistics.quantiles(latencies, n=100)
    p50, p95 = statistics.median(latencies), cuts[94]
    print(f"\nworker: --pool={POOL} --concurrency={CONCURRENCY}; {os.cpu_count()} CPUs")
    print(
        table(
            [
                (
                    f"event → SMTP sink, {N} invitations (/s)",
                    f"{pipeline_rate:,.0f}",
                    f"{raw_rate:,.0f} (smtplib loop)",
                    f"{ratio:.0%}",
                    f"≥ 80 % {'PASS' if ratio >= 0.8 else 'FAIL'}",
                ),
                (
                    "  of which posting the events (s)",
                    f"{posted - started:.2f}",
                    "",
                    "",
                    "",
                ),
                (
                    f"latency POST → sink, p50 ({LATENCY_N} single events)",
                    f"{p50 * 1000:.0f} ms",
                    "",
                    "",
                    "",
                ),
                (
                    "latency POST → sink, p95",
                    f"{p95 * 1000:.0f} ms",
                    "",
                    "",
                    f"< 1 s {'PASS' if p95 < 1 else 'FAIL'}",
                ),
            ]
        )
    )


if __name__ == "__main__":
    main()
