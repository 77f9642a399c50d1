"""The CX manager works a case in the browser, from the response to the recovered customer.

Open a response and read the questions as asked, tag it, open its case, give it to a
colleague, note what was done, close it with a root cause and a recovery survey; the
customer answers the recovery survey from the email. axe finds nothing on any staff page
visited; the feedback list, response and case page are kept as screenshots.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

from cx.demo import DEMO_PASSWORD
from followups.models import CaseActivity, FollowUp
from insights.models import ResponseTag
from surveys.models import Invitation
from tests.browser.conftest import (
    application_submitted,
    axe_violations,
    on_live_server,
    survey_link,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path("/work/notes/screens/answers")


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


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Keep the page at 1440 px and 390 px (for people to look at; not asserted)."""
    if not SCREENS.parent.exists():
        return
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def test_the_cx_manager_works_a_case_from_the_response_to_recovery(
    browser, live_server, demo_api
):
    detractor(demo_api, 1)
    case = FollowUp.objects.get()
    mail.outbox.clear()
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    visited: dict[str, str] = {}

    page.goto(f"{live_server.url}/feedback/")
    page.get_by_label("Username").fill("cx")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Feedback").wait_for()
    row = page.locator("tr.row-detractor")
    assert "NPS 3 / 10 · detractor" in row.inner_text()
    assert "Liian monta liitettä" in row.inner_text()
    assert "Neuvoja oli silti ystävällinen." in row.inner_text()  # every comment
    shoot(page, "feedback-list")
    visited["feedback list"] = page.url

    # The response, as the customer was asked (in Finnish), scores on their scales.
    row.get_by_role("link").first.click()
    page.get_by_role("heading", name="Answers").wait_for()
    asked = page.locator(".answers")
    assert "Kuinka todennäköisesti suosittelisit meitä ystävällesi?" in (
        asked.inner_text()
    )
    assert "3 / 10 · detractor" in asked.inner_text()
    assert "2 / 7 · difficult" in asked.inner_text()
    page.get_by_label("Add a tag").fill("attachments")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("button", name="Remove the tag attachments").wait_for()
    assert ResponseTag.objects.get().tag.name == "attachments"
    shoot(page, "response-detail")
    visited["response"] = page.url

    # Its case: the answers again, the customer, reassign, a note, close with recovery.
    page.get_by_role("link", name="Open the case").click()
    page.get_by_role("heading", name="History").wait_for()
    assert "2 / 7 · difficult" in page.locator(".answers").inner_text()
    assert page.get_by_role("heading", name="The customer's timeline").is_visible()
    visited["case"] = page.url
    page.get_by_label("Give the case to").select_option(label="owner")
    page.get_by_role("button", name="Reassign").click()
    page.get_by_text("Assigned → owner").wait_for()
    page.get_by_label("Add a note (not shown to the customer)").fill(
        "Called Aada; the attachment list is too long."
    )
    page.get_by_role("button", name="Add the note").click()
    page.get_by_text("Called Aada; the attachment list is too long.").wait_for()
    shoot(page, "case")
    page.get_by_label("Root cause").select_option("process")
    page.get_by_label("What was done").fill("Dropped two attachments from the list.")
    page.get_by_label("Send the customer a short recovery survey").check()
    page.get_by_role("button", name="Close the case").click()
    page.get_by_role("heading", name="Follow-ups").wait_for()
    visited["queue"] = page.url

    case.refresh_from_db()
    assert case.state == FollowUp.State.CLOSED and case.owner.get_username() == "owner"
    assert case.recovery_invitation is not None

    # The customer answers the recovery survey from its email.
    (recovery_email,) = [m for m in mail.outbox if "browser1@example.com" in m.to]
    customer = context.new_page()
    customer.goto(on_live_server(survey_link(recovery_email), live_server))
    customer.get_by_role("radio", name="5", exact=True).check()
    customer.get_by_role("button", name="Seuraava").click()
    customer.get_by_role("button", name="Ohita").click()
    customer.get_by_role("heading", name="Kiitos, että kerroit meille.").wait_for()

    case.refresh_from_db()
    assert case.recovered is True
    assert list(case.activities.values_list("kind", flat=True)) == [
        CaseActivity.Kind.OPENED, CaseActivity.Kind.ASSIGNED, CaseActivity.Kind.NOTED,
        CaseActivity.Kind.CLOSED, CaseActivity.Kind.RECOVERY_SENT,
        CaseActivity.Kind.RECOVERY_ANSWERED,
    ]  # fmt: skip
    page.goto(visited["case"])
    page.get_by_text("Recovery survey answered: recovered").wait_for()
    cookies = context.cookies()
    context.close()

    found = {
        name: axe_violations_as(browser, url, cookies) for name, url in visited.items()
    }
    assert found == {name: [] for name in found}


def axe_violations_as(browser, url: str, cookies) -> list:  # type: ignore[no-untyped-def]
    """Run axe on ``url`` logged in as the same staff user (their session cookie)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(url)
    html = page.content()
    context.close()
    return axe_violations(browser, url, html)
