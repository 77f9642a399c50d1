"""Surveys fixtures: Aurora's chat survey and a trigger rule on the chat touchpoint."""

from __future__ import annotations

import pytest

from surveys.models import Survey, TriggerRule
from tests.factories import SurveyFactory, TriggerRuleFactory


@pytest.fixture
def chat_survey(aurora) -> Survey:
    return SurveyFactory(
        organization=aurora,
        name="Chat satisfaction",
        title={"fi": "Miten chat onnistui?", "en": "How was your chat?"},
        intro={"fi": "Kaksi nopeaa kysymystä.", "en": "Two quick questions."},
        questions=["csat", "resolved"],
    )


@pytest.fixture
def chat_rule(aurora, mortgage, chat_survey) -> TriggerRule:
    return TriggerRuleFactory(
        name="Chat ended → satisfaction",
        survey=chat_survey,
        touchpoint=mortgage.touchpoints.get(name="Advisor chat"),
        reminder_count=1,
        reminder_interval_days=3,
    )


def chat_event(n: int = 1, **customer: object) -> dict[str, object]:
    """Return a chat.ended event for customer ``c-<n>`` (fields overridable)."""
    return {
        "event_id": f"chat-{n}",
        "type": "chat.ended",
        "customer": {
            "external_id": f"c-{n}",
            "email": f"c{n}@example.com",
            "name": "Maija Meikäläinen",
            "language": "fi",
            **customer,
        },
    }
