"""The executive report: a PDF whose text carries the level, dimensions and figures."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from maturity.models import Assessment

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler's pdftotext"
)


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    if os.environ.get("CX_KEEP_REPORT"):
        shutil.copy(path, os.environ["CX_KEEP_REPORT"])
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.fixture
def finished(api, mortgage, django_capture_on_commit_callbacks) -> int:
    api.put(
        "/api/v1/maturity/self-assessment/",
        {"answers": {"cx_targets": 4, "cx_owner": 4, "customers_cocreate": 3}},
        format="json",
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/maturity/assessments/", {}, format="json").json()
    return created["id"]


def test_report_pdf_names_level_dimensions_and_figures(api, finished, tmp_path):
    response = api.get(f"/api/v1/maturity/assessments/{finished}/report.pdf?lang=en")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "Aurora Bank" in text
    assert "Tactically driven" in text
    for name in ("Listening mode", "Closed loop", "Governance & ownership"):
        assert name in text
    assert "Roadmap to the next level" in text
    assert "Methods" in text
    assert "Index 1." in text


def test_report_of_an_unfinished_assessment_is_409(api, aurora):
    from django.utils import timezone

    assessment = Assessment.objects.create(
        organization=aurora,
        period_start=timezone.now() - timezone.timedelta(days=90),
        period_end=timezone.now(),
    )

    response = api.get(f"/api/v1/maturity/assessments/{assessment.pk}/report.pdf")

    assert response.status_code == 409


def test_another_organisation_cannot_download_the_report(outsider_api, finished):
    response = outsider_api.get(f"/api/v1/maturity/assessments/{finished}/report.pdf")

    assert response.status_code == 404


def test_report_speaks_finnish(api, finished, tmp_path):
    response = api.get(f"/api/v1/maturity/assessments/{finished}/report.pdf?lang=fi")

    text = _pdf_text(response.content, tmp_path)
    assert "Yhteenveto" in text
    assert "Taktinen" in text
    assert "Kuuntelun tapa" in text
    assert "Tiekartta seuraavalle tasolle" in text
