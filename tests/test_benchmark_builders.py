"""The benchmarks' data builders still fit the schema.

The builders write rows with INSERT … SELECT, past the models; a column added
later (a response's channel, a segment snapshot's ``imported`` flag) broke two of them
unseen until `make benchmarks` ran. Here each builds a few hundred rows in the test
database and the product reads them back.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

from surveys.models import Answer, Response, ResponseSegment

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def benchmark_module(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.syspath_prepend(str(BENCHMARKS))

    def load(name: str) -> ModuleType:
        return importlib.import_module(name)

    return load


def test_the_metrics_and_dashboard_builder_makes_rows_the_api_counts(
    benchmark_module, client
):
    metrics = benchmark_module("metrics")

    organization_id = metrics.build("bench", 400, 0)

    responses = Response.objects.filter(organization_id=organization_id)
    assert responses.filter(state="completed").count() == 400
    assert Answer.objects.filter(response__in=responses).count() == 400
    assert ResponseSegment.objects.filter(organization_id=organization_id).exists()


def test_the_assessment_builder_makes_a_history_that_can_be_assessed(
    benchmark_module, monkeypatch
):
    assessment = benchmark_module("assessment")
    monkeypatch.setattr(assessment, "RESPONSES", 300)

    organization_id = assessment.build_history()

    responses = Response.objects.filter(organization_id=organization_id)
    assert responses.count() == 300
    assert ResponseSegment.objects.filter(response__in=responses).count() == 300
