"""The owner finds the customers at risk, reads why, and reaches them proactively.

On the demo's map, a generated mortgage history with a planted signal (repeated chats
and a low effort score before abandoning) trains and publishes a model; the owner opens
the customers-at-risk list, a customer and their reasons, and creates a trigger rule on
the risk segment with a holdout. axe finds nothing on any page visited.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone

from cx.demo import DEMO_PASSWORD
from cx.models import Touchpoint
from predictions import services
from predictions.models import ModelVersion, PredictionDefinition
from predictions.synthetic import ABANDONED, generate, load
from surveys.models import Question, Survey, TriggerRule
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Check that the page fits 1440 px and a 390 px phone without sideways scrolling;
    keep it at both widths when ``CX_SCREENS`` names a folder (for people to look at)."""
    folder = os.environ.get("CX_SCREENS")
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=f"{folder}/predictions-{name}-{width}.png", full_page=True
            )
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, (
            f"the {name} page is {wide} px wide on a {width} px screen"
        )
    page.set_viewport_size({"width": 1440, "height": 900})


@pytest.fixture
def predicted(demo):
    """The demo's map with 2,500 generated applicants and a published abandonment model."""
    touchpoints = {
        kind: touchpoint
        for touchpoint in Touchpoint.objects.filter(organization=demo)
        for kind in touchpoint.event_types.values_list("event_type", flat=True)
    }
    survey = Survey.objects.filter(
        organization=demo, questions__type=Question.Type.CES
    ).first()
    days = 120
    generated = generate(
        2500, days=days, seed=21, visits=1,
        start=int(timezone.now().timestamp()) - days * 86_400,
    )  # fmt: skip
    load(demo, generated, survey=survey, touchpoints=touchpoints)
    # The demo defines the prediction (and, without history, trains nothing).
    definition = PredictionDefinition.objects.get(organization=demo, key="abandon")
    assert (definition.event_type, definition.horizon_days) == (ABANDONED, 14)
    version = services.training_request(definition=definition)
    version.refresh_from_db()
    assert version.state == ModelVersion.State.PUBLISHED, version.refusals
    return definition


def test_owner_reaches_customers_at_risk_with_a_holdout_rule(
    browser, live_server, predicted
):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    pages: dict[str, str] = {}

    page.goto(f"{live_server.url}/predictions/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Customers at risk").wait_for()
    rows = page.locator("tbody tr")
    assert rows.count() >= 5
    shoot(page, "at-risk")
    pages["at risk"] = page.content()

    # A customer's page: the risk and its top reasons, in words.
    rows.first.get_by_role("link").click()
    page.get_by_role("heading", name="Predicted risks").wait_for()
    reasons = page.locator("ol.reasons li")
    assert 1 <= reasons.count() <= 3
    said = page.locator("ol.reasons").inner_text()
    # Reasons in words about what the model learns from: contacts and earlier scores.
    assert any(word in said for word in ("Advisor chat", "CES", "contact", "score"))
    shoot(page, "customer")
    pages["customer"] = page.content()

    # The model card says how it was validated.
    page.goto(f"{live_server.url}/predictions/models/")
    page.get_by_role("heading", name="Abandons the loan application").wait_for()
    assert "Test period" in page.content()
    assert page.get_by_role("img", name="Reliability on the test period").is_visible()
    shoot(page, "models")
    pages["models"] = page.content()

    # A proactive rule on the risk segment, keeping a holdout.
    page.goto(f"{live_server.url}/predictions/")
    page.get_by_role("link", name="Reach them with a proactive rule").click()
    page.get_by_label("Survey to send").select_option(index=1)
    page.get_by_label("When this event arrives").fill("chat.ended")
    page.get_by_label("Risk at least").fill("0.3")
    page.get_by_label("Holdout (%)").fill("10")
    shoot(page, "rule")
    pages["rule"] = page.content()
    page.get_by_role("button", name="Create the rule").click()
    page.get_by_role("heading", name="Predictions and their models").wait_for()

    rule = TriggerRule.objects.get(event_type="chat.ended", holdout_percent=10,
                                   segments_all__key__startswith="risk-abandon")  # fmt: skip
    segment = rule.segments_all.get()
    assert segment.rule == {
        "attribute": "risk_abandon",
        "operator": "gte",
        "value": 0.3,
    }

    for name, html in pages.items():
        assert axe_violations(browser, live_server.url, html) == [], name
    context.close()
