"""``make run``'s server: the embedded default serves the demo with a worker beside it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.real_clock  # the server runs in processes of its own


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
        and not k.startswith("CX_")
    }
    return {**env, "DJANGO_DEBUG": "1", "CX_VAR_DIR": str(tmp_path / "var")}


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return result.stdout


def test_embedded_server_serves_admin_and_healthz_with_the_demo(embedded_env):
    _manage(embedded_env, "migrate", "--no-input")
    demo_output = _manage(embedded_env, "load_demo", "--if-empty")
    assert "Demo organisation 'demo' ready" in demo_output
    port = _free_port()

    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=embedded_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert status == 200, "the server did not become healthy within 60 s"
        assert '"broker": "ok"' in body

        login_status, login_page = _get(f"http://127.0.0.1:{port}/admin/login/")
        assert login_status == 200
        assert 'name="username"' in login_page
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)

    assert server.returncode is not None
    assert f"running at http://127.0.0.1:{port}/" in output
    assert "Mail goes to:" in output
    # Ctrl-C stopped the web server, the worker and its beat: nothing of it is left.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _processes_in_session(server.pid):
        time.sleep(0.5)
    assert _processes_in_session(server.pid) == []


def _processes_in_session(session_id: int) -> list[str]:
    listing = subprocess.run(
        ["ps", "-eo", "sid=,args="], capture_output=True, text=True, check=True
    ).stdout
    return [
        line
        for line in listing.splitlines()
        if line.split(maxsplit=1)[0] == str(session_id) and "<defunct>" not in line
    ]
