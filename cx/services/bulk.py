"""Set-based SQL helpers for bulk writes on PostgreSQL and SQLite."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Model
from django.db.models.base import ModelState

# SQLite caps the parameters of one statement; PostgreSQL gets one parameter in all.
SQLITE_CHUNK = 500

Column = tuple[str, str]  # (name, PostgreSQL type)
M = TypeVar("M", bound=Model)


def _time_stamps() -> Callable[[object], str]:
    """Return an encoder of what the JSON encoder does not know itself: time stamps.

    Most rows of a batch share one time stamp object (the time it was received), and
    an aware ``isoformat`` costs more than encoding the rest of its row: each object is
    formatted once (by identity: every value lives as long as the rows do).
    """
    formatted: dict[int, str] = {}

    def encode(value: object) -> str:
        if not isinstance(value, datetime):
            raise TypeError(f"{type(value).__name__} is not JSON serializable")
        text = formatted.get(id(value))
        if text is None:
            text = formatted[id(value)] = value.isoformat()
        return text

    return encode


def rows_source(
    rows: Sequence[Sequence[object]], columns: Sequence[Column]
) -> tuple[str, list[Any]]:
    """Return SQL yielding ``rows`` (for ``INSERT … <source>``) and its parameters.

    On PostgreSQL all rows travel as one JSON document, an array of arrays expanded by
    ``jsonb_array_elements``: a statement of a fixed, short shape however many rows
    there are, encoded by one call of the C JSON encoder with no Python step per row or
    value (time stamps excepted). On SQLite they are a ``VALUES`` list. JSON columns
    take Python dicts and lists.
    """
    if connection.vendor == "postgresql":
        document = json.dumps(rows, default=_time_stamps())
        # Column types come from our code, never from input.
        values = ", ".join(
            f"r -> {i}" if sql_type == "jsonb" else f"(r ->> {i})::{sql_type}"
            for i, (_, sql_type) in enumerate(columns)
        )
        return f"SELECT {values} FROM jsonb_array_elements(%s::jsonb) AS r", [document]  # noqa: S608
    json_columns = [i for i, (_, sql_type) in enumerate(columns) if sql_type == "jsonb"]
    adapt = connection.ops.adapt_datetimefield_value
    params: list[Any] = []
    for row in rows:
        cells = list(row)
        for i in json_columns:
            cells[i] = json.dumps(cells[i])
        params += [adapt(v) if isinstance(v, datetime) else v for v in cells]
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return "VALUES " + ", ".join([placeholder] * len(rows)), params


def chunks(rows: Sequence[Sequence[object]]) -> list[Sequence[Sequence[object]]]:
    """Split ``rows`` into statements the database accepts (one on PostgreSQL)."""
    if connection.vendor == "postgresql" or len(rows) <= SQLITE_CHUNK:
        return [rows]
    return [
        rows[start : start + SQLITE_CHUNK]
        for start in range(0, len(rows), SQLITE_CHUNK)
    ]


def stored_instance(
    model: type[M], values: dict[str, Any], **related: Model | None
) -> M:
    """Return a ``model`` row as stored, from its column values, with relations attached.

    Built as ``Model.__init__`` leaves an instance, without its per-field descriptor
    and signal work, which a batch of a thousand events would pay two thousand times
    (no app listens to ``pre_init``/``post_init`` of the models built here; the
    instance is what ``Model.from_db`` returns: every concrete field in ``__dict__``,
    relations in the state's field cache).
    """
    instance = model.__new__(model)
    attributes = instance.__dict__
    for name in _attnames(model):
        attributes[name] = values[name]
    state = ModelState()
    state.adding = False
    # ``connection`` is always the default alias; reading it through the proxy costs a
    # thread-local lookup per instance.
    state.db = DEFAULT_DB_ALIAS
    if related:
        state.fields_cache = {
            _cache_name(model, name): value for name, value in related.items()
        }
    attributes["_state"] = state
    return instance


@cache
def _attnames(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


@cache
def _cache_name(model: type[Model], name: str) -> str:
    return model._meta.get_field(name).cache_name  # type: ignore[union-attr]
