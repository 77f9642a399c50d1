"""Reads shaped for large tables: several at once, and long lists of ids.

``side_by_side`` runs independent reads on connections of their own when that is safe;
``one_of`` says "this column is one of these ids" in the cheapest form the database
takes. Neither changes what a read finds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import tzinfo
from typing import Any

from django.db import connection, connections
from django.db.models import BooleanField, F, Func, Q, Value
from django.utils import timezone


def side_by_side(reads: Mapping[str, Callable[[], Any]]) -> dict[str, Any]:
    """Return each read's result, the reads run side by side where that is safe.

    On PostgreSQL outside a transaction the first read runs on the caller's connection
    and every other one in a thread, on a connection of its own (closed after), so
    their scans overlap. Inside a transaction (a test, a caller's atomic block) or on
    SQLite the reads run one after the other on the caller's connection: another
    connection would not see uncommitted rows, and SQLite serialises them anyway. Each
    query sees the rows committed when it starts, as it would one after the other; the
    results are the same either way.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return {name: read() for name, read in reads.items()}
    first, *others = reads
    zone = timezone.get_current_timezone()  # a thread starts in the default one
    with ThreadPoolExecutor(max_workers=max(1, len(others))) as pool:
        futures = {
            name: pool.submit(_on_own_connection, reads[name], zone) for name in others
        }
        found = {first: reads[first]()}  # the caller's own connection takes one
        return found | {name: future.result() for name, future in futures.items()}


def _on_own_connection(read: Callable[[], Any], zone: tzinfo) -> Any:
    """Run ``read`` in a worker thread in time zone ``zone``, then close its connections."""
    try:
        with timezone.override(zone):
            return read()
    finally:
        connections.close_all()


class _EqualsAny(Func):
    """PostgreSQL's ``column = ANY(array)``."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


def one_of(column: str, ids: list[int]) -> Q | Func:
    """Return the condition ``column`` is one of ``ids``, for a long list of ids.

    On PostgreSQL the ids go as one array parameter: an IN list of thousands of values
    costs the driver a placeholder each to bind, and the server a constant each to parse
    and plan, about as long together as the index lookups it asks for.
    """
    if connection.vendor == "postgresql":
        return _EqualsAny(F(column), Value(ids))
    return Q(**{f"{column}__in": ids})
