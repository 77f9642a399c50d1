"""The role and scope table, read without a database: who may do what, and nothing else."""

from __future__ import annotations

import pytest

from cx.models import Role
from cx.roles import (
    DEFAULT_SCOPE,
    PERMISSION_LABELS,
    ROLE_PERMISSIONS,
    SCOPE_LABELS,
    Permission,
    Scope,
    permissions_of,
    role_may,
    roles_with,
)


@pytest.mark.parametrize("role", [None, "", "janitor", "OWNER"])
def test_no_role_or_an_unknown_one_may_do_nothing(role: str | None) -> None:
    assert not any(role_may(role, permission) for permission in Permission)
    assert permissions_of(role) == frozenset()


def test_an_owner_may_do_everything_and_an_executive_only_read_and_assess() -> None:
    assert permissions_of(Role.OWNER) == frozenset(Permission)
    assert permissions_of("executive") == {
        Permission.VIEW_DASHBOARD,
        Permission.VIEW_MATURITY,
        Permission.ASSESS_MATURITY,
    }
    assert role_may("owner", Permission.ERASE_CUSTOMERS)
    assert not role_may("executive", Permission.VIEW_FEEDBACK)


@pytest.mark.parametrize("role", list(Role))
def test_role_may_agrees_with_the_table_for_every_permission(role: Role) -> None:
    for permission in Permission:
        assert role_may(role, permission) is (permission in ROLE_PERMISSIONS[role])
        assert role_may(role.value, permission) is role_may(role, permission)


def test_only_the_owner_erases_customers_and_manages_the_organisation() -> None:
    assert roles_with(Permission.ERASE_CUSTOMERS) == [Role.OWNER]
    assert roles_with(Permission.MANAGE_ORGANIZATION) == [Role.OWNER]
    assert roles_with(Permission.VIEW_DASHBOARD) == list(Role)
    assert roles_with(Permission.WORK_CASES) == [Role.OWNER, Role.CX_MANAGER]


def test_an_analyst_reads_and_annotates_but_changes_nothing() -> None:
    may = permissions_of(Role.ANALYST)

    assert Permission.ANNOTATE_FEEDBACK in may
    assert not may & {
        Permission.CONFIGURE_CX,
        Permission.WORK_CASES,
        Permission.ERASE_CUSTOMERS,
        Permission.MANAGE_ORGANIZATION,
        Permission.VIEW_AUDIT_LOG,
    }


def test_every_permission_and_scope_has_a_label_and_the_default_is_narrowest() -> None:
    assert set(PERMISSION_LABELS) == set(Permission)
    assert set(SCOPE_LABELS) == set(Scope)
    assert DEFAULT_SCOPE == Scope.EVENTS_WRITE == "events:write"
