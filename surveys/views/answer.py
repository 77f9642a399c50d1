"""The answer page ``/s/<token>/``: one question per step, saved as it is answered.

A GET never records anything (email security scanners fetch every link): it shows the
next question, with a score from the email's one-click row (``?score=n``) preselected.
A POST saves one answer and shows the next step. With JavaScript, htmx swaps just the
step; without it, the form posts and redirects (post/redirect/get).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from cx.htmx import HtmxHttpRequest
from cx.models import Customer, Event, Organization
from surveys import logic, presentation
from surveys.logic import pipe
from surveys.models import Invitation, Question, Response, Survey
from surveys.models.surveys import translate
from surveys.services import responses
from surveys.services.answering import Submitted, answer_submit
from surveys.views.public import invitation_for, is_expired, language_of


def _gone(
    request: HtmxHttpRequest, invitation: Invitation, reason: str
) -> HttpResponse:
    context = {"organization": invitation.organization, "reason": reason}
    return render(request, "surveys/answer/gone.html", context, status=410)


@dataclass(frozen=True)
class Respondent:
    """Someone answering through a public link: no invitation, no identity."""

    survey: Survey
    organization: Organization
    customer: Customer | None = None
    event: Event | None = None


def _step_context(
    request: HtmxHttpRequest,
    invitation: Invitation | Respondent,
    response: Response | None,
    question: Question,
    *,
    language: str,
    selected: list[str] | None = None,
    error: str = "",
) -> dict[str, object]:
    survey = invitation.survey
    if response is not None:
        visible = responses.visible_questions(response)
    else:  # before the first answer: what the customer alone decides
        who = responses.customer_context(
            customer=invitation.customer,
            organization_id=invitation.organization.pk,
            questions=survey.ordered_questions,
        )
        visible = [q for q in survey.ordered_questions if logic.shows(q.condition, who)]
    # Progress counts every question up front, conditional ones too, so its total
    # never changes and a skipped question moves it forward, never back.
    everything = survey.ordered_questions
    position = next((i for i, q in enumerate(everything) if q.pk == question.pk), 0)
    shown = {q.pk for q in visible}
    is_last = not any(
        q.position > question.position and (q.pk in shown or q.condition)
        for q in everything
    )
    before = responses.question_before(response, question) if response else None
    customer = invitation.customer
    event = invitation.event
    piped = pipe(
        translate(question.text, language),
        {
            "first_name": customer.first_name
            if customer and not survey.is_anonymous
            else "",
            "touchpoint": event.touchpoint.name if event and event.touchpoint else "",
            "date": event.occurred_at.astimezone(
                invitation.organization.tzinfo
            ).strftime("%-d.%-m.%Y")
            if event
            else "",
            "event": event.properties if event else {},
        },
    )
    return {
        "organization": invitation.organization,
        "survey_title": translate(survey.title, language) or survey.name,
        "intro": translate(survey.intro, language) if position == 0 else "",
        "token": _token_of(request),
        **question_fields(question, language, piped),
        "selected": selected or [],
        "error": error,
        "step": position + 1,
        "steps": len(everything),
        "is_last": is_last,
        "back_to": before.key if before else "",
        "language": language,
        "languages": [code for code in survey.languages or ["fi", "sv", "en"]],
    }


def _token_of(request: HttpRequest) -> str:
    """Return the link token of the answer page's URL."""
    assert request.resolver_match is not None  # a view's request was resolved
    return str(request.resolver_match.kwargs["token"])


def question_fields(question: Question, language: str, text: str) -> dict[str, object]:
    """Return what ``surveys/answer/_question.html`` needs to show ``question``."""
    scale = question.scale()
    low_label, high_label = (
        presentation.scale_ends(question, language) if scale else ("", "")
    )
    return {
        "low_label": low_label,
        "high_label": high_label,
        "question": question,
        "question_text": text,
        "help": translate(question.help_text_i18n or {}, language),
        "options": question_options(question, language),
        "is_scale": scale is not None and question.type != Question.Type.FCR,
        "scale": scale,
        "multiple": question.type == Question.Type.MULTIPLE,
        "is_text": question.type == Question.Type.TEXT,
    }


def question_options(question: Question, language: str) -> list[tuple[str, str]]:
    if question.type == Question.Type.FCR:
        no, yes = presentation.scale_ends(question, language)
        return [("1", yes), ("0", no)]
    scale = question.scale()
    if scale is not None:
        return [(str(n), str(n)) for n in range(scale[0], scale[1] + 1)]
    return [
        (key, question.choice_label(key, language)) for key in question.choice_keys()
    ]


def _render_step(
    request: HtmxHttpRequest, context: dict[str, object], status: int = 200
) -> HttpResponse:
    template = (
        "surveys/answer/_step.html" if request.htmx else "surveys/answer/page.html"
    )
    return render(request, template, context, status=status)


def _render_thanks(
    request: HtmxHttpRequest,
    invitation: Invitation | Respondent,
    language: str,
    response: Response | None = None,
) -> HttpResponse:
    sla_hours = responses.response_case_promise(response) if response else None
    context = {
        "organization": invitation.organization,
        "thank_you": translate(invitation.survey.thank_you, language),
        "case_opened": sla_hours is not None,
        # The promise in whole days when the SLA is whole days ("within 2 days").
        "case_days": sla_hours // 24 if sla_hours and sla_hours % 24 == 0 else None,
        "case_hours": sla_hours,
    }
    template = (
        "surveys/answer/_thanks.html" if request.htmx else "surveys/answer/thanks.html"
    )
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def answer(request: HtmxHttpRequest, token: str) -> HttpResponse:
    invitation = invitation_for(token)
    language = language_of(request, invitation)
    with translation.override(language):
        if invitation is None:
            return render(request, "surveys/answer/unknown.html", status=404)
        response = (
            Response.objects.filter(pk=invitation.response_id).first()
            if invitation.response_id
            else None
        )
        if response is not None:  # the same rows: share what is loaded already
            response.survey = invitation.survey
            if response.customer_id == invitation.customer_id:
                response.customer = invitation.customer
        if response is not None and response.state == Response.State.COMPLETED:
            if request.method == "GET" and request.GET.get("done"):
                return _render_thanks(request, invitation, language, response)
            return _gone(request, invitation, "answered")
        if is_expired(invitation):
            return _gone(request, invitation, "expired")
        if invitation.survey.status != Survey.Status.ACTIVE:
            return _gone(request, invitation, "closed")
        if request.method == "POST":
            return _post(request, invitation, language)
        responses.invitation_mark_opened(invitation=invitation)
        question = (
            responses.next_question(response)
            if response
            else invitation.survey.first_question
        )
        if question is None:
            return _render_thanks(request, invitation, language)
        asked = _asked_again(response, request.GET.get("q", ""), question)
        if asked is not None and response is not None:
            context = _step_context(
                request, invitation, response, asked, language=language,
                selected=responses.saved_answer(response, asked),
            )  # fmt: skip
            return _render_step(request, context)
        selected = []
        score = request.GET.get("score", "")
        is_first = not response or not response.given_answers
        if score and is_first:
            try:
                selected = [str(responses.answer_parse(question, [score]).number)]
            except responses.AnswerError:
                selected = []
        context = _step_context(
            request,
            invitation,
            response,
            question,
            language=language,
            selected=selected,
        )
        return _render_step(request, context)


def _post(
    request: HtmxHttpRequest, invitation: Invitation, language: str
) -> HttpResponse:
    submitted = answer_submit(
        survey=invitation.survey,
        key=request.POST.get("question", ""),
        values=request.POST.getlist("answer"),
        skip=bool(request.POST.get("skip")),
        invitation=invitation,
    )
    return _submitted(request, invitation, submitted, language)


def _submitted(
    request: HtmxHttpRequest,
    invitation: Invitation | Respondent,
    submitted: Submitted,
    language: str,
) -> HttpResponse:
    """Render what a posted answer did: the step again, the next one, or thanks."""
    question, response = submitted.question, submitted.response
    if question is None:
        return redirect(request.path)
    if submitted.error:
        context = _step_context(
            request, invitation, response, question, language=language,
            selected=submitted.values, error=submitted.error,
        )  # fmt: skip
        return _render_step(request, context, status=400)
    assert response is not None
    upcoming = submitted.upcoming
    if upcoming is None:
        if request.htmx or isinstance(invitation, Respondent):
            return _render_thanks(request, invitation, language, response)
        return redirect(f"{request.path}?done=1&lang={language}")
    if request.htmx:
        context = _step_context(
            request, invitation, response, upcoming, language=language,
            selected=responses.saved_answer(response, upcoming),
        )  # fmt: skip
        return _render_step(request, context)
    return redirect(f"{request.path}?lang={language}&q={upcoming.key}")


def _asked_again(
    response: Response | None, key: str, upcoming: Question
) -> Question | None:
    """Return the question ``?q=`` names when it may be shown: answered, or next."""
    if response is None or not key or key == upcoming.key:
        return None
    answered = {question_id for question_id, *_ in response.given_answers}
    return next(
        (
            q
            for q in responses.visible_questions(response)
            if q.key == key and q.pk in answered
        ),
        None,
    )


SESSION_KEY = "public-response-{survey}"


@require_http_methods(["GET", "POST"])
def public(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """Anonymous answering through a survey's public link ``/p/<token>/``.

    The browser session remembers its response, so the page resumes; nothing about the
    respondent is stored. Such responses count as anonymous, link-collected feedback.
    """
    survey = (
        Survey.objects.select_related("organization")
        .filter(public_token=token, public_token__isnull=False)
        .first()
        if token and len(token) <= 64
        else None
    )
    language = request.GET.get("lang", "")
    if survey is not None and language not in (survey.languages or []):
        language = survey.language_for(survey.organization.default_language)
    with translation.override(language or language_of(request, None)):
        if survey is None:
            return render(request, "surveys/answer/unknown.html", status=404)
        respondent = Respondent(survey=survey, organization=survey.organization)
        if survey.status != Survey.Status.ACTIVE:
            return render(
                request,
                "surveys/answer/gone.html",
                {"organization": survey.organization, "reason": "closed"},
                status=410,
            )
        key = SESSION_KEY.format(survey=survey.pk)
        started = request.session.get(key)
        response = (
            Response.objects.filter(pk=started, survey=survey).first()
            if started is not None
            else None
        )
        if response is not None:
            response.survey = survey  # the same row: its questions are loaded once
        if response is not None and response.state == Response.State.COMPLETED:
            return _render_thanks(request, respondent, language)
        if request.method == "POST":
            submitted = answer_submit(
                survey=survey,
                key=request.POST.get("question", ""),
                values=request.POST.getlist("answer"),
                skip=bool(request.POST.get("skip")),
                response=response,
                language=language,
            )
            if response is None and submitted.response is not None:
                request.session[key] = submitted.response.pk
            return _submitted(request, respondent, submitted, language)
        question = (
            responses.next_question(response) if response else survey.first_question
        )
        if question is None:
            return _render_thanks(request, respondent, language)
        question = (
            _asked_again(response, request.GET.get("q", ""), question) or question
        )
        selected = responses.saved_answer(response, question) if response else []
        return _render_step(
            request,
            _step_context(
                request, respondent, response, question, language=language,
                selected=selected,
            ),
        )  # fmt: skip
