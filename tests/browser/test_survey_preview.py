"""The admin's survey preview, as the CX owner sees it in the browser."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from surveys.models import Survey
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_owner_previews_the_demo_survey_and_it_is_accessible(
    browser, live_server, demo
):
    owner = Client()
    owner.force_login(get_user_model().objects.get(username="owner"))
    survey = Survey.objects.get(organization=demo, name__icontains="application")
    url = f"{live_server.url}/admin/surveys/survey/{survey.pk}/preview/?lang=en"
    context = browser.new_context(bypass_csp=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": owner.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    tab = context.new_page()
    tab.goto(url)

    assert tab.get_by_role("group", name="How likely are you to recommend us").count()
    assert tab.get_by_text("Shown only when: nps ≤ 6").is_visible()
    tab.screenshot(path=str(settings.VAR_DIR / "survey-preview.png"), full_page=True)
    html = tab.content()
    context.close()
    assert axe_violations(browser, url, html) == []
