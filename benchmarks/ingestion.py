"""Benchmark: batch event ingestion through the API, next to raw psycopg executemany.

Posts batches of 1,000 events (each with a customer to upsert, ~30 % of them returning
customers whose attributes merge) to ``/api/v1/events/batch/`` through Django's full
request stack in-process, the process tuned as ``cx.wsgi`` tunes it for gunicorn, and
inserts the same number of equivalent rows into the same table with a raw psycopg
``executemany`` in the same run, one raw batch after each API batch. Target: ≥ 30 % of
the raw rate (issue 14; it was 15 %).

    make bench-ingestion        (DATABASE_URL=postgres://… ; BATCHES=20)
"""

from __future__ import annotations

import importlib
import json
import os
import random
import statistics
import time
from datetime import UTC, datetime

from _db import django_setup, table, throwaway_database

BATCHES = int(os.environ.get("BATCHES", "20"))
BATCH_SIZE = 1000
EVENT_TYPES = [
    "web.search_landing",
    "web.loan_pages_viewed",
    "chat.ended",
    "mortgage.application_submitted",
    "mortgage.offer_sent",
]


def event_batch(rng: random.Random, batch: int) -> list[dict[str, object]]:
    """Return one batch; about 30 % of its customers were seen in earlier batches."""
    events = []
    for n in range(BATCH_SIZE):
        returning = batch > 0 and rng.random() < 0.3
        customer = (
            rng.randrange(batch * BATCH_SIZE) if returning else batch * BATCH_SIZE + n
        )
        events.append(
            {
                "event_id": f"b{batch}-e{n}",
                "type": rng.choice(EVENT_TYPES),
                "occurred_at": "2026-11-20T10:15:00+02:00",
                "customer": {
                    "external_id": f"c-{customer}",
                    "email": f"c{customer}@example.com",
                    "name": f"Customer {customer}",
                    "language": rng.choice(["fi", "sv", "en"]),
                    "attributes": {
                        "tier": rng.choice(["gold", "silver"]),
                        "seen": batch,
                    },
                },
                "properties": {"channel": "web", "amount": rng.randrange(1000, 500000)},
            }
        )
    return events


def main() -> None:
    with throwaway_database("cx_bench_ingestion") as url:
        django_setup(url)
        import psycopg
        from django.test import Client

        from cx.demo import load_core
        from cx.models import Customer, Event
        from cx.services.organizations import api_key_create
        from tests.factories import OrganizationFactory

        # The process as gunicorn runs it: cx.wsgi also tunes the garbage collector.
        importlib.import_module("cx.wsgi")
        organization = OrganizationFactory(slug="bench", name="Bench Bank")
        load_core(organization, lambda _: None)
        key = api_key_create(organization=organization).secret_key
        client = Client(headers={"authorization": f"Bearer {key}"})
        rng = random.Random(7)
        batches = [
            json.dumps({"events": event_batch(rng, b)}) for b in range(BATCHES + 1)
        ]

        def post(body: str) -> None:
            response = client.post(
                "/api/v1/events/batch/", body, content_type="application/json"
            )
            assert response.status_code == 200, response.content[:300]
            assert response.json()["rejected"] == 0

        post(batches[0])  # warm-up: imports, caches, first customers
        customer_ids = list(Customer.objects.values_list("pk", flat=True)[:BATCH_SIZE])
        touchpoint_id = Event.objects.exclude(touchpoint=None).values_list(
            "touchpoint_id", flat=True
        )[0]
        now = datetime.now(tz=UTC)

        def raw_insert(raw: psycopg.Connection, b: int) -> None:
            rows = [
                (
                    organization.pk,
                    f"raw{b}-e{n}",
                    EVENT_TYPES[n % 5],
                    customer_ids[n % len(customer_ids)],
                    touchpoint_id,
                    now,
                    now,
                    json.dumps({"channel": "web", "amount": n}),
                )
                for n in range(BATCH_SIZE)
            ]
            with raw.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO cx_event (organization_id, event_id, type, customer_id, "
                    "touchpoint_id, occurred_at, received_at, properties) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb)",
                    rows,
                )
            raw.commit()

        # The machine is shared: API and raw batches alternate, so that a change in
        # the others' load falls on both alike.
        per_batch: list[float] = []
        raw_seconds = 0.0
        with psycopg.connect(url) as raw:
            for b, body in enumerate(batches[1:]):
                t = time.perf_counter()
                post(body)
                per_batch.append(time.perf_counter() - t)
                t = time.perf_counter()
                raw_insert(raw, b)
                raw_seconds += time.perf_counter() - t
        api_rate = BATCHES * BATCH_SIZE / sum(per_batch)
        raw_rate = BATCHES * BATCH_SIZE / raw_seconds
        assert Event.objects.count() == (2 * BATCHES + 1) * BATCH_SIZE

        ratio = api_rate / raw_rate
        print(
            f"{BATCHES} batches of {BATCH_SIZE:,} events, alternating with raw ones; "
            f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}\n"
        )
        print(
            table(
                [
                    (
                        "batch ingestion via API (events/s)",
                        f"{api_rate:,.0f}",
                        f"{raw_rate:,.0f} (psycopg executemany)",
                        f"{ratio:.0%}",
                        f"≥ 30 % {'PASS' if ratio >= 0.3 else 'FAIL'}",
                    ),
                    (
                        "  median time per 1,000-event batch",
                        f"{statistics.median(per_batch) * 1000:.0f} ms",
                        "",
                        "",
                        "",
                    ),
                ]
            )
        )


if __name__ == "__main__":
    main()
