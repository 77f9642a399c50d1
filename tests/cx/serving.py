"""Start the product the way ``make run`` does (``manage.py serve``), for the smoke tests.

``tests/cx/test_serve.py`` checks the server itself; ``tests/cx/test_readme.py`` runs
README's commands against it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.surveys.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
# What the test settings or a CI run put into this process's environment, and what a
# developer's shell might hold: none of it may leak into a server started as `make run`.
_NOT_INHERITED = ("DJANGO_", "CX_", "CELERY_", "DATABASE_", "EMAIL_")
_NOT_INHERITED_NAMES = {"SITE_URL", "CACHE_URL", "PORT", "LOG_LEVEL"}


def clean_environment() -> dict[str, str]:
    """Return this process's environment without anything that configures the product."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_NOT_INHERITED) and name not in _NOT_INHERITED_NAMES
    }


def embedded_environment(var_dir: Path, **extra: str) -> dict[str, str]:
    """Return the environment ``make run`` gives its commands, with ``var/`` elsewhere."""
    return {
        **clean_environment(),
        "DJANGO_DEBUG": "1",
        "CX_VAR_DIR": str(var_dir),
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> str:
    """Run ``manage.py`` with ``args`` in ``env``; return its output, fail on an error."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr}"
    return result.stdout


def http_get(url: str) -> tuple[int, str]:
    """Return the status and body of a GET of ``url`` (no redirects followed)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - localhost
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@dataclass
class Served:
    """A running ``manage.py serve``; ``output`` is filled in when it has stopped."""

    process: subprocess.Popen[str]
    port: int
    output: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def served(env: dict[str, str], port: int | None = None) -> Iterator[Served]:
    """Run ``manage.py serve`` until ``/healthz`` answers 200; Ctrl-C it afterwards."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    server = Served(process=process, port=port)
    try:
        _wait_healthy(server)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            server.output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            server.output, _ = process.communicate()


def _wait_healthy(server: Served, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            output, _ = server.process.communicate()
            raise AssertionError(f"manage.py serve stopped:\n{output}")
        try:
            if http_get(f"{server.url}/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"the server did not become healthy within {seconds:.0f} s")


def processes_in_session(session_id: int) -> list[str]:
    """Return the command lines of the live processes in session ``session_id``."""
    listing = subprocess.run(
        ["ps", "-eo", "sid=,args="],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        line
        for line in listing.splitlines()
        if line.split(maxsplit=1)[0] == str(session_id) and "<defunct>" not in line
    ]
