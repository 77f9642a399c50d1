"""Aurora's staff by role: Aino owns it; Bertil, CX manager; Anna, analyst; Eero, executive."""

from __future__ import annotations

from typing import Any

import pytest

from cx.models import Organization, Role
from cx.services.organizations import member_add, staff_user_create


def member_added(organization: Organization, role: Role, username: str) -> Any:
    """Return a new staff user, made a member of ``organization`` in ``role``."""
    user = staff_user_create(
        username=username, email=f"{username}@example.com", password="pw"
    )
    member_add(organization=organization, user=user, role=role)
    return user


@pytest.fixture
def staff(aurora, aino):  # type: ignore[no-untyped-def]
    """Return Aurora's staff by role."""
    return {
        Role.OWNER: aino,
        Role.CX_MANAGER: member_added(aurora, Role.CX_MANAGER, "bertil"),
        Role.ANALYST: member_added(aurora, Role.ANALYST, "anna"),
        Role.EXECUTIVE: member_added(aurora, Role.EXECUTIVE, "eero"),
    }
