"""Real Celery workers (and a Redis of our own) for the delivery tests on real servers.

A worker is a subprocess ``celery -A cx worker`` on a queue of its own, reading the
pytest-django test database and mailing an SMTP sink the test started. The test
process publishes to the same broker and queue through :func:`use_broker`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import redis
from django.conf import settings
from django.db import connection
from kombu import pools as kombu_pools

from cx.celery import app as celery_app
from tests.surveys.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]


def worker_database_url() -> str:
    """Return a DATABASE_URL naming the test database pytest-django created."""
    database = settings.DATABASES["default"]
    auth = quote(database["USER"] or "")
    if database.get("PASSWORD"):
        auth += ":" + quote(database["PASSWORD"])
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{connection.settings_dict['NAME']}"


def new_queue() -> str:
    return f"cx-test-{uuid.uuid4().hex[:10]}"


@contextmanager
def use_broker(broker_url: str, queue: str) -> Iterator[None]:
    """Make this process publish tasks for real, to ``broker_url`` and ``queue``."""
    saved = {
        key: celery_app.conf.get(key)
        for key in (
            "CELERY_BROKER_URL",
            "CELERY_TASK_DEFAULT_QUEUE",
            "CELERY_TASK_ALWAYS_EAGER",
        )
    }

    def reset_pools() -> None:
        # Celery keeps its broker connections in kombu's pools, made for the URL it saw
        # first: drop them all so that the next publish connects to the new one.
        kombu_pools.reset()
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    celery_app.conf.CELERY_BROKER_URL = broker_url
    celery_app.conf.CELERY_TASK_DEFAULT_QUEUE = queue
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False
    reset_pools()
    try:
        yield
    finally:
        reset_pools()
        for key, value in saved.items():
            celery_app.conf[key] = value


class Worker:
    """A ``celery -A cx worker`` subprocess (its own process group, so it dies whole)."""

    def __init__(
        self,
        *,
        broker_url: str,
        queue: str,
        smtp_port: int,
        var_dir: Path,
        pool: str = "threads",
        concurrency: int = 4,
        beat: bool = True,
        env: dict[str, str] | None = None,
    ) -> None:
        self.args = [
            sys.executable, "-m", "celery", "-A", "cx", "worker", "-Q", queue,
            f"--pool={pool}", f"--concurrency={concurrency}", "--without-gossip",
            "--without-mingle", "--loglevel=WARNING", f"--hostname={queue}@%h",
        ]  # fmt: skip
        if beat:
            self.args += ["--beat", f"--schedule={var_dir / 'beat-schedule'}"]
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DATABASE_URL": worker_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_QUEUE": queue,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "EMAIL_TIMEOUT": "10",
            "CX_VAR_DIR": str(var_dir),
            "CX_SWEEP_SECONDS": "1",
            "CX_SENDING_TIMEOUT": "3",
            **(env or {}),
        }
        self.log = var_dir / f"worker-{uuid.uuid4().hex[:6]}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        var_dir = Path(self.env["CX_VAR_DIR"])
        var_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a crash would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


class RedisServer:
    """A redis-server of our own, without persistence, that a test may restart."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        """Stop the server at once: everything queued in it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()
