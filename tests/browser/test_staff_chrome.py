"""Each demo role logs in and finds the pages it may open, itself in the header, and a
styled, accessible 403 with a way back when it opens a page that is not for it."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from cx.demo import DEMO_PASSWORD
from tests.browser.conftest import AXE, AXE_TAGS, missing_browser_tools

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        missing_browser_tools() is not None, reason=str(missing_browser_tools())
    ),
]

# The pages each demo login finds in the navigation, in order; "Administration" follows
# when the admin site shows the role any model (asked of the admin itself).
NAVIGATION = {
    "owner": [
        "Dashboard",
        "Feedback",
        "Follow-ups",
        "Customers at risk",
        "Maturity",
        "API docs",
    ],
    "cx": [
        "Dashboard",
        "Feedback",
        "Follow-ups",
        "Customers at risk",
        "Maturity",
        "API docs",
    ],
    "analyst": ["Dashboard", "Feedback", "Follow-ups", "Customers at risk", "Maturity"],
    "exec": ["Dashboard", "Maturity"],
}
# A page each role may not open, and whom its 403 page names (owners and CX managers
# may open every staff page).
FORBIDDEN = {
    "exec": ("/feedback/", "This page is for owners, CX managers and analysts"),
    "analyst": (
        "/maturity/self-assessment/",
        "This page is for owners, CX managers and executives",
    ),
}

ROLE_LABELS = {
    "owner": "Owner",
    "cx": "CX manager",
    "analyst": "Analyst",
    "exec": "Executive",
}


def _expected_navigation(username: str) -> list[str]:
    request = RequestFactory().get("/dashboard/")
    request.user = get_user_model().objects.get(username=username)
    pages = list(NAVIGATION[username])
    if admin.site.get_app_list(request):
        pages.insert(pages.index("Maturity") + 1, "Administration")
    return pages


def _axe(tab, context: str) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate(
        "([context, tags]) => axe.run(context, {runOnly: {type: 'tag', values: tags}})",
        [context, AXE_TAGS],
    )
    assert len(result["passes"]) >= 5, "axe-core checked almost nothing"
    return [
        (v["id"], [node["html"][:200] for node in v["nodes"]])
        for v in result["violations"]
    ]


@pytest.mark.parametrize("username", list(NAVIGATION))
@pytest.mark.parametrize("width", [1440, 390])
def test_each_role_sees_its_pages_itself_and_a_styled_403(
    browser, live_server, demo, settings, username, width
):
    settings.ROOT_URLCONF = "tests.cx.chrome_urls"  # adds a page that needs feedback
    # bypass_csp only to inject axe-core into the logged-in pages.
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-US", bypass_csp=True
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    navigation = _expected_navigation(username)
    try:
        tab.goto(f"{live_server.url}/admin/login/?next=/dashboard/")
        tab.get_by_label("Username").fill(username)
        tab.get_by_label("Password").fill(DEMO_PASSWORD)
        tab.get_by_role("button", name="Log in").click()
        tab.wait_for_url(f"{live_server.url}/dashboard/")

        nav = tab.get_by_role("navigation", name="Main")
        assert nav.get_by_role("link").all_inner_texts() == navigation
        current = nav.locator("[aria-current=page]")
        assert current.inner_text() == "Dashboard"
        header = tab.locator("header")
        assert header.locator(".user-name").inner_text() == username
        assert header.locator(".role").inner_text() == ROLE_LABELS[username]
        assert header.get_by_role("link", name="Demo Bank").is_visible()
        assert header.get_by_role("button", name="Log out").is_visible()
        # Nothing in the header runs off a phone's screen.
        overflow = tab.evaluate(
            "() => document.documentElement.scrollWidth > window.innerWidth"
        )
        assert not overflow
        assert _axe(tab, "header") == []

        if username in FORBIDDEN:
            path, who = FORBIDDEN[username]
            response = tab.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 403
            assert tab.get_by_role("heading", level=1).inner_text() == (
                "This page is not open to your role"
            )
            assert who in tab.inner_text("main")
            assert nav.get_by_role("link").all_inner_texts() == navigation
            assert _axe(tab, "html") == []
            tab.get_by_role("link", name="Back to the dashboard").click()
        else:  # owners and CX managers open every staff page
            tab.goto(f"{live_server.url}/feedback/")
            assert nav.get_by_role("link").all_inner_texts() == navigation
            nav.get_by_role("link", name="Dashboard").click()
        tab.wait_for_url(f"{live_server.url}/dashboard/")
        tab.get_by_role("button", name="Log out").click()
        tab.wait_for_url("**/admin/login/**")
        tab.goto(f"{live_server.url}/dashboard/")
        assert "/admin/login/" in tab.url
    finally:
        context.close()
