"""Event ingestion: store each business event once, with its customer and touchpoint.

A batch of events costs a fixed handful of statements whatever its size: one lookup of
known event ids, one customer upsert, one touchpoint map, one ``INSERT … ON CONFLICT DO
NOTHING``, one read-back. Idempotency rests on the ``event_id_once`` constraint, so
concurrent retries of the same event store it exactly once.

Other apps act on new events in the same transaction through the receivers named in the
``CX_EVENT_RECEIVERS`` setting (the composition point that keeps ``cx`` free of imports
of ``surveys``): each is called as ``receiver(organization=..., events=[...])`` with the
events this call created.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from cx.models import Event, Organization, Touchpoint
from cx.selectors import touchpoint_ids_by_event_type
from cx.services.bulk import chunks, rows_source
from cx.services.customers import CustomerIn, customers_upsert

EVENT_COLUMNS = (
    ("organization_id", "bigint"),
    ("event_id", "text"),
    ("type", "text"),
    ("customer_id", "bigint"),
    ("touchpoint_id", "bigint"),
    ("occurred_at", "timestamptz"),
    ("received_at", "timestamptz"),
    ("properties", "jsonb"),
)

EventReceiver = Callable[..., None]


@dataclass
class EventIn:
    """A validated business event as posted by an integrating system."""

    event_id: str
    type: str
    occurred_at: datetime | None = None
    customer: CustomerIn | None = None
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EventOutcome:
    """What happened to one posted event: the stored event, and whether this call stored it."""

    event: Event
    created: bool


@cache
def event_receivers() -> tuple[EventReceiver, ...]:
    """Return the callables that act on newly stored events."""
    return tuple(
        import_string(path) for path in getattr(settings, "CX_EVENT_RECEIVERS", ())
    )


@transaction.atomic
def events_record(
    *, organization: Organization, events: Sequence[EventIn]
) -> list[EventOutcome]:
    """Store ``events`` once each and return an outcome per input, in input order."""
    posted_ids = list(dict.fromkeys(event.event_id for event in events))
    known = set(
        Event.objects.for_organization(organization)
        .filter(event_id__in=posted_ids)
        .values_list("event_id", flat=True)
    )
    fresh: dict[str, EventIn] = {}
    for event in events:
        if event.event_id not in known and event.event_id not in fresh:
            fresh[event.event_id] = event

    created_pks = _insert(organization=organization, events=list(fresh.values()))
    stored = _read_back(organization=organization, event_ids=posted_ids)
    created = [event for event in stored.values() if event.pk in created_pks]
    if created:
        for receiver in event_receivers():
            receiver(organization=organization, events=created)

    outcomes = []
    first_seen: set[str] = set()
    for posted in events:
        event = stored[posted.event_id]
        is_new = event.pk in created_pks and posted.event_id not in first_seen
        first_seen.add(posted.event_id)
        outcomes.append(EventOutcome(event=event, created=is_new))
    return outcomes


def _read_back(*, organization: Organization, event_ids: list[str]) -> dict[str, Event]:
    """Return the stored events by event id, with customer and touchpoint attached.

    Touchpoints (a few dozen per organisation) are loaded once and attached, instead of
    being joined and rebuilt for every event of a large batch.
    """
    touchpoints = {
        touchpoint.pk: touchpoint
        for touchpoint in Touchpoint.objects.for_organization(
            organization
        ).select_related("journey")
    }
    events = (
        Event.objects.for_organization(organization)
        .filter(event_id__in=event_ids)
        .select_related("customer")
        .defer("customer__created_at", "customer__updated_at")
    )
    stored = {}
    for event in events:
        if event.touchpoint_id is not None:
            event.touchpoint = touchpoints[event.touchpoint_id]
        stored[event.event_id] = event
    return stored


def _insert(*, organization: Organization, events: list[EventIn]) -> set[int]:
    """Insert ``events``; return the primary keys of the rows this call created."""
    if not events:
        return set()
    customer_ids = customers_upsert(
        organization=organization,
        customers=[event.customer for event in events if event.customer is not None],
    )
    touchpoints = touchpoint_ids_by_event_type(organization=organization)
    received_at = timezone.now()
    rows = [
        (
            organization.pk,
            event.event_id,
            event.type,
            customer_ids[event.customer.external_id] if event.customer else None,
            touchpoints.get(event.type),
            event.occurred_at or received_at,
            received_at,
            event.properties,
        )
        for event in events
    ]
    created: set[int] = set()
    with connection.cursor() as cursor:
        for chunk in chunks(rows):
            source, params = rows_source(chunk, EVENT_COLUMNS)
            # A concurrent request may have stored some of these since we looked: the
            # constraint makes them no-ops, and they are read back as already known.
            cursor.execute(
                "INSERT INTO cx_event (organization_id, event_id, type, customer_id, "
                f"touchpoint_id, occurred_at, received_at, properties) {source} "
                "ON CONFLICT (organization_id, event_id) DO NOTHING RETURNING id",
                params,
            )
            created.update(pk for (pk,) in cursor.fetchall())
    return created
