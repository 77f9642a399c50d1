"""Security headers, no inline scripts anywhere, and a clean deployment check."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>\s*[^<\s]", re.IGNORECASE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/healthz", "/admin/login/", "/api/docs/", "/s/nope/"]
)
def test_every_page_has_a_strict_script_policy(client, path):
    response = client.get(path)

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy
    assert not INLINE_SCRIPT.search(response.content), path


def test_deployment_check_has_no_warnings():
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CX_"))},
        "DJANGO_SETTINGS_MODULE": "cx.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "k3y-" + "x9Q!" * 16,
        "DJANGO_ALLOWED_HOSTS": "feedback.example.com",
        "DJANGO_BEHIND_PROXY": "1",
        "SITE_URL": "https://feedback.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
