"""Reads of the core domain that span relations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Count, Model, QuerySet

from cx.models import (
    ApiKey,
    Event,
    Journey,
    Membership,
    Organization,
    Touchpoint,
    TouchpointEventType,
)
from cx.plugins import plugins
from cx.versioning import versioned


@dataclass(frozen=True)
class TouchpointMap:
    """The organisation's touchpoints as event ingestion needs them."""

    by_event_type: dict[str, int]
    by_id: dict[int, Touchpoint]  # with the journey attached, for the answer


def touchpoint_map(*, organization: Organization) -> TouchpointMap:
    """Return the organisation's touchpoints, compiled once per config version."""
    return versioned(organization, "touchpoints", lambda: _touchpoints(organization))


def _touchpoints(organization: Organization) -> TouchpointMap:
    return TouchpointMap(
        by_event_type=dict(
            TouchpointEventType.objects.for_organization(organization).values_list(
                "event_type", "touchpoint_id"
            )
        ),
        by_id={
            touchpoint.pk: touchpoint
            for touchpoint in Touchpoint.objects.for_organization(
                organization
            ).select_related("journey")
        },
    )


def journeys_with_touchpoints(*, organization: Organization) -> QuerySet[Journey]:
    """Return the organisation's journeys with touchpoints and event types prefetched."""
    return (
        Journey.objects.for_organization(organization)
        .prefetch_related("touchpoints__event_types")
        .annotate(touchpoint_count=Count("touchpoints"))
    )


def _detail_providers() -> tuple[Any, ...]:
    return plugins("CX_EVENT_DETAILS")


def event_details(events: Sequence[Event]) -> dict[int, dict[str, Any]]:
    """Return extra output fields per event from the apps that act on events.

    The apps are named in ``CX_EVENT_DETAILS`` (the surveys app adds the invitations an
    event scheduled), so that cx shows them without importing those apps.
    """
    details: dict[int, dict[str, Any]] = {event.pk: {} for event in events}
    for provider in _detail_providers():
        for pk, fields in provider(events).items():
            details[pk].update(fields)
    return details


def api_key_active(*, lookup: str) -> ApiKey | None:
    """Return the unrevoked API key ``lookup`` with its organisation attached, or None.

    Every API request asks this, so it is one plain statement: the ORM's building of
    the joined query cost more than running it. The row is read on every request (never
    cached), so a revoked key is refused at once, and the organisation's
    ``config_version`` comes fresh with it.
    """
    key_columns, organization_columns = _columns(ApiKey), _columns(Organization)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(f'k.{c}' for c, _ in key_columns)}, "  # noqa: S608
            f"{', '.join(f'o.{c}' for c, _ in organization_columns)} "
            "FROM cx_apikey k JOIN cx_organization o ON o.id = k.organization_id "
            "WHERE k.lookup = %s AND k.revoked_at IS NULL",
            [lookup],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(key_columns)
    organization = _instance(Organization, organization_columns, row[split:])
    key = _instance(ApiKey, key_columns, row[:split])
    ApiKey._meta.get_field("organization").set_cached_value(key, organization)
    return key


@cache
def _columns_of(
    model: type[Model], vendor: str
) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """Return each concrete column of ``model`` with the converters a read applies."""
    columns: list[tuple[str, tuple[Any, ...]]] = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(
            column
        ) + column.get_db_converters(connection)
        assert field.column is not None  # a concrete field has its column
        columns.append((field.column, (column, tuple(converters))))
    return tuple(columns)


def _columns(model: type[Model]) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    return _columns_of(model, connection.vendor)


def _instance(
    model: type[Model], columns: tuple[tuple[str, tuple[Any, ...]], ...], row: Any
) -> Any:
    values = []
    for value, (_, (column, converters)) in zip(row, columns, strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        values.append(value)
    instance = model(*values)
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def member_language_saved(*, user_id: int) -> str:
    """Return the language the user chose (on their first membership), or ``""``."""
    return (
        Membership.objects.filter(user_id=user_id)
        .exclude(language="")
        .order_by("pk")
        .values_list("language", flat=True)
        .first()
        or ""
    )
