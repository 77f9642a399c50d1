"""Production settings refuse to start unsafe, and read everything from the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CX_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "cx.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _check({"DJANGO_DEBUG": "0"})

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_starts_with_a_secret_key():
    result = _check({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50})

    assert result.returncode == 0, result.stderr


def test_debug_needs_no_secret_key():
    assert _check({"DJANGO_DEBUG": "1"}).returncode == 0


def test_a_malformed_flag_is_a_clear_error():
    result = _check({"DJANGO_DEBUG": "perhaps"})

    assert result.returncode != 0
    assert "DJANGO_DEBUG must be a yes/no value" in result.stderr


def test_email_url_chooses_smtp():
    from cx import settings as product_settings

    backend = product_settings._email_backend(
        "smtp://user:p%40ss@mail.example:2525?tls=1"
    )

    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert product_settings.EMAIL_HOST == "mail.example"
    assert product_settings.EMAIL_PORT == 2525
    assert product_settings.EMAIL_HOST_PASSWORD == "p@ss"
    assert product_settings.EMAIL_USE_TLS is True
