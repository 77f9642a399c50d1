"""The demo's planted themes are discovered, named by their words, and tell its story.

The demo is loaded as ``load_demo`` loads it, as shipped (90 days of history; slow, a
few minutes, but a shorter history holds too few offers to tell their wait); each
comment's true theme is read back from its text (insights/demo/content.py). The story:
the new application form crashes (since its rollout three weeks ago) and hurts NPS the
most of all themes in the dashboard's 30 days; customers kept waiting for their offer
are unhappy; the friendly chat agent lifts NPS.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from cx.models import Organization
from insights.demo.content import TEXTS
from insights.text.demo import PLANTED, TELLING
from insights.text.models import ResponseTheme, Theme
from insights.text.selectors import Scope, theme_impacts
from surveys.models import Answer

# The story must hold whatever ids the database hands out: trigger sampling hashes the
# organisation's and the rule's ids, so on PostgreSQL (whose sequences a rolled-back
# test does not reset) the demo's sample, and so its comments, differ from run to run.
# Checked by hand at id offsets 1 to 123,456 and at clocks in June, October (the DST
# change), December and January.
pytestmark = pytest.mark.django_db

KIND = {
    "Application form crashes": "new_form",
    "Waiting for the offer": "offer_wait",
    "Friendly chat agent": "friendly_chat",
}


@pytest.fixture
def demo(settings) -> Organization:
    settings.CX_DEMO_HISTORY_DAYS = 90
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    return Organization.objects.get(slug="demo")


def _truth(demo: Organization) -> dict[int, str]:
    """Return each commented response's true theme (its text's kind in the content)."""
    kind_of = {
        text: kind
        for kind, by_language in TEXTS.items()
        for texts in by_language.values()
        for text in texts
    }
    truth: dict[int, str] = {}
    for response_id, text in (
        Answer.objects.filter(response__organization=demo, question__type="text")
        .exclude(text="")
        .values_list("response_id", "text")
    ):
        kind = kind_of.get(text, "")
        if truth.get(response_id) not in KIND.values():
            truth[response_id] = kind
    return truth


def test_the_demo_themes_are_discovered_pure_named_and_tell_the_story(demo):
    truth = _truth(demo)
    for label, words in PLANTED.items():
        theme = Theme.objects.get(organization=demo, label=label, active=True)
        held = ResponseTheme.objects.filter(theme=theme).values_list(
            "response_id", flat=True
        )
        kinds = Counter(truth.get(pk, "") for pk in held)
        planted = sum(kind == KIND[label] for kind in truth.values())

        assert theme.kind == Theme.Kind.DISCOVERED, label
        assert len(set(words) & set(theme.words[:TELLING])) >= 2, theme.words
        assert kinds[KIND[label]] / len(held) >= 0.7, (label, kinds)  # purity
        assert kinds[KIND[label]] / planted >= 0.7, (label, kinds, planted)

    rows = {row.theme.label: row for row in theme_impacts(organization=demo)}
    crashes = rows["Application form crashes"].impact
    waiting = rows["Waiting for the offer"].impact
    friendly = rows["Friendly chat agent"].impact
    # NPS without the theme's comments minus NPS: > 0 hurts, < 0 lifts.
    assert crashes.change > 0 and crashes.ci_low > 0
    assert waiting.change > 0
    assert friendly.change < 0 and friendly.ci_high < 0
    last_month = theme_impacts(
        organization=demo, scope=Scope(since=timezone.now() - timedelta(days=30))
    )
    worst = max(last_month, key=lambda row: row.impact.change or 0)
    assert worst.theme.label == "Application form crashes"
