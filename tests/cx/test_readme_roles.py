"""README's table of roles is the code's table, word for word."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from cx.models import Role
from cx.roles import PERMISSION_LABELS, ROLE_PERMISSIONS, Permission

README = Path(__file__).resolve().parents[2] / "README.md"
COLUMNS = [Role.OWNER, Role.CX_MANAGER, Role.ANALYST, Role.EXECUTIVE]
ROW = re.compile(r"^\| (?P<label>.+) \(`(?P<key>[a-z_]+)`\) \| (?P<marks>.+) \|$")


def readme_table() -> dict[str, tuple[str, set[Role]]]:
    rows = {}
    for line in README.read_text().splitlines():
        found = ROW.match(line)
        if found is None:
            continue
        marks = [mark.strip() for mark in found["marks"].split("|")]
        assert len(marks) == len(COLUMNS), line
        allowed = {
            role for role, mark in zip(COLUMNS, marks, strict=True) if mark == "✓"
        }
        rows[found["key"]] = (found["label"], allowed)
    return rows


def test_readme_lists_every_permission_with_the_roles_the_code_gives_it():
    with translation.override("en"):
        expected = {
            permission.value: (
                str(PERMISSION_LABELS[permission]),
                {role for role in COLUMNS if permission in ROLE_PERMISSIONS[role]},
            )
            for permission in Permission
        }

    assert readme_table() == expected
