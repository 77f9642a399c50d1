"""Servers the fault tests start, break and bring back, and the broker they share.

* :class:`PostgresCluster`: a PostgreSQL cluster of the test's own (``initdb`` in a temp
  dir, a free port) that it stops with ``pg_ctl stop -m immediate`` and starts again.
* :class:`AppServer`: the product under gunicorn, configured as in production.
* :class:`BrokerLink`: the shared RabbitMQ cannot be restarted by one test, so the
  test's worker reaches it through this TCP relay, which the test cuts (every
  connection through it reset, new ones refused) and restores: to the worker, an
  outage of the broker; to everyone else, nothing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NoReturn
from urllib.parse import SplitResult, urlsplit, urlunsplit

import httpx
import pytest
from django.conf import settings
from kombu import Connection
from kombu.exceptions import ChannelError

from tests.conftest import REQUIRE_SERVICES
from tests.surveys.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
# How many invitations (or events) a fault test sends through its fault: small in
# ``make test``, 500 in ``make reliability``.
SIZE = int(os.environ.get("CX_RELIABILITY_SIZE", "60"))
RABBITMQ_URL = os.environ.get(
    "CX_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//"
)


def unavailable(reason: str) -> NoReturn:
    """Skip the test, saying why; with CX_REQUIRE_SERVICES=1, fail it instead."""
    if REQUIRE_SERVICES:
        pytest.fail(f"CX_REQUIRE_SERVICES=1 but this test {reason}")
    pytest.skip(reason)


# --- RabbitMQ --------------------------------------------------------------------------


def rabbitmq_url() -> str:
    """Return the RabbitMQ to test against, skipping the test when none answers."""
    url = (
        settings.CELERY_BROKER_URL
        if settings.CELERY_BROKER_URL.startswith("amqp")
        else RABBITMQ_URL
    )
    try:
        with Connection(url, connect_timeout=3) as broker:
            broker.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # kombu raises many kinds; all mean "not there"
        unavailable(f"needs RabbitMQ at {url} (CX_TEST_RABBITMQ_URL): {exc}")
    return url


def rabbitmq_queue_purge(url: str, queue: str) -> int:
    """Drop every message of ``queue`` once it has no consumer; return how many.

    A consumer that was cut off gives its unacknowledged messages back to the queue
    when RabbitMQ notices the closed connection: wait for that, so that they go too.
    """
    with Connection(url) as broker:
        channel = broker.default_channel
        deadline = time.monotonic() + 30
        while channel.queue_declare(queue=queue, passive=True).consumer_count:
            assert time.monotonic() < deadline, "the cut-off consumer is still there"
            time.sleep(0.05)
        return channel.queue_purge(queue) or 0


def broker_queue_delete(url: str, queue: str) -> None:
    """Remove a test's queue, and its exchange, from a broker the tests share."""
    with Connection(url) as broker, contextlib.suppress(ChannelError):
        channel = broker.default_channel
        channel.queue_delete(queue)
        if url.startswith("amqp"):
            channel.exchange_delete(queue)


class BrokerLink:
    """A TCP relay from a free local port to the broker, that a test cuts and restores."""

    def __init__(self, url: str) -> None:
        parsed = urlsplit(url)
        self.target = (parsed.hostname or "127.0.0.1", parsed.port or 5672)
        self.port = free_port()
        self.url = urlunsplit(parsed._replace(netloc=self._netloc(parsed)))
        self.lock = threading.Lock()
        self.sockets: set[socket.socket] = set()
        self.listener: socket.socket | None = None

    def _netloc(self, parsed: SplitResult) -> str:
        auth = parsed.netloc.rpartition("@")[0]
        return f"{auth}@127.0.0.1:{self.port}" if auth else f"127.0.0.1:{self.port}"

    def start(self) -> BrokerLink:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener: socket.socket) -> None:
        while self.listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                if self.listener is not listener:  # cut meanwhile: refuse this one too
                    for end in (client, upstream):
                        end.close()
                    return
                self.sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self._pump, args=(source, sink), daemon=True
                ).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            self._close(end)

    def _close(self, end: socket.socket) -> None:
        with self.lock:
            self.sockets.discard(end)
        with contextlib.suppress(OSError):
            # Linger 0: a reset, as when the broker's host goes away.
            end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            end.shutdown(socket.SHUT_RDWR)
        end.close()

    def cut(self) -> int:
        """Refuse new connections and reset the open ones; return how many were open."""
        with self.lock:
            listener, self.listener = self.listener, None
            open_ = list(self.sockets)
        if listener is not None:
            listener.close()
        for end in open_:
            self._close(end)
        return len(open_) // 2

    def restore(self) -> None:
        self.start()

    def stop(self) -> None:
        self.cut()


# --- PostgreSQL ------------------------------------------------------------------------


def postgres_bindir() -> Path | None:
    """Return the folder of PostgreSQL's server programs (initdb, pg_ctl), or None."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]),
    )
    return Path(candidates[-1]).parent if candidates else None


class PostgresCluster:
    """A PostgreSQL cluster of our own, in a temp dir, on a free port.

    initdb refuses to run as root, so under root every server program runs as the
    ``postgres`` user (``runuser``), in a folder that user owns.
    """

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="cx-pg-"))
        self.data = self.workdir / "data"
        self.log = self.workdir / "server.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.workdir, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @staticmethod
    def missing() -> str | None:
        """Return why no private cluster can be made here, or None."""
        if postgres_bindir() is None:
            return "needs PostgreSQL's initdb (e.g. /usr/lib/postgresql/*/bin)"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "runs as root and there is no postgres user to run initdb as"
            if shutil.which("runuser") is None:
                return "runs as root and runuser is not installed"
        return None

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*self.as_user, str(self.bindir / program), *args],
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (program, done.stderr, self.server_log())

    def init(self) -> PostgresCluster:
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        return self

    def start(self) -> None:
        # fsync off: only the server process dies in these tests, never the machine, so
        # what it wrote is in the page cache and crash recovery finds it.
        options = (
            f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
            "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop_immediately(self) -> None:
        """Stop the server as a crash would: no checkpoint, clients cut off."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        try:
            if self.running():
                self.stop_immediately()
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


# --- The product under gunicorn ---------------------------------------------------------

# Environment the test process carries for its own settings, none of which may leak
# into a server that is meant to run as in production.
_OWN_SETTINGS = ("CX_", "DJANGO_", "CELERY_", "DATABASE_", "EMAIL_", "RATE_LIMIT_")


def production_env(**overrides: str) -> dict[str, str]:
    """Return an environment for the product configured as in production."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_OWN_SETTINGS)
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cx.settings",
        DJANGO_SECRET_KEY="fault-test-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",  # plain HTTP on the loopback
        RATE_LIMIT_API_PER_MINUTE="0",  # the clients post as fast as they can
        CELERY_BROKER_URL="filesystem://",
        LOG_LEVEL="WARNING",
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py`` with ``env``; return what it printed."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class AppServer:
    """``gunicorn cx.wsgi`` (2 workers × 4 threads) on a free port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "cx.wsgi:application",
                    "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
                    "--threads", "4", "--timeout", "30", "--graceful-timeout", "5",
                ],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{self.url}/healthz", timeout=5)
                return self
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(self.output()) from None
                time.sleep(0.1)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def worker_pids(self) -> set[int]:
        """Return the pids of gunicorn's worker processes (a restarted one is new)."""
        assert self.process is not None
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                # "pid (name) state ppid …": the name may hold spaces, not ")".
                ppid = int(stat.read_text().rpartition(")")[2].split()[1])
                if ppid == self.process.pid:
                    children.add(int(stat.parent.name))
        return children

    def stop(self) -> None:
        if not self.alive():
            return
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]
