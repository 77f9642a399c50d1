"""Benchmark: NPS by segment × touchpoint over 1,000,000 responses, through the API.

Loads RESPONSES completed responses (one NPS answer each) over 10 touchpoints and 5
segments, plus a tenth as many for another organisation, then times
``GET /api/v1/metrics/?metric=nps&group_by=segment,touchpoint`` through Django's full
request stack in-process (test Client) next to the equivalent hand-written SQL run with
psycopg in the same run, and checks that both count the same. Best of 3 each.
Target: at most 1.5× the hand-written SQL.

    make bench-metrics          (DATABASE_URL=postgres://… ; RESPONSES=1000000)
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from _db import django_setup, table, throwaway_database

RESPONSES = int(os.environ.get("RESPONSES", "1000000"))
RUNS = 3
TARGET = 1.5
UNTIL = datetime(2026, 11, 1, tzinfo=UTC)
SINCE = UNTIL - timedelta(days=365)

# What a person fluent in SQL would write for the same rows: count per id first, then
# name the few groups; responses in no segment form their own group (a LEFT JOIN), as
# the API returns them.
HAND_WRITTEN = """
WITH cell AS (
    SELECT rs.segment_id, rs.key, r.touchpoint_id,
           count(*) AS n,
           count(*) FILTER (WHERE a.number BETWEEN 9 AND 10) AS promoters,
           count(*) FILTER (WHERE a.number BETWEEN 0 AND 6) AS detractors
    FROM surveys_answer a
    JOIN surveys_response r ON r.id = a.response_id
    LEFT JOIN surveys_responsesegment rs ON rs.response_id = r.id
    WHERE a.question_id IN (
            SELECT q.id FROM surveys_question q
            JOIN surveys_survey sv ON sv.id = q.survey_id
            WHERE q.type = 'nps' AND sv.organization_id = %(org)s)
      AND a.number IS NOT NULL
      AND r.organization_id = %(org)s AND r.state = 'completed'
      AND r.completed_at >= %(since)s AND r.completed_at < %(until)s
    GROUP BY rs.segment_id, rs.key, r.touchpoint_id
)
SELECT cell.segment_id, cell.key, s.name, cell.touchpoint_id, t.name,
       cell.n, cell.promoters, cell.detractors
FROM cell
LEFT JOIN cx_segment s ON s.id = cell.segment_id
LEFT JOIN cx_touchpoint t ON t.id = cell.touchpoint_id
"""


def build(slug: str, responses: int, offset: int) -> int:
    """Create an organisation with 10 touchpoints, 5 segments and ``responses``; return its id.

    Rows are generated in the database (INSERT … SELECT over generate_series), like the
    other benchmarks: about one response in ten has no segment (anonymous), one in three
    has two.
    """
    from django.db import connection

    from cx.demo import load_core
    from cx.models import Journey, Segment
    from tests.factories import OrganizationFactory, SurveyFactory, TouchpointFactory

    organization = OrganizationFactory(slug=slug, name=f"{slug} Bank")
    load_core(organization, lambda _: None)
    TouchpointFactory(
        journey=Journey.objects.get(organization=organization, name="Mortgage"),
        position=6,
        name="Signing",
        channel="branch",
        event_types=["mortgage.signed"],
    )
    Segment.objects.create(organization=organization, key="young", name="Young")
    survey = SurveyFactory(
        organization=organization, name="Bench NPS", questions=["nps"]
    )
    question = survey.questions.get()
    params = {
        "org": organization.pk,
        "survey": survey.pk,
        "question": question.pk,
        "until": UNTIL,
        "n": responses,
        "offset": offset,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO surveys_response (organization_id, survey_id, touchpoint_id,
                journey_id, process_id, origin, channel, external_id, is_anonymous,
                language, state, started_at, completed_at, updated_at)
            SELECT %(org)s, %(survey)s, t.id, t.journey_id, t.process_id, 'event',
                'email', '', g / 100 %% 10 = 9, 'fi', 'completed',
                %(until)s - (g %% 400) * interval '1 day' - (g %% 86400) * interval '1 s',
                %(until)s - (g %% 400) * interval '1 day' - (g %% 86400) * interval '1 s',
                %(until)s
            FROM generate_series(%(offset)s + 1, %(offset)s + %(n)s) AS g
            JOIN (SELECT id, journey_id, process_id,
                         row_number() OVER (ORDER BY id) - 1 AS k,
                         count(*) OVER () AS total
                  FROM cx_touchpoint WHERE organization_id = %(org)s) t
                ON t.k = g %% t.total
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO surveys_answer (response_id, question_id, number, choices, text,
                answered_at)
            SELECT id, %(question)s, (id * 7) %% 11, '[]'::jsonb, '', completed_at
            FROM surveys_response WHERE organization_id = %(org)s
            """,
            params,
        )
        cursor.execute(
            """
            WITH segment AS (
                SELECT id, key, row_number() OVER (ORDER BY id) - 1 AS k
                FROM cx_segment WHERE organization_id = %(org)s
            )
            INSERT INTO surveys_responsesegment (organization_id, response_id,
                segment_id, key, touchpoint_id, completed_at, imported)
            SELECT r.organization_id, r.id, s.id, s.key, r.touchpoint_id, r.completed_at,
                false
            FROM surveys_response r
            JOIN segment s ON s.k = r.id / 10 %% 5
                OR (r.id %% 3 = 0 AND s.k = (r.id / 10 + 1) %% 5)
            WHERE r.organization_id = %(org)s AND NOT r.is_anonymous
            """,
            params,
        )
    return organization.pk


def best_of(runs: int, call: Callable[[], Any]) -> tuple[float, Any]:
    """Return the fastest of ``runs`` calls (seconds) and the last call's result."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    with throwaway_database("cx_bench_metrics") as url:
        django_setup(url)
        import psycopg
        from django.db import connection
        from django.test import Client

        from cx.models import Organization
        from cx.services.organizations import api_key_create

        started = time.perf_counter()
        org = build("bench", RESPONSES, 0)
        build("other", RESPONSES // 10, RESPONSES)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(
            f"Built {RESPONSES:,} responses (+{RESPONSES // 10:,} of another "
            f"organisation) in {time.perf_counter() - started:.1f} s"
        )

        key = api_key_create(
            organization=Organization.objects.get(pk=org), scopes=["read"]
        ).secret_key
        client = Client(headers={"authorization": f"Bearer {key}"})
        query = {
            "metric": "nps",
            "group_by": "segment,touchpoint",
            "since": SINCE.isoformat(),
            "until": UNTIL.isoformat(),
        }

        def through_api() -> dict[str, Any]:
            response = client.get("/api/v1/metrics/", query)
            assert response.status_code == 200, response.content[:500]
            return response.json()

        params = {"org": org, "since": SINCE, "until": UNTIL}
        with psycopg.connect(url) as raw:

            def hand_written() -> list[tuple[Any, ...]]:
                with raw.cursor() as cursor:
                    cursor.execute(HAND_WRITTEN, params)
                    return cursor.fetchall()

            through_api()  # warm both up: first connection, caches, JIT
            hand_written()
            api_seconds, answer = best_of(RUNS, through_api)
            sql_seconds, rows = best_of(RUNS, hand_written)

        api_counts = sorted(
            (
                (row["segment"] or {}).get("key") or "",
                row["touchpoint"]["id"],
                row["n"],
            )
            for row in answer["rows"]
        )
        sql_counts = sorted((row[1] or "", row[3], row[5]) for row in rows)
        assert api_counts == sql_counts, "the API and the SQL count differently"
        answers = sum(row["n"] for row in answer["rows"])
        ratio = api_seconds / sql_seconds
        print(
            table(
                [
                    (
                        f"GET metrics/ nps by segment × touchpoint "
                        f"({len(answer['rows'])} groups, {answers:,} answers)",
                        f"{api_seconds * 1000:.0f} ms",
                        f"{sql_seconds * 1000:.0f} ms (hand-written SQL)",
                        f"{ratio:.2f}×",
                        f"≤ {TARGET:.2f}× {'PASS' if ratio <= TARGET else 'FAIL'}",
                    )
                ]
            )
        )


if __name__ == "__main__":
    main()
