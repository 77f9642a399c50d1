"""Every link on the dashboard opens for the one who reads it.

An executive may read the dashboard but not the answers, cases and lists behind its
numbers: their dashboard shows the same numbers without links, instead of links that
all end on "This page is not open to your role". The owner's dashboard links them.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from cx.models import Role
from cx.services.organizations import member_add, staff_user_create
from tests.followups.conftest import answered  # noqa: F401
from tests.insights.test_funnel import _event, _invite, rule  # noqa: F401
from tests.surveys.conftest import chat_rule, chat_survey  # noqa: F401

LINK = re.compile(r'<a\b[^>]*\bhref="(/[^"]*)"')
# Pages every role on the dashboard may open: the chrome's own (navigation, language,
# log-out) are outside the panels, whose links are what this checks.
BEHIND_THE_NUMBERS = ("/feedback/", "/followups/", "/dashboard/themes/")


@pytest.fixture
def executive(aurora):  # type: ignore[no-untyped-def]
    user = staff_user_create(
        username="eero", email="eero@aurora.example", password="pw-eero"
    )
    member_add(organization=aurora, user=user, role=Role.EXECUTIVE)
    return user


@pytest.fixture
def feedback(answered):  # type: ignore[no-untyped-def]
    """Two unhappy chats and a happy one: numbers and follow-up cases to link."""
    for n, (csat, resolved) in enumerate([("1", "0"), ("2", "0"), ("5", "1")]):
        answered(n, csat=csat, resolved=resolved)


def _panel_links(client) -> list[str]:  # type: ignore[no-untyped-def]
    page = client.get("/dashboard/panels/")
    assert page.status_code == 200
    return [unescape(href) for href in LINK.findall(page.content.decode())]


def test_the_executive_sees_the_numbers_without_links_it_cannot_follow(
    client, aino, executive, feedback
):
    client.force_login(aino)
    owners = _panel_links(client)
    client.force_login(executive)
    theirs = _panel_links(client)
    shown = client.get("/dashboard/").content.decode()

    # The owner's numbers open the answers and cases behind them.
    assert any(href.startswith(BEHIND_THE_NUMBERS) for href in owners)
    # The executive's open nothing that answers 403, yet show the same figures.
    assert not [href for href in theirs if href.startswith(BEHIND_THE_NUMBERS)]
    for href in theirs:
        assert client.get(href).status_code == 200, href
    assert "n = 3" in shown
    assert "Each cell opens its answers" not in shown
