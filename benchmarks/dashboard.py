"""Benchmark: the journey dashboard over 1,000,000 responses, next to the metrics API.

Builds the data of ``benchmarks/metrics.py`` (RESPONSES completed responses with an NPS
answer over 10 touchpoints and 5 segments, plus a tenth as many for another
organisation), then times, through Django's full request stack in-process (test Client):

- ``GET /dashboard/?period=365``, the page a CX manager opens (every panel), and
- the ``GET /api/v1/metrics/`` calls that give the same figures: each headline metric
  for the period and the one before it, NPS, CSAT and CES by touchpoint for both
  periods (the journey map), NPS by touchpoint and segment (the heatmap), NPS by month
  (the trend) and NPS by journey and touchpoint (the ranking).

The dashboard also reads the funnel and the follow-up queue, which the API has no call
for; they count against it. Best of 3 each; target: the page at most 2× the API calls.

    make bench-dashboard        (DATABASE_URL=postgres://… ; RESPONSES=1000000)
"""

from __future__ import annotations

import os
import time
from typing import Any

from _db import django_setup, table, throwaway_database
from metrics import RESPONSES, best_of, build

RUNS = 3
TARGET = 2.0
PERIOD = 365


def api_calls(query: Any) -> list[dict[str, str]]:
    """Return the metrics API queries behind the dashboard's figures for ``query``."""
    now = {"since": query.since.isoformat(), "until": query.until.isoformat()}
    before = {
        "since": query.previous_since.isoformat(),
        "until": query.since.isoformat(),
    }
    calls = []
    for period in (now, before):
        for metric in ("nps", "csat", "ces", "fcr", "response_rate"):
            calls.append({"metric": metric, **period})
        for metric in ("nps", "csat", "ces"):
            calls.append({"metric": metric, "group_by": "touchpoint", **period})
    calls.append({"metric": "nps", "group_by": "touchpoint,segment", **now})
    calls.append({"metric": "nps", "group_by": "month", **now})
    calls.append({"metric": "nps", "group_by": "journey,touchpoint", **now})
    return calls


def main() -> None:
    with throwaway_database("cx_bench_dashboard") as url:
        django_setup(url)
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment

        from cx.models import Organization, Role
        from cx.services.organizations import (
            api_key_create,
            member_add,
            staff_user_create,
        )
        from insights.dashboard import dashboard_query

        setup_test_environment()  # so that a response carries its template context
        started = time.perf_counter()
        org = build("bench", RESPONSES, 0)
        build("other", RESPONSES // 10, RESPONSES)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(
            f"Built {RESPONSES:,} responses (+{RESPONSES // 10:,} of another "
            f"organisation) in {time.perf_counter() - started:.1f} s"
        )
        organization = Organization.objects.get(pk=org)
        key = api_key_create(organization=organization, scopes=["read"]).secret_key
        api = Client(headers={"authorization": f"Bearer {key}"})
        manager = staff_user_create(
            username="bench-cx",
            email="cx@bench.example",
            password="bench-pw-2026",  # noqa: S106 - a throwaway database
        )
        member_add(organization=organization, user=manager, role=Role.CX_MANAGER)
        staff = Client()
        staff.force_login(manager)
        query = dashboard_query(
            organization=organization, params={"period": str(PERIOD)}
        )
        calls = api_calls(query)

        def the_page() -> Any:
            response = staff.get("/dashboard/", {"period": PERIOD})
            assert response.status_code == 200, response.content[:500]
            return response

        def the_panels() -> Any:
            response = staff.get("/dashboard/panels/", {"period": PERIOD})
            assert response.status_code == 200, response.content[:500]
            return response

        def the_api() -> list[dict[str, Any]]:
            answers = []
            for params in calls:
                response = api.get("/api/v1/metrics/", params)
                assert response.status_code == 200, response.content[:500]
                answers.append(response.json())
            return answers

        the_page()  # warm up: first connection, caches, JIT
        the_api()
        page_seconds, page = best_of(RUNS, the_page)
        panels_seconds, _ = best_of(RUNS, the_panels)
        api_seconds, answers = best_of(RUNS, the_api)

        # The same figures: each headline card is the API's total for its metric.
        cards = {card.metric: card for card in page.context["headlines"]}
        for params, answer in zip(calls[:5], answers[:5], strict=True):
            (row,) = answer["rows"]
            figure = cards[params["metric"]].figure.current
            assert (figure.n, figure.value) == (row["n"], row["value"]), params
        nps = cards["nps"].figure.current
        rows = []
        for name, seconds in (
            ("GET /dashboard/ (the page)", page_seconds),
            ("GET /dashboard/panels/ (htmx refresh)", panels_seconds),
        ):
            ratio = seconds / api_seconds
            rows.append(
                (
                    f"{name}, NPS {nps.value:.1f} of {nps.n:,} answers",
                    f"{seconds * 1000:.0f} ms",
                    f"{api_seconds * 1000:.0f} ms ({len(calls)} metrics API calls)",
                    f"{ratio:.2f}×",
                    f"≤ {TARGET:.2f}× {'PASS' if ratio <= TARGET else 'FAIL'}",
                )
            )
        print(table(rows))
        if os.environ.get("BENCH_STRICT") and any("FAIL" in row[4] for row in rows):
            raise SystemExit(1)


if __name__ == "__main__":
    main()
