"""The CX manager finds a theme on the dashboard and reads its comments, in a browser.

From the dashboard's Themes panel she clicks the crash theme and lands on the feedback
list filtered by it, every row wearing the theme's chip; then she opens the themes page.
axe finds nothing to fix on the way. ``CX_SCREENS=<dir>`` keeps full-page screenshots.
"""

from __future__ import annotations

import os
import re

import pytest
from django.utils import timezone

from cx.demo import DEMO_PASSWORD
from cx.models import Organization, Touchpoint
from insights.text.models import Theme
from insights.text.services import text_model_train
from tests.browser.conftest import missing_browser_tools
from tests.browser.test_cx_managers_day import _axe
from tests.insights.conftest import make_survey
from tests.insights.text.conftest import store_comments
from tests.insights.text.corpus import corpus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        missing_browser_tools() is not None, reason=str(missing_browser_tools())
    ),
]


@pytest.fixture
def comments(demo: Organization) -> Theme:
    """Six hundred generated comments at the loan application; return the crash theme."""
    survey = make_survey(demo, "Comments")
    application = Touchpoint.objects.get(organization=demo, name="Loan application")
    store_comments(
        survey, corpus(600, seed=5), touchpoints=[application], end=timezone.now(),
        days=20,
    )  # fmt: skip
    text_model_train(organization=demo)
    return next(
        theme
        for theme in Theme.objects.filter(organization=demo, active=True)
        if {"crash", "kaatua"} & set(theme.words[:3])
    )


def _shot(tab, name: str, width: int) -> None:  # type: ignore[no-untyped-def]
    if os.environ.get("CX_SCREENS"):
        tab.screenshot(
            path=f"{os.environ['CX_SCREENS']}/{name}-{width}.png", full_page=True
        )


@pytest.mark.parametrize("width", [1440, 390])
def test_the_cx_manager_filters_the_feedback_by_a_theme_from_the_dashboard(
    browser, live_server, demo, comments, width
):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-US", bypass_csp=True
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    try:
        tab.goto(f"{live_server.url}/admin/login/?next=/dashboard/")
        tab.get_by_label("Username").fill("cx")
        tab.get_by_label("Password").fill(DEMO_PASSWORD)
        tab.get_by_role("button", name="Log in").click()
        tab.wait_for_url(f"{live_server.url}/dashboard/")
        panel = tab.locator("section[aria-labelledby='themes-title']")
        assert panel.get_by_role("heading", name="Themes").is_visible()
        _shot(tab, "dashboard", width)
        assert _axe(tab) == []

        panel.get_by_role("link", name=comments.label).click()
        tab.wait_for_url(re.compile(rf".*/feedback/\?theme={comments.pk}.*"))
        n = comments.tagged.count()
        assert tab.get_by_text(f"{n} responses").is_visible()
        assert tab.get_by_label("Theme", exact=True).input_value() == str(comments.pk)
        rows = tab.locator("tbody tr")
        assert rows.count() == min(n, 50)
        assert rows.first.locator(".theme-chip", has_text=comments.label).count() == 1
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        _shot(tab, "feedback-by-theme", width)
        assert _axe(tab) == []

        tab.goto(f"{live_server.url}/dashboard/themes/")
        assert tab.get_by_role("heading", name="Themes, by impact").is_visible()
        _shot(tab, "themes-page", width)
        assert _axe(tab) == []
    finally:
        context.close()
