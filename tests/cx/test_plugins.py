"""One kind of plug-in point: dotted-path lists in settings, each in docs/architecture.md."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

from cx.plugins import plugins

ROOT = Path(__file__).resolve().parents[2]
APPS = ("cx", "surveys", "followups", "insights", "webhooks", "maturity", "predictions")


def _plugin_settings() -> dict[str, list[str]]:
    """Return the settings that name callables by dotted path (the plug-in points)."""
    return {
        name: value
        for name in dir(settings)
        if name.startswith("CX_")
        and isinstance(value := getattr(settings, name), list)
        and value
        and all(isinstance(path, str) and "." in path for path in value)
    }


def _documented() -> set[str]:
    """Return the settings named in the first column of the plug-in table."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## Plug-in points", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `(CX_[A-Z_]+)` \|", section, re.M))


def test_every_plug_in_point_is_in_the_one_table_and_nothing_else_is() -> None:
    found = _plugin_settings()
    assert "CX_FOLLOWUP_EVENT_RECEIVERS" in found
    assert "CX_EMAIL_TRACKING_RECEIVERS" in found
    assert _documented() == set(found)


def test_every_listed_callable_imports_and_is_what_plugins_returns() -> None:
    for name, paths in _plugin_settings().items():
        loaded = plugins(name)
        assert loaded == tuple(import_string(path) for path in paths), name
        assert all(callable(each) for each in loaded), name


def test_no_app_asks_whether_another_is_installed_or_defines_a_signal() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if re.search(r"apps\.is_installed\(|\bSignal\(", path.read_text())
    ]
    assert offenders == []
