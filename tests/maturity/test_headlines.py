"""The report's headline metrics are counted with the assessment, beside the evidence.

Counting them again for each download read every answer of the period (a second over
a million responses); the assessment stores the counts, and the report evaluates them
in the reader's language. One stored before they were is counted when drawn.
"""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights.selectors import metric_totals
from maturity import figures, services
from maturity.evidence import HEADLINE_WANTED as WANTED
from maturity.models import Assessment
from tests.maturity import builders


def _figures(headlines: list[figures.Headline]) -> list[tuple]:
    return [(h.metric, h.n, h.value, h.low, h.high, h.previous) for h in headlines]


def test_an_assessment_stores_its_headline_counts_and_the_report_reads_them(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        requested = services.assessment_request(
            organization=builders.level_4_predictive()
        )
    assessment = Assessment.objects.get(pk=requested.pk, status="done")
    live = metric_totals(
        organization=assessment.organization,
        metrics_wanted=WANTED,
        periods={"now": (assessment.period_start, assessment.period_end)},
    )

    with CaptureQueriesContext(connection) as queries:
        headlines = figures.headline_metrics(assessment=assessment, previous=None)

    assert [(h.n, h.value) for h in headlines] == [
        (live["now", m].n, live["now", m].value) for m in WANTED
    ]
    assert headlines[0].n > 0
    assert not any("surveys_answer" in q["sql"] for q in queries.captured_queries)

    # The next assessment's change is against this one's stored counts; an assessment
    # stored before the counts were is counted when its report is drawn, the same.
    older = dict(assessment.result)
    del older["headline_counts"]
    Assessment.objects.filter(pk=assessment.pk).update(result=older)
    assessment.refresh_from_db()
    assert _figures(figures.headline_metrics(assessment=assessment, previous=None)) == (
        _figures(headlines)
    )
    again = figures.headline_metrics(assessment=assessment, previous=assessment)
    assert [h.previous for h in again] == [h.value for h in headlines]
