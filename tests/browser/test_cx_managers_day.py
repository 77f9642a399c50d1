"""The CX manager's day on the demo, in one walk through a real browser.

She reads the headline cards, opens the invitations behind a funnel count, changes the
period, clicks the red heatmap cell of the loan application's valuable customers and
lands on exactly those answers; finds a detractor's response and reads the questions as
asked, tags it, opens its case, gives it to a colleague, notes what was done and closes
it with a root cause and a recovery survey. The customer answers the recovery survey
from its email, and the dashboard's recovered count goes up by one. axe (WCAG 2.2 AA)
finds nothing on any staff page she visits. ``CX_SCREENS=<dir>`` keeps each page at
1440 px and 390 px (and the dashboard in Finnish) for people to look at.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from cx.demo import DEMO_PASSWORD
from cx.models import Organization, Segment, Touchpoint
from followups.models import CaseActivity, FollowUp
from insights.models import ResponseTag
from surveys.models import Invitation
from tests.browser.conftest import (
    AXE,
    AXE_TAGS,
    application_submitted,
    missing_browser_tools,
    on_live_server,
    survey_link,
)
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


def detractor(demo_api, n: int) -> None:
    """Customer ``n`` applies for a loan in Finnish and answers NPS 3 and CES 2."""
    application_submitted(demo_api, n, "fi")
    invitation = Invitation.objects.get(email=f"browser{n}@example.com")
    customer = Client()
    url = f"/s/{invitation.token()}/"
    for key, value in (
        ("nps", "3"),
        ("ces", "2"),
        ("what_went_wrong", "Liian monta liitettä"),
        ("comment", "Neuvoja oli silti ystävällinen."),
    ):
        customer.post(url, {"question": key, "answer": value})


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


def _shoot(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    """Keep the page at 1440 px and 390 px when ``CX_SCREENS`` names a folder."""
    folder = os.environ.get("CX_SCREENS")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for width, height in ((1440, 900), (390, 844)):
        tab.set_viewport_size({"width": width, "height": height})
        tab.screenshot(path=f"{folder}/{name}-{width}.png", full_page=True)
    tab.set_viewport_size({"width": 1440, "height": 900})


def _recovered(tab) -> int:  # type: ignore[no-untyped-def]
    step = tab.locator(".loop-steps a").filter(has_text=re.compile(r"\brecovered$"))
    return int(step.locator("strong").inner_text())


def test_the_cx_managers_day_from_the_cards_to_a_recovered_customer(
    browser, live_server, demo, feedback, demo_api
):
    detractor(demo_api, 1)
    case = FollowUp.objects.get()
    mail.outbox.clear()
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="en-US", bypass_csp=True
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    violations: dict[str, list] = {}

    def checked(name: str) -> None:
        violations[name] = _axe(tab)

    try:
        tab.goto(f"{live_server.url}/dashboard/")  # → the login page first
        tab.get_by_label("Username").fill("cx")
        tab.get_by_label("Password").fill(DEMO_PASSWORD)
        tab.get_by_role("button", name="Log in").click()
        tab.wait_for_url(f"{live_server.url}/dashboard/")

        # The headline cards: 10 promoters and 31 detractors of 41 answers.
        nps = tab.locator(".card").filter(has=tab.get_by_role("heading", name="NPS"))
        assert nps.locator(".card-value").inner_text() == "−51"
        assert "n = 41" in nps.inner_text()
        recovered_before = _recovered(tab)
        checked("dashboard")
        _shoot(tab, "dashboard")
        tab.set_viewport_size({"width": 390, "height": 844})
        # The charts fit a phone: no sideways scrolling.
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        tab.set_viewport_size({"width": 1440, "height": 900})
        if os.environ.get("CX_SCREENS"):  # the dashboard in Finnish, then back
            tab.get_by_role("button", name="FI", exact=True).click()
            tab.get_by_role("heading", name="NPS").first.wait_for()
            _shoot(tab, "dashboard-fi")
            tab.get_by_role("button", name="EN", exact=True).click()
            heading = "How customers feel along their journeys"
            tab.get_by_role("heading", name=heading).wait_for()

        # The funnel's "Sent" opens exactly the invitations it counts.
        sent = tab.locator("a[aria-label^='Sent: ']:visible")
        n_sent = int(re.search(r"Sent: (\d+)", sent.get_attribute("aria-label"))[1])
        sent.click()
        tab.wait_for_url(re.compile(r".*/feedback/delivery/\?.*step=sent.*"))
        assert n_sent == 1
        assert tab.get_by_text("1 invitation", exact=True).is_visible()
        assert tab.locator("tbody tr").count() == n_sent
        checked("events and invitations")
        _shoot(tab, "delivery")
        tab.go_back()

        # The period: 90 days reaches last month's chats.
        tab.get_by_label("Period", exact=True).select_option("90")
        tab.get_by_role("button", name="Show").click()
        tab.wait_for_url(re.compile(r".*period=90.*"))
        assert "period=90" in tab.locator("#panels").get_attribute("hx-get")
        assert (
            "n = 35"
            in tab.locator(".step").filter(has_text="Advisor chat").inner_text()
        )
        checked("dashboard, 90 days")

        # The red cell: the loan application's valuable customers.
        cell = tab.locator("a[aria-label^='Loan application × Valuable']:visible")
        label = cell.get_attribute("aria-label")
        assert re.search(r": −\d+ \(n=", label), label  # below zero: drawn red
        n = int(re.search(r"\(n=(\d+)\)", label).group(1))
        cell.click()
        tab.wait_for_url(re.compile(r".*/feedback/\?.*"))
        assert n >= 40
        assert tab.get_by_text(f"{n} responses").is_visible()
        assert tab.locator("tbody tr").count() == n
        # The cell's metric shows as a chip, and filtering on keeps it.
        assert tab.locator(".carried-filters .chip").first.is_visible()
        assert (
            "Answered the NPS question" in tab.locator(".carried-filters").inner_text()
        )
        checked("feedback list, the red cell")
        _shoot(tab, "feedback-list-from-cell")

        # The detractor's response, found by what they wrote.
        tab.goto(f"{live_server.url}/feedback/")
        tab.get_by_label("Search comments").fill("Liian monta")
        tab.get_by_role("button", name="Filter").click()
        row = tab.locator("tr.row-detractor")
        assert "NPS 3 / 10 · detractor" in row.inner_text()
        assert "Neuvoja oli silti ystävällinen." in row.inner_text()  # every comment
        checked("feedback list, searched")
        _shoot(tab, "feedback-list")
        row.get_by_role("link").first.click()
        tab.get_by_role("heading", name="Answers").wait_for()
        asked = tab.locator(".answers").inner_text()
        assert "Kuinka todennäköisesti suosittelisit meitä ystävällesi?" in asked
        assert "3 / 10 · detractor" in asked and "2 / 7 · difficult" in asked
        tab.get_by_label("Add a tag").fill("attachments")
        tab.get_by_role("button", name="Add", exact=True).click()
        tab.get_by_role("button", name="Remove the tag attachments").wait_for()
        assert ResponseTag.objects.get().tag.name == "attachments"
        checked("response")
        _shoot(tab, "response-detail")

        # Its case: reassign, a note, close (a root cause first), a recovery survey.
        tab.get_by_role("link", name="Open the case").click()
        tab.get_by_role("heading", name="History").wait_for()
        assert "2 / 7 · difficult" in tab.locator(".answers").inner_text()
        assert tab.get_by_role("heading", name="The customer's timeline").is_visible()
        case_url = tab.url
        tab.get_by_label("Give the case to").select_option(label="owner")
        tab.get_by_role("button", name="Reassign").click()
        tab.get_by_text("Assigned → owner").wait_for()
        tab.get_by_label("Add a note (not shown to the customer)").fill(
            "Called Aada; the attachment list is too long."
        )
        tab.get_by_role("button", name="Add the note").click()
        tab.get_by_text("Called Aada; the attachment list is too long.").wait_for()
        checked("case")
        _shoot(tab, "case")
        tab.get_by_role("button", name="Close the case").click()  # no cause yet
        assert tab.get_by_text("Choose the root cause.").is_visible()
        tab.get_by_label("Root cause").select_option("process")
        tab.get_by_label("What was done").fill("Dropped two attachments from the list.")
        tab.get_by_label("Send the customer a short recovery survey").check()
        tab.get_by_role("button", name="Close the case").click()
        tab.get_by_role("heading", name="Follow-ups").wait_for()
        checked("queue")
        case.refresh_from_db()
        assert case.state == FollowUp.State.CLOSED
        assert case.owner.get_username() == "owner"

        # The customer answers the recovery survey from its email.
        (recovery_email,) = [m for m in mail.outbox if "browser1@example.com" in m.to]
        customer = context.new_page()
        customer.goto(on_live_server(survey_link(recovery_email), live_server))
        customer.get_by_role("radio", name="5", exact=True).check()
        customer.get_by_role("button", name="Seuraava").click()
        customer.get_by_role("button", name="Ohita").click()
        customer.get_by_role("heading", name="Kiitos, että kerroit meille.").wait_for()
        customer.close()

        case.refresh_from_db()
        assert case.recovered is True
        assert list(case.activities.values_list("kind", flat=True)) == [
            CaseActivity.Kind.OPENED, CaseActivity.Kind.ASSIGNED, CaseActivity.Kind.NOTED,
            CaseActivity.Kind.CLOSED, CaseActivity.Kind.RECOVERY_SENT,
            CaseActivity.Kind.RECOVERY_ANSWERED,
        ]  # fmt: skip
        tab.goto(case_url)
        tab.get_by_text("Recovery survey answered: recovered").wait_for()
        tab.goto(f"{live_server.url}/dashboard/")
        assert _recovered(tab) == recovered_before + 1
        checked("dashboard, after")
    finally:
        context.close()

    assert violations == {name: [] for name in violations}
