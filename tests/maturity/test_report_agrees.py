"""The demo's report states the figures the staff pages show, and every label whole.

The report is rendered to PDF and read back with ``pdftotext -layout`` as a reader
would read it; each figure it states is compared with what the staff pages' own reads
(``insights.selectors``, ``followups.selectors``) give for the same period, or with the
rows themselves.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from PIL import ImageFont

from cx.models import Organization, Touchpoint
from followups.models import FollowUp
from followups.selectors import followup_counts
from insights.metrics import Metric
from insights.models import MetricTarget
from insights.selectors import metric_rows
from maturity import charts
from maturity.method import DIMENSIONS
from maturity.models import Assessment, SelfAssessmentRound
from maturity.report import report_pdf

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("pdftotext") is None, reason="needs poppler's pdftotext"
    ),
]

DAYS = 16
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.fixture
def demo(settings) -> Organization:
    settings.CX_DEMO_HISTORY_DAYS = DAYS
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    return Organization.objects.get(slug="demo")


@pytest.fixture
def assessment(demo) -> Assessment:
    return Assessment.objects.get(organization=demo)


def pdf_text(pdf: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def line_of(text: str, starts: str) -> str:
    return next(
        line.strip() for line in text.splitlines() if line.strip().startswith(starts)
    )


def share(successes: int, trials: int) -> str:
    return f"{round(100 * successes / trials)} % ({successes} of {trials})"


def test_the_demo_ships_a_self_assessment_and_its_monthly_assessment(demo, assessment):
    rounds = SelfAssessmentRound.objects.filter(organization=demo)

    # Sixteen days of history hold one monthly assessment; the CX manager answered the
    # self-assessment and the executive revised it.
    assert assessment.status == Assessment.Status.DONE, assessment.error
    assert {r.answered_by.username for r in rounds} == {"cx", "exec"}
    assert any(d["self_assessed_level"] for d in assessment.result["dimensions"])


def test_the_report_states_the_figures_of_the_staff_pages(demo, assessment, tmp_path):
    # The targets are exactly those set here (the demo's own are replaced).
    MetricTarget.objects.filter(organization=demo).delete()
    MetricTarget.objects.create(organization=demo, metric="nps", value=25)
    MetricTarget.objects.create(organization=demo, metric="csat", value=80)
    start, end = assessment.period_start, assessment.period_end

    text = pdf_text(report_pdf(assessment=assessment, language="en"), tmp_path, "en")

    def metric(name: Metric):
        (row,) = metric_rows(
            organization=demo, metric=name, group_by=[], since=start, until=end
        )
        return row

    nps = metric(Metric.NPS)
    stated = " ".join(line_of(text, "NPS").split())
    # The target is the one set in the administration, not the default 30.
    expected = (
        f"{round(nps.value)} {round(nps.ci_low)}…{round(nps.ci_high)} {nps.n} 25 "
    ).replace("-", "−")  # written with a minus sign, as the dashboard writes it
    assert expected in stated + " ", (stated, expected)
    for name, starts, target in [
        (Metric.CSAT, "CSAT", "80 %"),
        (Metric.FCR, "FCR", "–"),
        (Metric.RESPONSE_RATE, "Response rate", "–"),
    ]:
        row = metric(name)
        stated = " ".join(line_of(text, starts).split())
        expected = (
            f"{round(row.value)} % {round(row.ci_low)}…{round(row.ci_high)} "
            f"{row.n} {target}"
        )
        assert expected in stated, (starts, stated, expected)

    ces = metric(Metric.CES)
    stated = " ".join(line_of(text, "CES").split())
    expected = f"{ces.value:.1f} {ces.ci_low:.1f}…{ces.ci_high:.1f} {ces.n} –"
    assert expected in stated, (stated, expected)

    cases = list(
        FollowUp.objects.filter(
            organization=demo, opened_at__gte=start, opened_at__lt=end
        )
    )
    now = timezone.now()
    acted = [c for c in cases if (c.started_at or c.closed_at) or c.due_at < now]
    acted_in_time = [
        c for c in acted if (c.started_at or c.closed_at or now) <= c.due_at
    ]
    judged = [c for c in cases if c.state == "closed" or c.due_at < now]
    closed_in_time = [
        c for c in judged if c.state == "closed" and c.closed_at <= c.due_at
    ]
    overdue = [c for c in cases if c.state != "closed" and c.due_at < now]
    assert " ".join(line_of(text, "Cases opened").split()[2:3]) == str(len(cases))
    assert share(len(acted_in_time), len(acted)) in line_of(
        text, "First action within SLA"
    )
    assert share(len(closed_in_time), len(judged)) in line_of(text, "Closed within SLA")
    assert line_of(text, "Overdue in the queue today").split()[5] == str(len(overdue))
    queue = followup_counts(organization=demo)
    assert f"{queue['open']}, of which {queue['overdue']} overdue" in text


def test_three_things_to_know_are_three(assessment, tmp_path):
    text = pdf_text(report_pdf(assessment=assessment, language="en"), tmp_path, "en")

    findings = text.split("Three things to know")[1].split("Headline metrics")[0]

    assert re.findall(r"^\s*(\d)\.", findings, re.MULTILINE) == ["1", "2", "3"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_dimension_label_is_whole_in_the_profile(assessment, tmp_path, language):
    text = pdf_text(
        report_pdf(assessment=assessment, language=language), tmp_path, language
    )
    with translation.override(language):
        labels = [f"{d.key} {translation.gettext(d.name)}" for d in DIMENSIONS]
        profile = text.split(translation.gettext("Dimension profile"))[-1]

    # Each label stands alone on its bar's line, whole, in the chart's text.
    for label in labels:
        assert re.search(rf"^\s*{re.escape(label)}\s+\d[,.]\d\s*$", profile, re.M), (
            label
        )


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_label_column_is_wider_than_its_longest_label(language):
    font = ImageFont.truetype(FONT, 11)
    with translation.override(language):
        labels = [f"{d.key} {translation.gettext(d.name)}" for d in DIMENSIONS]
        svg = charts.dimension_bars(
            [charts.DimensionBar(label=label, score=2.5) for label in labels],
            title="t",
            legend={charts.EVIDENCE: "score"},
        )

    left = float(re.search(r"<rect x='([\d.]+)' y='\d+' width", svg).group(1))
    assert max(font.getlength(label) for label in labels) <= left - 8


def test_the_report_names_touchpoints_in_its_language(demo, assessment, tmp_path):
    # The organisation has not given the decision step a Finnish name (yet).
    decision = Touchpoint.objects.get(organization=demo, name="Decision")
    decision.name_translations = {"sv": "Ersättningsbeslut"}
    decision.save()

    finnish = pdf_text(report_pdf(assessment=assessment, language="fi"), tmp_path, "fi")
    english = pdf_text(report_pdf(assessment=assessment, language="en"), tmp_path, "en")

    heatmap_fi = finnish.split("Asiakaspolkujen lämpökartta")[-1]
    for name in ("Vakuutuskorvaus", "Asuntolaina", "Lainahakemus", "Arvokas"):
        assert name in heatmap_fi, name
    for name in ("Mortgage", "Loan application", "Personal offer", "Valuable"):
        assert name not in finnish, name
        assert name in english, name
    assert "Decision" in heatmap_fi  # no Finnish name: the organisation's own
    assert "Lainahakemus" not in english
