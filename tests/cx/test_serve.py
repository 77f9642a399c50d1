"""``make run``'s server: the embedded default serves the demo with a worker beside it."""

from __future__ import annotations

import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.cx.serving import (
    embedded_environment,
    http_get,
    manage,
    processes_in_session,
    served,
)

pytestmark = pytest.mark.real_clock  # the server runs in processes of its own


def test_embedded_server_serves_admin_and_healthz_with_the_demo(tmp_path: Path):
    env = embedded_environment(tmp_path / "var")
    manage(env, "migrate", "--no-input")
    demo_output = manage(
        {**env, "CX_DEMO_HISTORY_DAYS": "0"}, "load_demo", "--if-empty"
    )
    assert "Demo organisation 'demo' ready" in demo_output

    with served(env) as server:
        status, body = http_get(f"{server.url}/healthz")
        assert status == 200
        assert '"broker": "ok"' in body
        login_status, login_page = http_get(f"{server.url}/admin/login/")
        assert login_status == 200
        assert 'name="username"' in login_page

    assert server.process.returncode is not None
    # The banner names where to go, on the port actually used, and who may log in.
    for line in (
        f"running at {server.url}/",
        f"Dashboard:    {server.url}/dashboard/",
        f"Admin:        {server.url}/admin/",
        f"API docs:     {server.url}/api/docs/",
        "owner (Owner), cx (CX manager), analyst (Analyst), exec (Executive)",
        "password demo-cx-2026",
        f"Email links:  {server.url}/",
        "Mail goes to:",
    ):
        assert line in server.output
    # Ctrl-C stopped the web server, the worker and its beat: nothing of it is left.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and processes_in_session(server.process.pid):
        time.sleep(0.5)
    assert processes_in_session(server.process.pid) == []


class _ExitedAtOnce:
    """Stands in for a child process of ``serve`` that has already stopped."""

    pid = 0
    returncode = 0

    def poll(self) -> int:
        return 0

    def wait(self, timeout: float | None = None) -> int:
        return 0


def _children_environments(monkeypatch, settings, port: int) -> list[dict[str, str]]:
    from cx.management.commands import serve

    started: list[dict[str, str]] = []

    def popen(command: list[str], **kwargs: object) -> _ExitedAtOnce:
        started.append(kwargs["env"])  # type: ignore[arg-type]
        return _ExitedAtOnce()

    monkeypatch.setattr(serve.subprocess, "Popen", popen)
    monkeypatch.setattr(serve, "_signal_group", lambda process, signum: None)
    call_command("serve", port=port, stdout=StringIO(), stderr=StringIO())
    return started


def test_email_links_follow_the_port_when_site_url_is_not_set(monkeypatch, settings):
    settings.SITE_URL_IS_SET = False

    environments = _children_environments(monkeypatch, settings, 8123)

    assert len(environments) == 2  # the web server and the worker
    assert {env["SITE_URL"] for env in environments} == {"http://127.0.0.1:8123"}


def test_site_url_set_in_the_environment_wins_over_the_port(monkeypatch, settings):
    settings.SITE_URL_IS_SET = True
    settings.SITE_URL = "https://feedback.example.com"

    environments = _children_environments(monkeypatch, settings, 8123)

    assert {env["SITE_URL"] for env in environments} == {"https://feedback.example.com"}
