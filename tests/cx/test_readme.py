"""README's first steps work as written.

The product is started the way ``make run`` starts it (``manage.py serve`` on a free port,
with a database of its own and the demo), and README's "Try the API" commands run
literally in bash from the repository root, with ``PORT`` set as README says to move the
port. The invitation email must be written, every link in it must name that port, and its
answer link must open the survey.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.conf import settings

from surveys.demo import CHAT_SURVEY, SURVEYS
from tests.conftest import REQUIRE_SERVICES
from tests.cx.serving import (
    ROOT,
    clean_environment,
    embedded_environment,
    http_get,
    manage,
    served,
)

pytestmark = pytest.mark.real_clock  # the product runs in processes of its own

README = ROOT / "README.md"
LINK = re.compile(r"https?://[^\s\"'<>]+")


def _unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"CX_REQUIRE_SERVICES=1 but the README test {reason}")
    pytest.skip(reason)


def _section(title: str) -> str:
    text = README.read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _shell_blocks(text: str) -> list[str]:
    return re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)


def try_the_api_blocks() -> list[str]:
    """Return the shell blocks of README from "Try the API" to the next heading."""
    section = _section("Two commands")
    return _shell_blocks(section[section.index("Try the API") :])


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database for the server: PostgreSQL's when the suite runs on it."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'readme.sqlite3'}"
        return
    from benchmarks._db import throwaway_database

    with throwaway_database(f"cx_readme_{os.getpid()}") as url:
        yield url


def _invitation(mail_dir: Path, seconds: float = 90) -> EmailMessage:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        files = sorted(mail_dir.glob("*")) if mail_dir.exists() else []
        if files:
            # Django's file backend ends each message with a line of dashes.
            raw = files[0].read_bytes().rsplit(b"\n" + b"-" * 79, 1)[0]
            return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]
        time.sleep(0.5)
    raise AssertionError(f"no invitation email under {mail_dir} within {seconds:.0f} s")


def _links(message: EmailMessage) -> list[str]:
    bodies = [
        part.get_content()
        for part in message.walk()
        if part.get_content_type() in {"text/plain", "text/html"}
    ]
    header = str(message.get("List-Unsubscribe", ""))
    return [link.rstrip(">") for link in LINK.findall("\n".join([*bodies, header]))]


def test_try_the_api_works_as_written(tmp_path: Path, database_url: str):
    for tool in ("bash", "curl"):
        if shutil.which(tool) is None:
            _unavailable(f"needs {tool}, which README's commands use")
    if not (ROOT / ".venv" / "bin" / "python").exists():
        _unavailable("needs .venv/ (make test creates it), which README's commands use")
    blocks = try_the_api_blocks()
    assert blocks, "README has no shell block under 'Try the API'"
    var_dir = tmp_path / "var"
    server_env = embedded_environment(var_dir, DATABASE_URL=database_url)
    manage(server_env, "migrate", "--no-input")
    manage({**server_env, "CX_DEMO_HISTORY_DAYS": "0"}, "load_demo", "--if-empty")

    with served(server_env) as server:
        # A user's shell: no DJANGO_DEBUG, no secret key; the port moved as README says.
        # Only where the database and var/ are differs from a fresh clone.
        shell_env = {
            **clean_environment(),
            "PORT": str(server.port),
            "CX_VAR_DIR": str(var_dir),
            "DATABASE_URL": database_url,
        }
        outputs = []
        for block in blocks:
            result = subprocess.run(
                ["bash", "-c", block],
                cwd=ROOT,
                env=shell_env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0, result.stderr
            outputs.append(result.stdout)

        answer = json.loads(outputs[-1])
        assert answer.get("event_id") == "e-1", answer  # a 401 shows here
        assert [i["survey"]["name"] for i in answer["invitations"]] == [CHAT_SURVEY]

        message = _invitation(var_dir / "mail")
        assert message["To"] == "maija@example.com"
        links = _links(message)
        answer_links = [
            link for link in links if re.fullmatch(r".*/s/[^/?]+/", link) is not None
        ]
        assert answer_links, links
        # Every link (answer page, one-click scores, unsubscribe, List-Unsubscribe)
        # names the port the server runs on.
        assert all(link.startswith(f"{server.url}/") for link in links), links
        status, page = http_get(answer_links[0])

    assert status == 200
    question = SURVEYS[CHAT_SURVEY]["questions"][0][2]["fi"]
    assert question in page


def _make_dry_run(target: str, **variables: str) -> str:
    if shutil.which("make") is None:
        _unavailable("needs make, which README's two commands use")
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", target],
        cwd=ROOT,
        env={**clean_environment(), **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_two_commands_do_what_readme_says():
    two_commands = _shell_blocks(_section("Two commands"))[0]
    assert "make run" in two_commands
    assert "PORT=8001 make run" in two_commands

    run = _make_dry_run("run")
    installs = [line for line in run.splitlines() if "pip install" in line]
    # The first `make run` installs the product, not the test tools.
    assert any(line.endswith("-e .") for line in installs), installs
    assert not any("[dev]" in line for line in installs), installs
    assert "serve --port 8000" in run
    assert "serve --port 8001" in _make_dry_run("run", PORT="8001")
    assert "-e '.[dev]'" in _make_dry_run("test")
