"""Event ingestion: store each business event once, with its customer and touchpoint.

A batch costs a fixed handful of statements whatever its size: one lookup of known
event ids, one customer upsert, one ``INSERT … ON CONFLICT DO NOTHING``; a single event
on PostgreSQL costs one statement (``cx.services.event_insert``). The stored events are
built in memory from what the statements return — customers as the upsert left them,
touchpoints from the organisation's compiled map (``cx.selectors.touchpoint_map``) — so
only events stored before (retries) are read back. Idempotency rests on the
``event_id_once`` constraint, so concurrent retries of the same event store it once.

Other apps act on new events in the same transaction through the receivers named in the
``CX_EVENT_RECEIVERS`` setting (the composition point that keeps ``cx`` free of imports
of ``surveys``): each is called as ``receiver(organization=..., events=[...])`` with the
events this call created, and returns the output fields it adds per event (what its
``CX_EVENT_DETAILS`` provider would read back), so the answer needs no query either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from cx.models import Customer, Event, Organization
from cx.plugins import plugins
from cx.selectors import TouchpointMap, touchpoint_map
from cx.services.bulk import chunks, rows_source
from cx.services.customers import CustomerIn, customers_upsert_rows
from cx.services.event_insert import event_built, event_insert_one

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

Details = dict[str, Any]
EventReceiver = Callable[..., Mapping[int, Details] | None]


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
    """What happened to one posted event: the stored event, whether this call stored it,
    and its extra output fields when the receivers reported them (else None)."""

    event: Event
    created: bool
    details: Details | None = None


def event_receivers() -> tuple[EventReceiver, ...]:
    """Return the callables that act on newly stored events."""
    return plugins("CX_EVENT_RECEIVERS")


@transaction.atomic
def events_record(
    *, organization: Organization, events: Sequence[EventIn]
) -> list[EventOutcome]:
    """Store ``events`` once each and return an outcome per input, in input order."""
    touchpoints = touchpoint_map(organization=organization)
    if len(events) == 1 and connection.vendor == "postgresql":
        one = event_insert_one(
            organization=organization, event=events[0], touchpoints=touchpoints
        )
        created = [one] if one is not None else []
    else:
        created = _insert(
            organization=organization, events=events, touchpoints=touchpoints
        )
    details = _receivers_run(organization=organization, created=created)

    fresh = {event.event_id: event for event in created}
    retried = [e.event_id for e in events if e.event_id not in fresh]
    stored = _read_back(
        organization=organization, event_ids=retried, touchpoints=touchpoints
    )
    outcomes = []
    for posted in events:
        # The first mention of an event id this call stored is its creation; any
        # later one in the same call is a duplicate of it.
        event = fresh.pop(posted.event_id, None)
        if event is not None:
            outcomes.append(EventOutcome(event, True, details.get(event.id)))
            stored[posted.event_id] = event
        else:
            outcomes.append(EventOutcome(stored[posted.event_id], False))
    return outcomes


def _receivers_run(
    *, organization: Organization, created: list[Event]
) -> dict[int, Details]:
    """Call the receivers; return the output fields of each created event, if all said."""
    if not created:
        return {}
    details: dict[int, Details] = {event.pk: {} for event in created}
    complete = True
    for receiver in event_receivers():
        said = receiver(organization=organization, events=created)
        if said is None:
            complete = False
            continue
        for pk, fields in said.items():
            details[pk].update(fields)
    return details if complete else {}


def _read_back(
    *, organization: Organization, event_ids: list[str], touchpoints: TouchpointMap
) -> dict[str, Event]:
    """Return events stored before this call by event id, customer and touchpoint attached."""
    if not event_ids:
        return {}
    events = (
        Event.objects.for_organization(organization)
        .filter(event_id__in=list(dict.fromkeys(event_ids)))
        .select_related("customer")
        .defer("customer__created_at", "customer__updated_at")
    )
    stored = {}
    for event in events:
        if event.touchpoint_id is not None:
            event.touchpoint = touchpoints.by_id[event.touchpoint_id]
        stored[event.event_id] = event
    return stored


def _known(*, organization: Organization, event_ids: list[str]) -> set[str]:
    """Return which of ``event_ids`` the organisation has stored."""
    if connection.vendor != "postgresql":
        return set(
            Event.objects.for_organization(organization)
            .filter(event_id__in=event_ids)
            .values_list("event_id", flat=True)
        )
    # One array parameter rather than a thousand placeholders bound client-side.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT event_id FROM cx_event "
            "WHERE organization_id = %s AND event_id = ANY(%s)",
            [organization.id, event_ids],
        )
        return {event_id for (event_id,) in cursor.fetchall()}


def _insert(
    *, organization: Organization, events: Sequence[EventIn], touchpoints: TouchpointMap
) -> list[Event]:
    """Insert the events not stored yet; return those this call created, built in memory."""
    known = _known(
        organization=organization,
        event_ids=list(dict.fromkeys(event.event_id for event in events)),
    )
    fresh: dict[str, EventIn] = {}
    for event in events:
        if event.event_id not in known and event.event_id not in fresh:
            fresh[event.event_id] = event
    if not fresh:
        return []
    received_at = timezone.now()
    customers = customers_upsert_rows(
        organization=organization,
        customers=[e.customer for e in fresh.values() if e.customer is not None],
        now=received_at,
    )
    by_event_type = touchpoints.by_event_type
    rows = [
        (
            organization.id,
            event.event_id,
            event.type,
            customers[event.customer.external_id].id if event.customer else None,
            by_event_type.get(event.type),
            event.occurred_at or received_at,
            received_at,
            event.properties,
        )
        for event in fresh.values()
    ]
    created: list[Event] = []
    with connection.cursor() as cursor:
        for chunk in chunks(rows):
            source, params = rows_source(chunk, EVENT_COLUMNS)
            # A concurrent request may have stored some of these since we looked: the
            # constraint makes them no-ops, and they are read back as already known.
            cursor.execute(
                "INSERT INTO cx_event (organization_id, event_id, type, customer_id, "
                f"touchpoint_id, occurred_at, received_at, properties) {source} "
                "ON CONFLICT (organization_id, event_id) DO NOTHING "
                "RETURNING id, event_id",
                params,
            )
            for pk, event_id in cursor.fetchall():
                posted = fresh[event_id]
                customer: Customer | None = (
                    customers[posted.customer.external_id] if posted.customer else None
                )
                created.append(
                    event_built(
                        organization=organization,
                        pk=pk,
                        posted=posted,
                        customer=customer,
                        touchpoints=touchpoints,
                        received_at=received_at,
                    )
                )
    return created
