"""The CX manager's dashboard in a real browser, on a desktop and a phone.

She reads the headline cards, changes the period (the htmx refresh keeps it), clicks the
red heatmap cell of the loan application's valuable customers and lands on exactly
those answers; axe finds nothing to fix on the way. ``CX_SCREENS=<dir>`` keeps a
full-page screenshot of each width.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cx.demo import DEMO_PASSWORD
from cx.models import Organization, Segment, Touchpoint
from tests.browser.conftest import AXE, AXE_TAGS, missing_browser_tools
from tests.insights.conftest import make_response, make_survey

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        missing_browser_tools() is not None, reason=str(missing_browser_tools())
    ),
]


@pytest.fixture
def feedback(demo: Organization) -> None:
    """Valuable customers unhappy with the loan application; others fine with chat."""
    survey = make_survey(demo)
    application = Touchpoint.objects.get(organization=demo, name="Loan application")
    chat = Touchpoint.objects.get(organization=demo, name="Advisor chat")
    valuable = Segment.objects.get(organization=demo, key="valuable")
    returner = Segment.objects.get(organization=demo, key="returner")
    when = timezone.now() - timedelta(days=2)
    for n in range(40):
        make_response(
            survey, application, {"nps": [2, 5, 9, 3][n % 4], "csat": 2, "ces": 2},
            segments=[valuable], completed_at=when,
        )  # fmt: skip
    for n in range(35):
        make_response(
            survey, chat, {"nps": [10, 9, 8, 6, 10][n % 5], "csat": 5},
            segments=[returner], completed_at=when - timedelta(days=40),
        )  # fmt: skip


def _axe(tab) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert len(result["passes"]) >= 10, "axe-core checked almost nothing"
    return [
        (v["id"], [node["html"][:200] for node in v["nodes"]])
        for v in result["violations"]
    ]


@pytest.mark.parametrize("width", [1440, 390])
def test_the_cx_manager_reads_the_cards_changes_the_period_and_opens_a_red_cell(
    browser, live_server, demo, feedback, width
):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-US", bypass_csp=True
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    try:
        tab.goto(f"{live_server.url}/admin/login/?next=/dashboard/")
        tab.get_by_label("Username").fill("cx")
        tab.get_by_label("Password").fill(DEMO_PASSWORD)
        tab.get_by_role("button", name="Log in").click()
        tab.wait_for_url(f"{live_server.url}/dashboard/")

        nps = tab.locator(".card").filter(has=tab.get_by_role("heading", name="NPS"))
        assert nps.locator(".card-value").inner_text() == "−50"  # (10 − 30) of 40
        assert "n = 40" in nps.inner_text()
        assert _axe(tab) == []
        # The chart fits the page: no sideways scrolling on a phone.
        assert tab.evaluate("document.documentElement.scrollWidth") <= width

        tab.get_by_label("Period", exact=True).select_option("90")
        tab.get_by_role("button", name="Show").click()
        tab.wait_for_url(re.compile(r".*period=90.*"))
        assert "period=90" in tab.locator("#panels").get_attribute("hx-get")
        chat_nps = tab.locator(".step").filter(has_text="Advisor chat")
        assert "n = 35" in chat_nps.inner_text()
        if os.environ.get("CX_SCREENS"):
            tab.screenshot(
                path=f"{os.environ['CX_SCREENS']}/dashboard-test-{width}.png",
                full_page=True,
            )
        assert _axe(tab) == []

        cell = tab.locator("a[aria-label^='Loan application × Valuable']:visible")
        n = int(re.search(r"\(n=(\d+)\)", cell.get_attribute("aria-label")).group(1))
        cell.click()
        tab.wait_for_url(re.compile(r".*/feedback/\?.*"))

        assert n == 40
        assert tab.get_by_text(f"{n} responses").is_visible()
        assert tab.locator("tbody tr").count() == n
    finally:
        context.close()
