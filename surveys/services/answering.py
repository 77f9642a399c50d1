"""Submitting one answer from the answer page: the invitation's link and a public link.

Both pages post the same form (the question's key, the chosen values, maybe "skip");
this service decides what happens to it, so that the views only render the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from surveys.models import Invitation, Question, Response, Survey
from surveys.services import responses


@dataclass(frozen=True)
class Submitted:
    """What a posted answer did.

    ``question`` is None when the form named no question of the survey (the page is
    shown again); ``error`` is set, translated, when the answer was refused; otherwise
    it was saved, and ``upcoming`` is the next question, or None when the response was
    completed.
    """

    question: Question | None
    response: Response | None
    values: list[str] = field(default_factory=list)
    error: str = ""
    upcoming: Question | None = None


def answer_submit(
    *,
    survey: Survey,
    key: str,
    values: list[str],
    skip: bool,
    invitation: Invitation | None = None,
    response: Response | None = None,
    language: str = "",
) -> Submitted:
    """Save the answer to the question ``key`` names; complete the response after the last.

    Through an invitation the response is the invitation's (started here on the first
    answer); through a public link it is ``response``, or a new anonymous one made once
    the first answer is valid. ``skip`` leaves an optional question unanswered.
    """
    question = survey.questions.filter(key=key).first()
    if question is None:
        return Submitted(None, response)
    if skip and not question.required:
        values = []
    if invitation is not None:
        response = responses.response_for(invitation=invitation)
    try:
        parsed = responses.answer_parse(question, values)
        if response is None:
            response = responses.response_for_public_link(
                survey=survey, language=language
            )
        responses.answer_save(response=response, question=question, answer=parsed)
    except responses.AnswerError as error:
        # Translated where raised, in the page's language.
        return Submitted(question, response, values, error=str(error))
    upcoming = responses.question_after(response, question)
    if upcoming is None:
        responses.response_complete(response=response)
    return Submitted(question, response, values, upcoming=upcoming)
