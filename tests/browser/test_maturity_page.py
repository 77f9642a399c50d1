"""The maturity page in a browser: the executive reads, answers, assesses, downloads.

The executive sees the ladder, what holds the organisation back and the next three
actions; answers the self-assessment; asks for an assessment and sees the result appear
in the page without a reload (htmx polls the assessment's state); downloads the English
report. A CX manager reads and may assess; an analyst reads without the button. axe-core
finds nothing on the page or the questionnaire.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from cx.demo import DEMO_PASSWORD
from maturity import services
from maturity.models import Assessment, SelfAssessmentRound
from tests.browser.conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        shutil.which("pdftotext") is None, reason="needs poppler's pdftotext"
    ),
]


def log_in(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/admin/login/?next=/maturity/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="CX maturity", exact=True).wait_for()


def test_the_executive_reads_answers_assesses_and_downloads(
    page, browser, live_server, demo, tmp_path
):
    # Outside a test transaction the request commits at once and the eager task runs.
    first = services.assessment_request(organization=demo)
    assert Assessment.objects.get(pk=first.pk).status == Assessment.Status.DONE

    log_in(page, live_server, "exec")

    page.get_by_text("You are here").wait_for()
    assert page.get_by_role("heading", name="What holds you back").is_visible()
    actions = page.locator("ol.actions > li > a")
    assert actions.count() == 3
    assert all(
        (actions.nth(i).get_attribute("href") or "").startswith("/") for i in range(3)
    )
    assert (
        axe_violations(browser, f"{live_server.url}/admin/login/", page.content()) == []
    )

    # The self-assessment: the demo's answers are there; the executive revises one.
    page.get_by_role("link", name="Review the self-assessment").click()
    page.get_by_role("heading", name="Self-assessment", exact=True).wait_for()
    assert (
        axe_violations(browser, f"{live_server.url}/admin/login/", page.content()) == []
    )
    page.get_by_role("group", name="Every unhappy customer is contacted").get_by_label(
        "Systematic"
    ).check()
    page.get_by_role("button", name="Save the self-assessment").click()
    page.get_by_text("Self-assessment saved").wait_for()
    latest = SelfAssessmentRound.objects.filter(organization=demo).first()
    assert latest is not None and latest.answered_by.username == "exec"
    assert latest.answers["loop_closed"] == 4

    # Assess now: the result comes into the page; the page itself is not reloaded.
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Assess now").click()
    page.get_by_text("Assessment finished").wait_for(timeout=60_000)
    assert page.evaluate("window.notReloaded") is True
    assert Assessment.objects.filter(organization=demo, status="done").count() == 2

    # A queued assessment is waited for: the page polls until the worker is done.
    queued = Assessment.objects.create(
        organization=demo,
        period_start=timezone.now() - timedelta(days=90),
        period_end=timezone.now(),
    )
    page.reload()
    page.locator("progress").wait_for()
    page.evaluate("window.notReloaded = true")
    services.assessment_compute(assessment_id=queued.pk)
    page.get_by_text("Assessment finished").wait_for(timeout=30_000)
    assert page.evaluate("window.notReloaded") is True

    # Rendering the PDF takes seconds, more on a busy machine: wait up to a minute.
    with page.expect_download(timeout=60_000) as download_info:
        page.locator(".report-download").get_by_role(
            "link", name="EN", exact=True
        ).click(timeout=60_000)
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert download.suggested_filename.endswith("-en.pdf")
    assert "Where you stand" in text and "Three things to know" in text


# Every drawn element whose right edge passes the viewport, and every element that
# scrolls sideways inside itself (a chart or table in a scroll box); text hidden for
# screen readers only (1 px, clipped) draws nothing.
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")].filter((e) => {
    const box = e.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) return false;
    return box.right > width + 0.5 || e.scrollWidth > e.clientWidth + 1
      && getComputedStyle(e).overflowX !== "visible";
  }).map((e) => e.tagName.toLowerCase() + "." + e.getAttribute("class"));
}"""


def test_a_cx_manager_reads_and_may_assess_on_a_phone(page, live_server, demo):
    # Two assessments, so the trend has a line and the history two rows.
    services.assessment_request(organization=demo)
    services.assessment_request(organization=demo)

    log_in(page, live_server, "cx")  # the page fixture is 390 px wide

    page.get_by_text("You are here").wait_for()
    assert page.get_by_role("button", name="Assess now").is_visible()
    # Nothing is wider than the phone: the charts are drawn for its width and the
    # history stacks its figures, each named, instead of scrolling sideways.
    assert page.evaluate(TOO_WIDE) == []
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    # The phone's drawing is the one shown (and the one a screen reader finds).
    claims = page.get_by_role("img", name="Evidence and self-assessment by dimension")
    assert claims.count() == 1
    assert claims.evaluate("svg => svg.closest('.chart-narrow') !== null")
    assert page.locator("table.history td[data-label=Index]").count() == 2
    assert page.locator("table.history thead").is_hidden()

    page.set_viewport_size({"width": 1440, "height": 900})
    assert claims.count() == 1
    assert claims.evaluate("svg => svg.closest('.chart-wide') !== null")
    assert page.locator("table.history thead").is_visible()
    assert page.evaluate(TOO_WIDE) == []


def test_an_analyst_reads_without_the_assess_button(page, browser, live_server, demo):
    services.assessment_request(organization=demo)

    log_in(page, live_server, "analyst")

    page.get_by_text("You are here").wait_for()
    assert page.get_by_role("heading", name="What holds you back").is_visible()
    assert page.get_by_role("button", name="Assess now").count() == 0
    assert page.get_by_role("link", name="Review the self-assessment").count() == 0
    assert (
        axe_violations(browser, f"{live_server.url}/admin/login/", page.content()) == []
    )
