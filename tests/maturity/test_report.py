"""The executive report: a PDF whose text carries the level, dimensions and figures."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from cx.models import Organization, Segment
from followups.selectors import followup_counts
from maturity import report, services
from maturity.models import Assessment
from tests.insights.conftest import make_response, make_survey
from tests.maturity import builders

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


def _assessed(organization: Organization, capture: Callable[..., Any]) -> Assessment:
    """Return ``organization``'s assessment, computed by the task after commit."""
    with capture(execute=True):
        requested = services.assessment_request(organization=organization)
    return Assessment.objects.get(pk=requested.pk, status=Assessment.Status.DONE)


def test_report_shows_the_journey_heatmap_and_the_closed_loop(
    db, django_capture_on_commit_callbacks, tmp_path
):
    assessment = _assessed(
        builders.level_4_predictive(), django_capture_on_commit_callbacks
    )

    text = _pdf_text(report.report_pdf(assessment=assessment, language="en"), tmp_path)

    assert "4 Predictive" in text
    # A 4.99 is cut to 4.9, not rounded up to a level 5.
    assert "Score 4.9 (evidence 4.9" in text and "5.0" not in text
    heatmap = text[text.index("Journey heatmap\n") :]
    for name in ("Returner", "Valuable", "Advisor chat", "Payment", "n=41"):
        assert name in heatmap
    assert "fewer than 30 answers" in heatmap
    loop = text[text.index("Closed loop\n") : text.index("Journey heatmap\n")]
    markers = {
        m["key"]: m for d in assessment.result["dimensions"] for m in d["markers"]
    }
    sla = markers["d5_within_sla"]
    sla_share = round(100 * sla["successes"] / sla["trials"])
    assert f"{sla_share} % ({sla['successes']} of {sla['trials']})" in loop
    assert "Top root causes" in loop and "Waiting time" in loop
    counts = followup_counts(organization=assessment.organization)
    rate = round(100 * counts["recovery_rate"])
    assert (
        f"{rate} % ({counts['recovered']} of {counts['recovery_sent']} recovery "
        "surveys sent)"
    ) in " ".join(loop.split())


def test_report_of_a_tactical_organisation_says_what_is_missing(
    db, django_capture_on_commit_callbacks, tmp_path
):
    assessment = _assessed(
        builders.level_1_tactical(), django_capture_on_commit_callbacks
    )

    text = " ".join(
        _pdf_text(
            report.report_pdf(assessment=assessment, language="en"), tmp_path
        ).split()
    )

    # Its 58 negative answers are anonymous: nobody could follow them up, so none is
    # counted as waiting for a case.
    assert "Negative answers with a follow-up case – 0" in text
    assert "No case was closed in the period" in text
    assert "no recovery survey sent" in text
    assert "No answer in this window came from a customer in a segment" in text


def test_report_escapes_names_and_fetches_nothing(
    aurora, mortgage, django_capture_on_commit_callbacks, monkeypatch, tmp_path
):
    chat = mortgage.touchpoints.get(name="Advisor chat")
    chat.name = 'Chat <b>x</b> & "co"'
    chat.save()
    segment = Segment.objects.create(
        organization=aurora, key="evil", name='<img src="https://evil.example/x.png">'
    )
    survey = make_survey(aurora)
    yesterday = timezone.now() - timedelta(days=1)
    for score in (3, 9, 10):
        make_response(
            survey,
            chat,
            {"nps": score, "comment": '<img src="https://evil.example/y.png">'},
            segments=[segment],
            completed_at=yesterday,
        )
    fetched: list[str] = []

    def recording_fetcher(url: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        fetched.append(url)
        raise ValueError("no fetching")

    monkeypatch.setattr(report, "refuse_every_url", recording_fetcher)
    assessment = _assessed(aurora, django_capture_on_commit_callbacks)

    html = report.report_html(assessment=assessment, language="en")
    pdf = report.report_pdf(assessment=assessment, language="en")

    assert "<img" not in html and "<b>x</b>" not in html
    assert "&lt;img src=" in html and "Chat &lt;b&gt;x&lt;/b&gt; &amp;" in html
    assert fetched == []
    text = _pdf_text(pdf, tmp_path)
    assert '<img src="http' in text  # shown as text, truncated to the cell
    assert "Chat <b>x</b> &" in text


def test_report_shows_the_prediction_its_reliability_and_the_measured_effect(
    db, django_capture_on_commit_callbacks, tmp_path, settings
):
    settings.SITE_URL = "https://cx.foresight.example"
    organization = builders.level_4_predictive("foresight-report")
    assessment = _assessed(organization, django_capture_on_commit_callbacks)

    text = _pdf_text(report.report_pdf(assessment=assessment, language="en"), tmp_path)
    flat = " ".join(text.split())
    assert "Predictions and the effect of acting on them" in flat
    assert "Abandons the application · model card, version 1" in flat
    assert "Effect of acting" in flat and "holdout 20 %" in flat
    # The card's rows (beside the chart, so read from the HTML the PDF is made of).
    html = report.report_html(assessment=assessment, language="en")
    for row in ("Training period", "Test period", "AUC of the last score given",
                "Brier score (base rate", "Riskiest tenth vs base rate",
                "Top factors", "Reliability on the test period"):  # fmt: skip
        assert row in html, row
    # The effect: acted-on vs held-out rates, the difference and the split check.
    assert " pp (" in html and "as planned (p = " in html
    # The roadmap's actions link to the product's pages.
    assert 'href="https://cx.foresight.example/' in html


def test_report_without_a_published_prediction_has_no_predictions_section(
    db, django_capture_on_commit_callbacks
):
    organization = builders.level_4_predictive("hindsight-report", prediction=False)
    assessment = _assessed(organization, django_capture_on_commit_callbacks)

    html = report.report_html(assessment=assessment, language="en")
    assert 'id="predictions"' not in html
