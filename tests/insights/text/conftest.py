"""Comment fixtures: a survey whose responses carry a generated comment and an NPS."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from cx.models import Organization, Touchpoint
from surveys.models import Answer, Response, Survey
from tests.insights.conftest import make_survey
from tests.insights.text.corpus import Comment, corpus, nps_of


def store_comments(
    survey: Survey,
    comments: list[Comment],
    *,
    touchpoints: list[Touchpoint] | None = None,
    end: datetime,
    days: int = 120,
    seed: int = 1,
    scores: list[int] | None = None,
) -> list[Response]:
    """Store one completed response per comment, spread evenly over ``days`` to ``end``."""
    rng = random.Random(seed)
    step = timedelta(days=days) / max(len(comments), 1)
    responses = Response.objects.bulk_create(
        [
            Response(
                organization_id=survey.organization_id,
                survey=survey,
                touchpoint=(
                    tp := touchpoints[i % len(touchpoints)] if touchpoints else None
                ),
                journey_id=tp.journey_id if tp else None,
                language=comment.language,
                state=Response.State.COMPLETED,
                started_at=end - days * timedelta(days=1) + i * step,
                completed_at=end - days * timedelta(days=1) + i * step,
            )
            for i, comment in enumerate(comments)
        ]
    )
    questions = {question.key: question for question in survey.questions.all()}
    Answer.objects.bulk_create(
        [
            answer
            for i, (response, comment) in enumerate(
                zip(responses, comments, strict=True)
            )
            for answer in (
                Answer(
                    response=response, question=questions["comment"], text=comment.text
                ),
                Answer(
                    response=response,
                    question=questions["nps"],
                    number=scores[i] if scores else nps_of(comment, rng),
                ),
            )
        ]
    )
    return responses


@pytest.fixture
def comment_survey(aurora: Organization) -> Survey:
    return make_survey(aurora, "Comments")


@pytest.fixture
def commented(comment_survey: Survey) -> Callable[..., list[Response]]:
    """Store ``n`` generated comments: ``commented(1200, seed=3, end=...)``."""

    def commented(n: int, *, seed: int = 7, end: datetime, **options) -> list[Response]:  # type: ignore[no-untyped-def]
        return store_comments(comment_survey, corpus(n, seed=seed), end=end, **options)

    return commented
