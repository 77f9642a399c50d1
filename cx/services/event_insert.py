"""One event in one statement (PostgreSQL), and stored events built without a read-back.

Real-time integrations post one event per request, so the single-event path is a single
round trip: a data-modifying CTE upserts the customer and inserts the event, skipping
both when the event id is stored already (a retry changes nothing), and returns the
customer row as stored. ``event_built`` makes the ``Event`` the rest of the request
works with from what is in memory.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from cx.models import Customer, Event, Organization
from cx.selectors import TouchpointMap
from cx.services.bulk import stored_instance
from cx.services.customers import customer_from_row, customer_merge_sql

if TYPE_CHECKING:
    from cx.services.events import EventIn

INSERT_EVENT = (
    "INSERT INTO cx_event (organization_id, event_id, type, customer_id, touchpoint_id, "
    "occurred_at, received_at, properties) "
)


def event_built(
    *,
    organization: Organization,
    pk: int,
    posted: EventIn,
    customer: Customer | None,
    touchpoints: TouchpointMap,
    received_at: datetime,
) -> Event:
    """Return the event just stored as row ``pk``, with customer and touchpoint attached."""
    touchpoint_id = touchpoints.by_event_type.get(posted.type)
    return stored_instance(
        Event,
        {
            "id": pk,
            "organization_id": organization.id,
            "event_id": posted.event_id,
            "type": posted.type,
            "customer_id": customer.id if customer else None,
            "touchpoint_id": touchpoint_id,
            "occurred_at": posted.occurred_at or received_at,
            "received_at": received_at,
            "properties": posted.properties,
        },
        organization=organization,
        customer=customer,
        touchpoint=touchpoints.by_id[touchpoint_id] if touchpoint_id else None,
    )


def event_insert_one(
    *, organization: Organization, event: EventIn, touchpoints: TouchpointMap
) -> Event | None:
    """Store ``event`` and its customer in one statement; None if stored before."""
    now = timezone.now()
    values = [
        event.event_id,
        event.type,
        touchpoints.by_event_type.get(event.type),
        event.occurred_at or now,
        now,
        json.dumps(event.properties),
    ]
    with connection.cursor() as cursor:
        if event.customer is None:
            cursor.execute(
                f"{INSERT_EVENT} VALUES (%s, %s, %s, NULL, %s, %s, %s, %s::jsonb) "
                "ON CONFLICT (organization_id, event_id) DO NOTHING RETURNING id",
                [organization.pk, *values],
            )
            row = cursor.fetchone()
            customer = None
        else:
            c = event.customer
            # Column names are fixed here; only values travel as parameters.
            cursor.execute(
                "WITH customer AS (INSERT INTO cx_customer (organization_id, "  # noqa: S608
                "external_id, email, name, language, attributes, opted_out, "
                "created_at, updated_at) "
                "SELECT %s, %s, %s, %s, %s, %s::jsonb, false, %s, %s "
                "WHERE NOT EXISTS (SELECT 1 FROM cx_event "
                "WHERE organization_id = %s AND event_id = %s) "
                f"{customer_merge_sql()}), "
                f"stored AS ({INSERT_EVENT}"
                "SELECT %s, %s, %s, customer.id, %s, %s, %s, %s::jsonb FROM customer "
                "ON CONFLICT (organization_id, event_id) DO NOTHING RETURNING id) "
                "SELECT stored.id, customer.* FROM stored, customer",
                [
                    organization.pk,
                    c.external_id,
                    c.email,
                    c.name,
                    c.language,
                    json.dumps(c.attributes),
                    now,
                    now,
                    organization.pk,
                    event.event_id,
                    organization.pk,
                    *values,
                ],
            )
            row = cursor.fetchone()
            customer = customer_from_row(organization, row[1:], now) if row else None
    if row is None:
        return None
    return event_built(
        organization=organization,
        pk=row[0],
        posted=event,
        customer=customer,
        touchpoints=touchpoints,
        received_at=now,
    )
