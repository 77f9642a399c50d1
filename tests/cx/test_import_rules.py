"""The import rules between apps (pyproject.toml's [tool.importlinter], docs/architecture.md).

The real tree keeps them; a copy of it with one forbidden import planted breaks them. No
database: the checker reads the source files.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("cx", "surveys", "followups", "insights", "webhooks", "maturity", "predictions")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """Run the import checker over ``tree`` (its packages first on the path)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a copy of the apps' source and the contracts."""
    copy = tmp_path_factory.mktemp("tree")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    for app in APPS:
        shutil.copytree(
            ROOT / app,
            copy / app,
            ignore=shutil.ignore_patterns("__pycache__", "migrations", "*.pyc"),
        )
    return copy


def _planted(tree: Path, module: str, source: str) -> Path:
    path = tree.joinpath(*module.split(".")).with_suffix(".py")
    path.write_text(f'"""Planted by the test."""\n\n{source}\n')
    return path


def test_the_apps_keep_their_import_rules(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        # The core importing a feature app.
        ("cx.planted", "import surveys.models", "Apps form layers"),
        # A cycle: surveys is below followups, which imports it.
        ("surveys.planted", "from followups import rules", "Apps form layers"),
        # Siblings stay independent of each other.
        ("webhooks.planted", "import predictions.models", "Apps form layers"),
        # Allowed by the layers, refused by insights' own rule.
        ("insights.planted", "import webhooks.models", "insights reads"),
    ],
)
def test_a_planted_forbidden_import_breaks_a_rule(
    tree: Path, module: str, source: str, broken: str
) -> None:
    planted = _planted(tree, module, source)
    try:
        result = _lint(tree)
    finally:
        planted.unlink()
    assert result.returncode != 0
    assert f"{broken}" in result.stdout
    assert "BROKEN" in result.stdout
    assert module in result.stdout
