"""A version stamp per organisation for what event ingestion compiles, and its cache.

Ingesting an event needs the organisation's configuration: touchpoints by event type,
and (in the surveys app) trigger rules with their surveys, segments and contact policy.
Loading them on every request cost most of the request, so each process keeps them
compiled, per organisation, next to the ``Organization.config_version`` they were
compiled at, and compiles again when the version differs.

The version is bumped by **database triggers** (installed after every ``migrate`` by
:func:`bump_triggers_install`, for the tables each app names): every INSERT, UPDATE or
DELETE of such a row increments its organisation's ``config_version`` in the same
transaction — whatever wrote it (admin, API, services, the demo loader,
``QuerySet.update()``, bulk creates, raw SQL). Signals would miss the last three.
The API key lookup reads the organisation row on every request anyway, so checking the
version costs no query; a request that starts after a change commits sees the new
version and recompiles. ``Organization.save()`` never writes the column back, so a
stale in-memory organisation cannot turn the stamp back to a cached version.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db.backends.base.base import BaseDatabaseWrapper

from cx.models import Organization

T = TypeVar("T")

# (name, organisation id) → (stamp, value); the stamp has the organisation's creation
# time too, so that an id used again (SQLite, rolled-back tests) never finds old values.
_cache: dict[tuple[str, int], tuple[tuple[Any, int], Any]] = {}
_lock = threading.Lock()

BUMP = "UPDATE cx_organization SET config_version = config_version + 1 WHERE id = {}"


def versioned(organization: Organization, name: str, compile_: Callable[[], T]) -> T:
    """Return ``compile_()`` for ``organization``, compiled once per config version.

    ``organization`` must be fresh from the database (the request's own): its
    ``config_version`` is the one the cached value is held against.
    """
    key = (name, organization.pk)
    stamp = (organization.created_at, organization.config_version)
    found = _cache.get(key)
    if found is not None and found[0] == stamp:
        return found[1]
    value = compile_()
    with _lock:
        _cache[key] = (stamp, value)
    return value


def versioned_clear() -> None:
    """Forget every compiled value (tests that reuse primary keys across databases)."""
    with _lock:
        _cache.clear()


def bump_triggers_install(
    connection: BaseDatabaseWrapper,
    *,
    tables: Sequence[str],
    via_rule: Sequence[str] = (),
) -> None:
    """Install (idempotently) the triggers that bump ``config_version`` on writes.

    ``tables`` have an ``organization_id`` column; ``via_rule`` are many-to-many tables
    of trigger rules (``triggerrule_id``), whose organisation is the rule's.
    """
    existing = set(connection.introspection.table_names())
    tables = [table for table in tables if table in existing]
    via_rule = [table for table in via_rule if table in existing]
    if connection.vendor == "postgresql":
        statements = _postgresql(tables, via_rule)
    elif connection.vendor == "sqlite":
        statements = _sqlite(tables, via_rule)
    else:  # pragma: no cover - the product runs on PostgreSQL and SQLite only
        raise NotImplementedError(connection.vendor)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _postgresql(tables: Sequence[str], via_rule: Sequence[str]) -> list[str]:
    org_of = {
        "direct": ("{}.organization_id", tables),
        "rule": (
            "(SELECT organization_id FROM surveys_triggerrule WHERE id = {}.triggerrule_id)",
            via_rule,
        ),
    }
    statements = []
    for kind, (expression, names) in org_of.items():
        if not names:
            continue
        old, new = expression.format("OLD"), expression.format("NEW")
        statements.append(
            f"CREATE OR REPLACE FUNCTION cx_config_bump_{kind}() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP <> 'INSERT' THEN {BUMP.format(old)}; END IF; "
            f"IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND {new} IS DISTINCT FROM {old}) "
            f"THEN {BUMP.format(new)}; END IF; "
            "RETURN NULL; END $$"
        )
        for table in names:
            statements.append(f"DROP TRIGGER IF EXISTS cx_config_bump ON {table}")
            statements.append(
                f"CREATE TRIGGER cx_config_bump AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION cx_config_bump_{kind}()"
            )
    return statements


def _sqlite(tables: Sequence[str], via_rule: Sequence[str]) -> list[str]:
    statements = []
    for table in [*tables, *via_rule]:
        if table in tables:
            old, new = "OLD.organization_id", "NEW.organization_id"
        else:
            rule = "(SELECT organization_id FROM surveys_triggerrule WHERE id = {})"
            old, new = (
                rule.format("OLD.triggerrule_id"),
                rule.format("NEW.triggerrule_id"),
            )
        for event, target in (
            ("INSERT", f"id = {new}"),
            ("UPDATE", f"id IN ({old}, {new})"),
            ("DELETE", f"id = {old}"),
        ):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS cx_config_bump_{table}_{event.lower()} "  # noqa: S608
                f"AFTER {event} ON {table} BEGIN "
                "UPDATE cx_organization SET config_version = config_version + 1 "
                f"WHERE {target}; END"
            )
    return statements


def bump_triggers_drop_sqlite(using: str = "default", **kwargs: object) -> None:
    """Drop SQLite's bump triggers before migrating; ``post_migrate`` puts them back.

    SQLite alters a table by building a new one and renaming it; a trigger of another
    table that names the old one (the rule tables' triggers read
    ``surveys_triggerrule``) then fails the migration. PostgreSQL alters in place.
    """
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'cx_config_bump_%'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def on_post_migrate(
    tables: Sequence[str], via_rule: Sequence[str] = ()
) -> Callable[..., None]:
    """Return a ``post_migrate`` receiver installing the triggers for these tables."""

    def receiver(using: str = "default", **kwargs: object) -> None:
        from django.db import connections

        bump_triggers_install(connections[using], tables=tables, via_rule=via_rule)

    return receiver
