"""Benchmark: assess an organisation with 1,000,000 responses and render its report.

Prints the time to compute the assessment (evidence queries, scoring with its Monte
Carlo) plus render its PDF, next to WeasyPrint rendering the same report HTML alone,
measured in the same run. Target: at most 2× the render alone.

    make bench-assessment          (DATABASE_URL=postgres://… ; RESPONSES=1000000)
"""

from __future__ import annotations

import os
import statistics
import time

from _db import django_setup, table, throwaway_database

RESPONSES = int(os.environ.get("RESPONSES", "1000000"))
CUSTOMERS = max(1000, RESPONSES // 10)
RUNS = 3


def build_history() -> int:
    """Create the organisation, its map and surveys, and RESPONSES responses; return its id."""
    from django.db import connection
    from django.utils import timezone

    from cx.demo import load_core
    from cx.models import Organization
    from surveys.demo import load_surveys
    from surveys.models import Question, Survey

    organization = Organization.objects.create(slug="bench", name="Bench Bank")
    load_core(organization, lambda _: None)
    load_surveys(organization, lambda _: None)
    survey = Survey.objects.get(
        organization=organization, name="Loan application effort"
    )
    nps = Question.objects.get(survey=survey, key="nps")
    now = timezone.now()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cx_customer (organization_id, external_id, email, name, language,
                attributes, opted_out, created_at, updated_at)
            SELECT %s, 'c-' || g, 'c' || g || '@example.com', 'Customer ' || g, 'fi',
                jsonb_build_object('customer_value', (g * 7919) %% 300000,
                                   'previous_products', g %% 4, 'region', 'r' || g %% 5),
                false, %s, %s
            FROM generate_series(1, %s) AS g
            """,
            [organization.pk, now, now, CUSTOMERS],
        )
        cursor.execute(
            """
            INSERT INTO surveys_response (organization_id, survey_id, customer_id,
                touchpoint_id, journey_id, process_id, origin, channel, external_id,
                is_anonymous, language, state, started_at, completed_at, updated_at)
            SELECT %(org)s, %(survey)s, c.id, t.id, t.journey_id, t.process_id,
                CASE WHEN r.g %% 10 < 8 THEN 'event' ELSE 'list' END, 'email', '',
                r.g %% 20 = 0, 'fi', 'completed',
                %(now)s - (r.g %% 90) * interval '1 day', %(now)s - (r.g %% 90) * interval '1 day',
                %(now)s
            FROM generate_series(1, %(n)s) AS r(g)
            JOIN cx_customer c ON c.organization_id = %(org)s
                AND c.external_id = 'c-' || (1 + (r.g * 31) %% %(customers)s)
            JOIN (SELECT id, journey_id, process_id,
                         row_number() OVER (ORDER BY id) - 1 AS k,
                         count(*) OVER () AS total
                  FROM cx_touchpoint WHERE organization_id = %(org)s) t
                ON t.k = r.g %% t.total
            """,
            {
                "org": organization.pk,
                "survey": survey.pk,
                "now": now,
                "n": RESPONSES,
                "customers": CUSTOMERS,
            },
        )
        cursor.execute(
            """
            INSERT INTO surveys_answer (response_id, question_id, number, choices, text,
                answered_at)
            SELECT id, %s, (id * 7) %% 11, '[]'::jsonb, '', completed_at
            FROM surveys_response WHERE organization_id = %s
            """,
            [nps.pk, organization.pk],
        )
        cursor.execute(
            """
            INSERT INTO surveys_responsesegment (organization_id, response_id, segment_id,
                key, touchpoint_id, completed_at, nps, imported)
            SELECT r.organization_id, r.id, s.id, s.key, r.touchpoint_id, r.completed_at,
                (r.id * 7) %% 11, false
            FROM surveys_response r
            JOIN cx_segment s ON s.organization_id = r.organization_id
                AND s.key = (ARRAY['valuable', 'returner', 'new'])[1 + r.id %% 3]
            WHERE r.organization_id = %s
            """,
            [organization.pk],
        )
        cursor.execute("ANALYZE")
    print(f"Built {RESPONSES:,} responses in {time.perf_counter() - started:.1f} s")
    return organization.pk


def main() -> None:
    with throwaway_database("cx_bench_maturity") as url:
        django_setup(url)
        from django.db import connection
        from weasyprint import CSS, HTML

        from cx.models import Organization
        from maturity import services
        from maturity.models import Assessment
        from maturity.report import (
            STYLESHEET,
            refuse_every_url,
            report_html,
            report_pdf,
        )

        organization = Organization.objects.get(pk=build_history())
        # A live database's rows were written over months and have been vacuumed since;
        # rows inserted a second ago have not (no visibility map, no hint bits), and the
        # first scans would pay for writing them. Measure the steady state. (Here, not in
        # build_history: VACUUM cannot run in the transaction a test builds it in.)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        full, render_only, compute = [], [], []
        for _ in range(RUNS):
            assessment = Assessment.objects.create(
                organization=organization,
                period_start=organization.created_at.replace(
                    year=organization.created_at.year - 1
                ),
                period_end=organization.created_at.replace(
                    year=organization.created_at.year + 1
                ),
            )
            started = time.perf_counter()
            services.assessment_compute(assessment_id=assessment.pk)
            computed = time.perf_counter()
            assessment.refresh_from_db()
            pdf = report_pdf(assessment=assessment, language="en")
            full.append(time.perf_counter() - started)
            compute.append(computed - started)
            assert pdf[:4] == b"%PDF" and assessment.status == "done", assessment.error

            html = report_html(assessment=assessment, language="en")
            css = CSS(string=STYLESHEET.read_text(encoding="utf-8"))
            started = time.perf_counter()
            HTML(string=html, url_fetcher=refuse_every_url).write_pdf(stylesheets=[css])
            render_only.append(time.perf_counter() - started)

        total, alone = statistics.median(full), statistics.median(render_only)
        ratio = total / alone
        print(
            table(
                [
                    (
                        f"assessment + PDF, {RESPONSES:,} responses",
                        f"{total:.2f} s",
                        f"{alone:.2f} s (WeasyPrint alone)",
                        f"{ratio:.2f}×",
                        f"≤ 2.00× {'PASS' if ratio <= 2 else 'FAIL'}",
                    ),
                    (
                        "  of which assessment (evidence + scoring)",
                        f"{statistics.median(compute):.2f} s",
                        "",
                        "",
                        "",
                    ),
                ]
            )
        )
        print(
            f"Level {assessment.level} · index {assessment.index} · {assessment.confidence_label}"
        )
        print(
            "Each run (s): assessment + PDF "
            + " / ".join(f"{t:.2f}" for t in full)
            + " · of which assessment "
            + " / ".join(f"{t:.2f}" for t in compute)
            + " · WeasyPrint alone "
            + " / ".join(f"{t:.2f}" for t in render_only)
        )


if __name__ == "__main__":
    main()
