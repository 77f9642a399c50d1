"""The demo executive logs in and downloads the maturity report as a PDF, in a browser."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from cx.demo import DEMO_PASSWORD
from maturity import services
from maturity.models import Assessment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        shutil.which("pdftotext") is None, reason="needs poppler's pdftotext"
    ),
]


def test_the_executive_downloads_the_maturity_report(page, live_server, demo, tmp_path):
    # Outside a test transaction the request commits at once and the eager task runs.
    requested = services.assessment_request(organization=demo)
    assessment = Assessment.objects.get(pk=requested.pk)
    assert assessment.status == Assessment.Status.DONE, assessment.error

    page.goto(f"{live_server.url}/admin/login/?next=/maturity/")
    page.get_by_label("Username").fill("exec")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="CX maturity").wait_for()
    assert page.url == f"{live_server.url}/maturity/"

    # Rendering the PDF takes seconds, more on a busy machine: wait up to a minute.
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("link", name="Download the report (PDF)").click(timeout=60_000)
    download = download_info.value

    assert download.suggested_filename.startswith("cx-maturity-demo-")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The report speaks the reader's language (the browser asks for English), not the
    # organisation's default (Finnish for the demo).
    assert demo.default_language == "fi"
    assert assessment.result["level_name"] in text
    assert download.suggested_filename.endswith("-en.pdf")
    assert "Demo Bank" in text
