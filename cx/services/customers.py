"""Customers: upserted by ``external_id``, set-based, and erased on request."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cx.models import Customer, Organization
from cx.plugins import plugins
from cx.services.bulk import chunks, rows_source, stored_instance
from cx.services.privacy import admin_history_redact, events_renamed

CUSTOMER_COLUMNS = (
    ("organization_id", "bigint"),
    ("external_id", "text"),
    ("email", "text"),
    ("name", "text"),
    ("language", "text"),
    ("attributes", "jsonb"),
    ("opted_out", "boolean"),
    ("created_at", "timestamptz"),
    ("updated_at", "timestamptz"),
)


@dataclass
class CustomerIn:
    """A customer as an integrating system describes it; empty fields change nothing."""

    external_id: str
    email: str = ""
    name: str = ""
    language: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)

    def absorb(self, later: CustomerIn) -> None:
        """Fold a later description of the same customer into this one."""
        self.email = later.email or self.email
        self.name = later.name or self.name
        self.language = later.language or self.language
        self.attributes = {**self.attributes, **later.attributes}


def _merged(customers: Iterable[CustomerIn]) -> list[CustomerIn]:
    """Return one description per external id (an upsert may touch a row only once).

    The descriptions are the caller's, but for those folded together, which are copies.
    """
    by_id: dict[str, CustomerIn] = {}
    copied: set[str] = set()
    for customer in customers:
        first = by_id.get(customer.external_id)
        if first is None:
            by_id[customer.external_id] = customer
            continue
        if customer.external_id not in copied:
            first = replace(first, attributes=dict(first.attributes))
            by_id[customer.external_id] = first
            copied.add(customer.external_id)
        first.absorb(customer)
    return list(by_id.values())


def _attributes_merge_sql() -> str:
    if connection.vendor == "postgresql":
        return "cx_customer.attributes || excluded.attributes"
    return "json_patch(cx_customer.attributes, excluded.attributes)"


def customer_merge_sql() -> str:
    """Return ``ON CONFLICT … RETURNING`` of a customer upsert (see ``customers_upsert``)."""
    return (
        "ON CONFLICT (organization_id, external_id) DO UPDATE SET "
        "email = CASE WHEN excluded.email <> '' THEN excluded.email "
        "ELSE cx_customer.email END, "
        "name = CASE WHEN excluded.name <> '' THEN excluded.name "
        "ELSE cx_customer.name END, "
        "language = CASE WHEN excluded.language <> '' THEN excluded.language "
        "ELSE cx_customer.language END, "
        f"attributes = {_attributes_merge_sql()}, "
        "updated_at = excluded.updated_at "
        f"RETURNING {', '.join(RETURNED)}"
    )


# What an upsert returns of each customer. Both time stamps are known without reading
# them back: ``updated_at`` is always the upsert's own time, and so is ``created_at``
# of a customer it created (returned as NULL, so only older customers' are parsed).
RETURNED = (
    "id",
    "external_id",
    "email",
    "name",
    "language",
    "attributes",
    "opted_out",
    "NULLIF(created_at, updated_at) AS created_before",
)


def customer_from_row(
    organization: Organization, row: Sequence[Any], now: datetime
) -> Customer:
    """Return the customer of a row in ``RETURNED`` order, as stored, without a query.

    ``now`` is the upsert's time stamp; ``created_at`` equals it exactly when the upsert
    created the customer.
    """
    pk, external_id, email, name, language, attributes, opted_out, created_before = row
    return stored_instance(
        Customer,
        {
            "id": pk,
            "organization_id": organization.id,
            "external_id": external_id,
            "email": email,
            "name": name,
            "language": language,
            "attributes": json.loads(attributes)
            if isinstance(attributes, str)
            else attributes,
            "opted_out": bool(opted_out),
            "created_at": now if created_before is None else _aware(created_before),
            "updated_at": now,
        },
        organization=organization,
    )


def _aware(value: Any) -> Any:
    """Return a time stamp read by raw SQL as Django would (SQLite returns text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def customers_upsert(
    *, organization: Organization, customers: Sequence[CustomerIn]
) -> dict[str, int]:
    """Insert or update ``customers`` in a few statements; return their ids by external id."""
    rows = customers_upsert_rows(
        organization=organization, customers=customers, now=timezone.now()
    )
    return {external_id: customer.pk for external_id, customer in rows.items()}


def customers_upsert_rows(
    *, organization: Organization, customers: Sequence[CustomerIn], now: datetime
) -> dict[str, Customer]:
    """Insert or update ``customers``; return them as stored, by external id.

    Existing customers keep fields the input leaves empty, and their attributes are merged
    key by key (the input wins), atomically in SQL, so concurrent upserts lose nothing.
    One statement on PostgreSQL; no savepoint inside an outer transaction.
    """
    merged = _merged(customers)
    if not merged:
        return {}
    rows = [
        (
            organization.pk,
            customer.external_id,
            customer.email,
            customer.name,
            customer.language,
            customer.attributes,
            False,
            now,
            now,
        )
        for customer in merged
    ]
    stored: dict[str, Customer] = {}
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for chunk in chunks(rows):
            source, params = rows_source(chunk, CUSTOMER_COLUMNS)
            # Column names and types are fixed here; only values travel as parameters.
            cursor.execute(
                "INSERT INTO cx_customer (organization_id, external_id, email, name, "
                f"language, attributes, opted_out, created_at, updated_at) {source} "
                + customer_merge_sql(),
                params,
            )
            for row in cursor.fetchall():
                customer = customer_from_row(organization, row, now)
                stored[customer.external_id] = customer
    return stored


def customer_upsert(
    *, organization: Organization, customer: CustomerIn
) -> tuple[Customer, bool]:
    """Upsert one customer; return it and whether it was new."""
    existed = (
        Customer.objects.for_organization(organization)
        .filter(external_id=customer.external_id)
        .exists()
    )
    ids = customers_upsert(organization=organization, customers=[customer])
    return Customer.objects.get(pk=ids[customer.external_id]), not existed


@transaction.atomic
def customers_batch_upsert(
    *,
    organization: Organization,
    customers: Sequence[tuple[CustomerIn, bool | None]],
) -> list[tuple[Customer, bool]]:
    """Upsert many customers and set their ``opted_out`` where given (None: keep).

    Return, per item, the customer as stored and whether this call created it (only
    the first item naming a new external id counts as created).
    """
    now = timezone.now()
    stored = customers_upsert_rows(
        organization=organization,
        customers=[customer for customer, _ in customers],
        now=now,
    )
    opted_out = {
        customer.external_id: flag for customer, flag in customers if flag is not None
    }
    for flag in (True, False):
        changed = [stored[key] for key, value in opted_out.items() if value is flag]
        Customer.objects.filter(pk__in=[customer.pk for customer in changed]).update(
            opted_out=flag, updated_at=now
        )
        for customer in changed:
            customer.opted_out = flag
    results: list[tuple[Customer, bool]] = []
    seen: set[str] = set()
    for wanted, _ in customers:
        row = stored[wanted.external_id]
        results.append((row, row.created_at == now and row.external_id not in seen))
        seen.add(row.external_id)
    return results


@transaction.atomic
def customer_update(*, customer: Customer, opted_out: bool | None = None) -> Customer:
    """Change the flags that an upsert does not touch."""
    if opted_out is not None and customer.opted_out != opted_out:
        customer.opted_out = opted_out
        customer.save(update_fields=["opted_out", "updated_at"])
    return customer


def customers_attributes_set(*, values: dict[Customer, dict[str, Any]]) -> None:
    """Set each customer's ``values`` among their attributes (other attributes kept).

    For attributes another app derives (a learned risk). The in-memory customers are
    updated too, so segment rules evaluated later in the same transaction see them.
    """
    changed = []
    for customer, new in values.items():
        attributes = {**(customer.attributes or {}), **new}
        if attributes != customer.attributes:
            customer.attributes = attributes
            changed.append(customer)
    if changed:
        Customer.objects.bulk_update(changed, ["attributes"], batch_size=500)


def _erasers() -> tuple[Callable[..., None], ...]:
    return plugins("CX_CUSTOMER_ERASERS")


@transaction.atomic
def customer_erase(*, customer: Customer) -> None:
    """Remove the customer's personal data everywhere, but keep the rows for aggregates.

    The customer row is kept under a meaningless id and opted out, so no survey reaches
    it again; the customer's events lose their properties and their ids (integrators
    often build them from the customer's own id); the admin history names the customer
    by id only; every app named in ``CX_CUSTOMER_ERASERS`` removes what it holds about the
    customer (invitation addresses, free-text answers, notes, webhook payloads…) in the
    same transaction, before the customer's own fields, which they may match on, go.
    """
    for eraser in _erasers():
        eraser(customer=customer)
    admin_history_redact(objects=Customer.objects.filter(pk=customer.pk))
    admin_history_redact(objects=customer.events.all())
    customer.events.update(properties={}, event_id=events_renamed())
    customer.external_id = f"erased-{customer.pk}"
    customer.email = ""
    customer.name = ""
    customer.attributes = {}
    customer.opted_out = True
    customer.save()
