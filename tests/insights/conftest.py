"""Insights fixtures: Aurora's feedback survey, two segments, and a way to answer it.

``answer`` stores a completed response the way the product does (answers, the
touchpoint's journey and process copied on, a segment snapshot), so that each test says
only what matters to it: who answered what, where and when.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import pytest

from cx.models import Journey, Organization, Segment, Touchpoint
from surveys.models import Answer, Question, Response, ResponseSegment, Survey

WHEN = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday


def make_survey(organization: Organization, name: str = "Feedback") -> Survey:
    """Return an active survey asking NPS, CSAT, CES, FCR and an open comment."""
    survey = Survey.objects.create(
        organization=organization,
        name=name,
        status=Survey.Status.ACTIVE,
        languages=["fi", "en"],
    )
    for position, (key, type_) in enumerate(
        [
            ("nps", Question.Type.NPS),
            ("csat", Question.Type.CSAT),
            ("ces", Question.Type.CES),
            ("resolved", Question.Type.FCR),
            ("comment", Question.Type.TEXT),
        ],
        start=1,
    ):
        Question.objects.create(
            survey=survey,
            key=key,
            position=position,
            type=type_,
            text={"en": key},
            required=False,
        )
    return survey


def make_response(
    survey: Survey,
    touchpoint: Touchpoint | None,
    answers: dict[str, int | str],
    *,
    segments: Sequence[Segment] = (),
    completed_at: datetime | None = WHEN,
) -> Response:
    """Store one response to ``survey`` at ``touchpoint`` with its answers and segments."""
    response = Response.objects.create(
        organization_id=survey.organization_id,
        survey=survey,
        touchpoint=touchpoint,
        journey_id=touchpoint.journey_id if touchpoint else None,
        process_id=touchpoint.process_id if touchpoint else None,
        language="fi",
        state=Response.State.COMPLETED if completed_at else Response.State.STARTED,
        started_at=completed_at or WHEN,
        completed_at=completed_at,
    )
    questions = {question.key: question for question in survey.questions.all()}
    for key, value in answers.items():
        Answer.objects.create(
            response=response,
            question=questions[key],
            number=value if isinstance(value, int) else None,
            text=value if isinstance(value, str) else "",
        )
    for segment in segments:
        ResponseSegment.objects.create(
            organization_id=survey.organization_id,
            response=response,
            segment=segment,
            key=segment.key,
            touchpoint=touchpoint,
            completed_at=completed_at,
            nps=answers.get("nps") if isinstance(answers.get("nps"), int) else None,
        )
    return response


@pytest.fixture
def survey(aurora: Organization) -> Survey:
    return make_survey(aurora)


@pytest.fixture
def pages(mortgage: Journey) -> Touchpoint:
    return mortgage.touchpoints.get(name="Loan pages")


@pytest.fixture
def chat(mortgage: Journey) -> Touchpoint:
    return mortgage.touchpoints.get(name="Advisor chat")


@pytest.fixture
def valuable(aurora: Organization) -> Segment:
    return Segment.objects.create(organization=aurora, key="valuable", name="Valuable")


@pytest.fixture
def returner(aurora: Organization) -> Segment:
    return Segment.objects.create(organization=aurora, key="returner", name="Returner")


@pytest.fixture
def answer(survey: Survey) -> Callable[..., list[Response]]:
    """Answer Aurora's survey: ``answer(touchpoint, nps=[9, 10, 3], segments=[...])``.

    One response per value in the list of the first keyword given; other keywords give
    the same answer to every response (``csat=5``) or one per response (``csat=[5, 1]``).
    """

    def answer(
        touchpoint: Touchpoint | None,
        *,
        segments: Sequence[Segment] = (),
        completed_at: datetime | None = WHEN,
        **values: int | str | list[int | str],
    ) -> list[Response]:
        count = max(len(v) if isinstance(v, list) else 1 for v in values.values())
        responses = []
        for index in range(count):
            answers = {
                key: (value[index] if isinstance(value, list) else value)
                for key, value in values.items()
            }
            responses.append(
                make_response(
                    survey,
                    touchpoint,
                    answers,
                    segments=segments,
                    completed_at=completed_at,
                )
            )
        return responses

    return answer
