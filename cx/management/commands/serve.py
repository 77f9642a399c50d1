"""Run the whole product on one machine: the web server and a Celery worker with beat.

This is what ``make run`` calls. On the embedded default the worker uses kombu's
filesystem transport, so scheduled work (delayed invitations, reminders, the sweeper)
runs without any broker server. Unless ``SITE_URL`` is set, the links in emails point at
the address served here (``--port``). Ctrl-C stops everything it started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from cx.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Serve the web app and run a Celery worker with embedded beat beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args: Any, **options: Any) -> None:
        address = f"{options['host']}:{options['port']}"
        url = f"http://{_link_host(options['host'])}:{options['port']}"
        # The web server and the worker write links into emails: they must name this
        # server, not the default port, unless SITE_URL says where the site is.
        site_url = settings.SITE_URL if settings.SITE_URL_IS_SET else url
        environment = {**os.environ, "SITE_URL": site_url}
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", address, "--noreload"],
            "worker": [
                python, "-m", "celery", "-A", "cx", "worker", "--beat",
                "--pool=threads", "--concurrency=4", "--loglevel=INFO",
                f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}",
            ],
        }  # fmt: skip
        if settings.CELERY_BROKER_URL.startswith("filesystem"):
            for folder in ("data_folder_in", "control_folder"):
                path = settings.CELERY_BROKER_TRANSPORT_OPTIONS[folder]
                Path(str(path)).mkdir(parents=True, exist_ok=True)
        # Our own interpreter with fixed arguments: nothing here comes from a user. Each
        # child leads its own process group, so that stopping it stops its children too
        # (the worker's embedded beat).
        processes = {
            name: subprocess.Popen(command, process_group=0, env=environment)  # noqa: S603
            for name, command in commands.items()
        }
        self._banner(url, site_url)

        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(
                            f"{name} stopped (exit {process.returncode})."
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            self.stdout.write("Stopping…")
            for process in processes.values():
                _signal_group(process, signal.SIGTERM)
            deadline = time.monotonic() + 10
            for process in processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    _signal_group(process, signal.SIGKILL)
                    process.wait()

    def _banner(self, url: str, site_url: str) -> None:
        logins = ", ".join(
            f"{login.username} ({login.role.label})" for login in DEMO_LOGINS
        )
        mail = (
            settings.EMAIL_FILE_PATH
            if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend")
            else settings.EMAIL_BACKEND
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  CX feedback is running at {url}/\n"
                f"  Dashboard:    {url}{reverse('insights:dashboard')}\n"
                f"  Admin:        {url}{reverse('admin:index')}\n"
                f"  API docs:     {url}{reverse('api-docs')}\n"
                f"  Health:       {url}{reverse('healthz')}\n"
                f"  Demo logins:  {logins}; password {DEMO_PASSWORD}\n"
                f"  Email links:  {site_url}/…\n"
                f"  Mail goes to: {mail}\n"
                "  Press Ctrl-C to stop.\n"
            )
        )


def _link_host(host: str) -> str:
    """Return how a browser on this machine reaches a server listening on ``host``."""
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 - every interface includes loopback
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Send ``signum`` to ``process`` and every process in its group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)
