"""The demo CX owner works the closed loop in the browser: dashboard → case → closed."""

from __future__ import annotations

import pytest
from django.test import Client

from cx.demo import DEMO_PASSWORD
from followups.models import FollowUp
from surveys.models import Invitation
from tests.browser.conftest import application_submitted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def detractor(demo_api, n: int) -> None:
    """Customer ``n`` applies for a loan and answers NPS 2 and CES 2."""
    application_submitted(demo_api, n, "en")
    invitation = Invitation.objects.get(email=f"browser{n}@example.com")
    customer = Client()
    url = f"/s/{invitation.token()}/"
    for key, value in (
        ("nps", "2"),
        ("ces", "2"),
        ("what_went_wrong", "Too many forms"),
    ):
        customer.post(url, {"question": key, "answer": value})
    customer.post(url, {"question": "comment", "answer": "", "skip": "1"})


def test_the_cx_owner_closes_a_detractors_case_from_the_dashboard(
    page, live_server, demo_api
):
    detractor(demo_api, 1)
    detractor(demo_api, 2)
    assert FollowUp.objects.count() == 2

    page.goto(f"{live_server.url}/dashboard/")  # → the login page first
    page.get_by_label("Username").fill("cx")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role(
        "heading", name="How customers feel along their journeys"
    ).wait_for()
    queue = page.get_by_role("region", name="Open follow-ups")
    assert "2 unresolved" in queue.inner_text()
    queue.get_by_role("link", name="NPS 2; CES 2").first.click()

    page.get_by_text("Why it opened: NPS 2; CES 2").wait_for()
    assert page.get_by_text("Too many forms").is_visible()
    assert page.get_by_text("2 / 7 · difficult", exact=True).is_visible()  # as asked
    page.get_by_role("button", name="Close the case").click()  # nothing chosen yet
    assert page.get_by_text("Choose the root cause.").is_visible()
    page.get_by_label("Root cause").select_option("process")
    page.get_by_label("What was done").fill("Called back; removed a form.")
    page.get_by_role("button", name="Close the case").click()

    page.get_by_role("heading", name="Follow-ups").wait_for()
    page.goto(f"{live_server.url}/dashboard/")
    queue = page.get_by_role("region", name="Open follow-ups")
    assert "1 unresolved" in queue.inner_text()
    closed = FollowUp.objects.get(state=FollowUp.State.CLOSED)
    assert closed.root_cause == "process"
    assert closed.closed_by.get_username() == "cx"
