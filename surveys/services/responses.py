"""Answering: a response is saved answer by answer and completed once.

A customer may leave midway and come back through the same link: every answer is stored
as it is given, and the page resumes at the first visible question without an answer.
Two tabs or a double click store one response (``Response.invitation`` is one-to-one,
``Answer`` is unique per question) and one answer per question (the last one wins).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cx.models import Customer, Segment
from cx.plugins import plugins
from surveys import logic
from surveys.models import Answer, Invitation, Question, Response, Survey
from surveys.services.snapshots import response_segments_snapshot

MAX_TEXT = 5000
ORIGIN_OF_INVITATION: dict[str, str] = {
    Invitation.Origin.EVENT: Response.Origin.EVENT,
    Invitation.Origin.LIST: Response.Origin.LIST,
    Invitation.Origin.RECOVERY: Response.Origin.RECOVERY,
}


class AnswerError(ValueError):
    """The value does not answer the question; the message is shown beside it."""


@dataclass(frozen=True)
class ParsedAnswer:
    number: int | None = None
    choices: tuple[str, ...] = ()
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return self.number is None and not self.choices and not self.text


def answer_parse(question: Question, values: list[str]) -> ParsedAnswer:
    """Return the answer in ``values`` (form values) or raise ``AnswerError``."""
    values = [value.strip() for value in values if value is not None and value.strip()]
    if not values:
        return ParsedAnswer()
    scale = question.scale()
    if scale is not None:
        try:
            number = int(values[0])
        except ValueError:
            raise AnswerError(_("Choose one of the options.")) from None
        if not scale[0] <= number <= scale[1]:
            raise AnswerError(_("Choose one of the options."))
        return ParsedAnswer(number=number)
    if question.type in (Question.Type.SINGLE, Question.Type.MULTIPLE):
        keys = question.choice_keys()
        chosen = tuple(dict.fromkeys(values))
        if any(value not in keys for value in chosen):
            raise AnswerError(_("Choose one of the options."))
        if question.type == Question.Type.SINGLE and len(chosen) > 1:
            raise AnswerError(_("Choose only one option."))
        return ParsedAnswer(choices=chosen)
    text = values[0]
    if len(text) > MAX_TEXT:
        raise AnswerError(_("Write at most %(n)d characters.") % {"n": MAX_TEXT})
    return ParsedAnswer(text=text)


def response_for(*, invitation: Invitation) -> Response:
    """Return the invitation's response, starting it if need be (race-safe)."""
    existing = Response.objects.filter(invitation=invitation).first()
    if existing is not None:
        return existing
    event = invitation.event
    touchpoint = event.touchpoint if event is not None else None
    anonymous = invitation.survey.is_anonymous
    try:
        with transaction.atomic():
            return Response.objects.create(
                organization_id=invitation.organization_id,
                survey_id=invitation.survey_id,
                invitation=invitation,
                customer=None if anonymous else invitation.customer,
                event=event,
                touchpoint=touchpoint,
                journey_id=touchpoint.journey_id if touchpoint else None,
                process_id=touchpoint.process_id if touchpoint else None,
                origin=ORIGIN_OF_INVITATION.get(
                    invitation.origin, Response.Origin.EVENT
                ),
                channel=invitation.channel,
                is_anonymous=anonymous,
                language=invitation.language,
                started_at=timezone.now(),
            )
    except IntegrityError:  # another tab started it a moment ago
        return Response.objects.get(invitation=invitation)


def response_for_public_link(*, survey: Survey, language: str) -> Response:
    """Start an anonymous response collected through the survey's public link."""
    return Response.objects.create(
        organization_id=survey.organization_id,
        survey=survey,
        origin=Response.Origin.PUBLIC_LINK,
        is_anonymous=True,
        language=language,
        started_at=timezone.now(),
    )


def answer_save(
    *, response: Response, question: Question, answer: ParsedAnswer
) -> None:
    """Store (or replace) the answer to ``question``; an empty answer marks it skipped."""
    if answer.is_empty and question.required:
        raise AnswerError(_("Please answer this question."))
    response.forget_answers()
    fields = {
        "number": answer.number,
        "choices": list(answer.choices),
        "text": answer.text,
    }
    updated = Answer.objects.filter(response=response, question=question).update(
        **fields
    )
    if not updated:
        try:
            with transaction.atomic():
                Answer.objects.create(response=response, question=question, **fields)
        except IntegrityError:  # a double submit saved it first: the last value wins
            Answer.objects.filter(response=response, question=question).update(**fields)


def logic_context(response: Response) -> logic.Context:
    """Return what the survey's conditions may look at for ``response``."""
    answers: dict[str, Any] = {}
    for _id, key, number, choices, text in response.given_answers:
        if number is not None:
            answers[key] = number
        elif choices:
            answers[key] = choices[0] if len(choices) == 1 else choices
        elif text:
            answers[key] = text
    who = customer_context(
        customer=response.customer,
        organization_id=response.organization_id,
        questions=response.survey.ordered_questions,
    )
    return logic.Context(
        answers=answers, segments=who.segments, attributes=who.attributes
    )


def customer_context(
    *, customer: Customer | None, organization_id: int, questions: list[Question]
) -> logic.Context:
    """Return what the conditions of ``questions`` may know about ``customer``.

    The customer's segments are worked out only when a condition asks about one.
    """
    if customer is None:
        return logic.Context()
    if not any(logic.mentions_customer(q.condition) for q in questions):
        return logic.Context(attributes=customer.attributes or {})
    segments = frozenset(
        segment.key
        for segment in Segment.objects.for_organization(organization_id)
        if segment.contains(customer)
    )
    return logic.Context(segments=segments, attributes=customer.attributes or {})


def visible_questions(response: Response) -> list[Question]:
    """Return the questions shown to this respondent, given the answers so far."""
    context = logic_context(response)
    return [
        question
        for question in response.survey.ordered_questions
        if logic.shows(question.condition, context)
    ]


def next_question(response: Response) -> Question | None:
    """Return the first visible question without an answer, or None when done."""
    answered = {question_id for question_id, *_ in response.given_answers}
    for question in visible_questions(response):
        if question.pk not in answered:
            return question
    return None


def question_after(response: Response, question: Question) -> Question | None:
    """Return what to show after ``question``: the next visible one, else any left.

    After going back, the next question may be answered already; it is shown again
    with its answer, so Back and Next walk the same path.
    """
    later = [q for q in visible_questions(response) if q.position > question.position]
    return later[0] if later else next_question(response)


def question_before(response: Response, question: Question) -> Question | None:
    """Return the answered visible question just before ``question`` (for Back)."""
    answered = {question_id for question_id, *_ in response.given_answers}
    earlier = [
        q
        for q in visible_questions(response)
        if q.position < question.position and q.pk in answered
    ]
    return earlier[-1] if earlier else None


def saved_answer(response: Response, question: Question) -> list[str]:
    """Return the answer given to ``question`` as the form's values (for Back)."""
    for question_id, _key, number, choices, text in response.given_answers:
        if question_id == question.pk:
            if number is not None:
                return [str(number)]
            return [str(choice) for choice in choices] if choices else [text]
    return []


def response_case_promise(response: Response) -> int | None:
    """Return the hours within which the case ``response`` opened is due, else None.

    The hours are those of the organisation's follow-up SLA when the case opened (its
    due time less its opening time), read through the relation ``followups`` adds.
    """
    found = (
        Response.objects.filter(pk=response.pk, followup__isnull=False)
        .values_list("followup__opened_at", "followup__due_at")
        .first()
    )
    if found is None:
        return None
    opened_at, due_at = found
    return max(1, round((due_at - opened_at).total_seconds() / 3600))


@transaction.atomic
def response_complete(*, response: Response) -> bool:
    """Complete the response once: snapshot its context and mark the invitation answered."""
    now = timezone.now()
    completed = Response.objects.filter(
        pk=response.pk, state=Response.State.STARTED
    ).update(state=Response.State.COMPLETED, completed_at=now)
    if not completed:
        return False
    response.refresh_from_db()
    response_segments_snapshot(response=response)
    if response.invitation_id:
        Invitation.objects.filter(pk=response.invitation_id).exclude(
            state=Invitation.State.ANSWERED
        ).update(state=Invitation.State.ANSWERED, answered_at=now)
    for receiver in completion_receivers():
        receiver(response)
    return True


def completion_receivers() -> tuple[Callable[[Response], None], ...]:
    """Return what acts on a completed response (CX_RESPONSE_COMPLETED_RECEIVERS).

    Each is called inside the completing transaction with the response; work outside
    the database (emails, webhooks) must wait for the commit (``cx.publish.publish_on_commit``).
    """
    return plugins("CX_RESPONSE_COMPLETED_RECEIVERS")


def invitation_mark_opened(*, invitation: Invitation) -> None:
    """Record the first view of the answer page (sent → opened, never backwards)."""
    if invitation.state != Invitation.State.SENT:
        return  # opened already, or answered, or not yet marked sent: nothing to do
    Invitation.objects.filter(pk=invitation.pk, state=Invitation.State.SENT).update(
        state=Invitation.State.OPENED, opened_at=timezone.now()
    )
