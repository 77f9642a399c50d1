"""Predictions fixtures: Aurora's mortgage history with a planted abandonment signal."""

from __future__ import annotations

import pytest

from cx.models import Journey
from cx.services.journeys import touchpoint_save
from predictions.models import PredictionDefinition
from predictions.synthetic import ABANDONED, generate, load
from surveys.models import Question, Survey
from tests.conftest import TEST_CLOCK
from tests.surveys.conftest import chat_rule, chat_survey  # noqa: F401

DAYS = 120


@pytest.fixture
def application(aurora):
    """Aurora's loan journey: pages, chat, application (a CES survey answers it)."""
    journey = Journey.objects.create(organization=aurora, name="Loan application")
    touchpoints = {}
    for position, (name, channel, kind) in enumerate(
        [
            ("Loan pages", "web", "loan.page_viewed"),
            ("Advisor chat", "chat", "chat.ended"),
            ("Application", "web", "mortgage.application_submitted"),
        ],
        start=1,
    ):
        touchpoints[kind] = touchpoint_save(
            organization=aurora,
            fields={"journey": journey, "position": position, "name": name,
                    "channel": channel},
            event_types=[kind],
        )  # fmt: skip
    survey = Survey.objects.create(
        organization=aurora,
        name="Applying",
        status=Survey.Status.ACTIVE,
        languages=["fi", "en"],
        title={"fi": "Hakeminen", "en": "Applying"},
    )
    Question.objects.create(
        survey=survey,
        key="ces",
        position=1,
        type=Question.Type.CES,
        text={"fi": "Hakeminen oli helppoa.", "en": "Applying was easy."},
    )
    return touchpoints, survey


@pytest.fixture
def planted_bank(aurora, application):
    """2,500 applicants over 120 days up to the test clock, with the planted signal."""
    touchpoints, survey = application
    generated = generate(
        2500,
        days=DAYS,
        seed=11,
        visits=1,
        start=int(TEST_CLOCK.timestamp()) - DAYS * 86_400,
    )
    load(aurora, generated, survey=survey, touchpoints=touchpoints)
    return generated


@pytest.fixture
def small_bank(aurora, application):
    """600 applicants: enough history for features and labels, too few to train."""
    touchpoints, survey = application
    generated = generate(
        600,
        days=DAYS,
        seed=12,
        visits=1,
        start=int(TEST_CLOCK.timestamp()) - DAYS * 86_400,
    )
    load(aurora, generated, survey=survey, touchpoints=touchpoints)
    return generated


@pytest.fixture
def abandonment(aurora):
    return PredictionDefinition.objects.create(
        organization=aurora,
        key="abandon",
        name="Abandons the application",
        kind=PredictionDefinition.Kind.EVENT,
        event_type=ABANDONED,
        horizon_days=14,
        threshold=0.3,
    )
