"""The demo's answers: responses to invitations and to the public link."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cx.models import Customer, Event
from followups.rules import GivenAnswer
from insights.demo.content import COMMENTS, DIP, EFFORT, MOOD, TEXTS, VALUABLE_LIFT
from insights.demo.history.cases import Cases
from surveys import logic
from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    ResponseSegment,
    Survey,
)


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


class Answers(Cases):
    """Responses with their answers and segment snapshots."""

    # --- responses ------------------------------------------------------------------

    def mood(self, event: Event | None, customer: Customer | None) -> float:
        """Return the respondent's latent mood: the touchpoint's, lifted or lowered."""
        event_type = event.type if event is not None else None
        mood = MOOD[event_type] + self.rng.gauss(0, 1)
        if (
            customer is not None
            and customer.attributes.get("customer_value", 0) >= 100000
        ):
            mood += VALUABLE_LIFT
        if self.on_new_form(event):
            mood -= DIP
        return mood

    def on_new_form(self, event: Event | None) -> bool:
        """Return whether the application of ``event`` was made on the new form."""
        if event is None or event.type != "mortgage.application_submitted":
            return False
        if id(event) not in self.new_form:
            began, done = self.rollout
            share = (event.occurred_at - began) / (done - began)
            self.new_form[id(event)] = self.rng.random() < share
        return self.new_form[id(event)]

    def score(self, type_: str, mood: float, effort: float = 0) -> int | None:
        """Return an answer to a ``type_`` question from the respondent's mood."""
        noise = self.rng.gauss
        if type_ == Question.Type.NPS:
            return _clamp(7.3 + 2.1 * mood + noise(0, 0.8), 0, 10)
        if type_ == Question.Type.CSAT:
            return _clamp(3.8 + 0.95 * mood + noise(0, 0.5), 1, 5)
        if type_ == Question.Type.CES:
            return _clamp(4.9 + 1.5 * (mood + effort) + noise(0, 0.9), 1, 7)
        if type_ == Question.Type.FCR:
            return int(mood + noise(0, 0.8) > -0.8)
        return None

    def comment(
        self,
        survey: Survey,
        key: str,
        language: str,
        event: Event | None,
        mood: float = 0.0,
    ) -> str:
        kind, share = COMMENTS.get((survey.name, key), ("", 0.0))
        given = self.rng.random() < share
        text = ""
        if not kind:
            return text
        if given:
            if (
                kind == "application"
                and self.on_new_form(event)
                and self.rng.random() < 0.7
            ):
                kind = "new_form"
            text = self.rng.choice(TEXTS[kind][language])
        planted = self.planted(
            kind, mood, given=given, new_form=self.on_new_form(event)
        )
        return self.theme_rng.choice(TEXTS[planted][language]) if planted else text

    def planted(self, kind: str, mood: float, *, given: bool, new_form: bool) -> str:
        """Return the planted theme (insights.text) a comment tells instead, if any.

        An unhappy customer of the offer was kept waiting for it (and says so even
        when the offer's comment would have stayed empty); an unhappy applicant on the
        new form tells of its crashes, often even when they left the other box empty;
        a happy applicant praises the friendly chat agent; an unhappy one has no praise
        to give but a complaint about the form, and half the others add a word that no
        theme holds. Drawn from the themes' own stream (``on_new_form`` was drawn with
        the mood), so that the rest of the history stays the same.
        """
        draw = self.theme_rng.random()
        if kind == "offer" and mood < 0.4:
            return "offer_wait" if given or draw < 0.9 else ""
        if kind == "application" and new_form and not given and draw < 0.4:
            return "new_form"
        if kind == "praise":
            if mood > 0.3 and draw < 0.3:
                return "friendly_chat"
            if given and mood < -0.3:
                return "new_form" if new_form else "application"
            if given and draw < 0.5:
                return "noise"
        return ""

    def respond(
        self,
        event: Event | None,
        invitation: Invitation | None,
        mood: float,
        *,
        partial: bool,
        survey: Survey | None = None,
        language: str = "fi",
        started_at: datetime | None = None,
    ) -> None:
        """Write a response with its answers; complete it unless ``partial``."""
        rng = self.rng
        if invitation is not None:
            survey, language = invitation.survey, invitation.language
            assert invitation.opened_at is not None
            started_at = invitation.opened_at + timedelta(seconds=rng.uniform(2, 20))
        assert survey is not None and started_at is not None
        customer = None if survey.is_anonymous else getattr(event, "customer", None)
        touchpoint = event.touchpoint if event is not None else None
        response = Response(
            organization_id=self.organization.pk,
            survey=survey,
            invitation=invitation,
            customer=customer,
            event=event,
            touchpoint=touchpoint,
            journey=touchpoint.journey if touchpoint else None,
            process=touchpoint.process if touchpoint else None,
            origin=Response.Origin.EVENT if invitation else Response.Origin.PUBLIC_LINK,
            is_anonymous=survey.is_anonymous,
            language=language,
            started_at=started_at,
        )
        when = started_at
        effort = EFFORT.get(event.type, 0) if event is not None else 0
        given: dict[str, Any] = {}
        answered: list[GivenAnswer] = []
        questions = self.questions[survey.pk]
        for question in questions[:1] if partial else questions:
            if not logic.shows(question.condition, logic.Context(answers=given)):
                continue
            when += timedelta(seconds=rng.uniform(4, 40))
            number = self.score(question.type, mood, effort)
            text = ""
            if question.type == Question.Type.TEXT:
                text = self.comment(survey, question.key, language, event, mood)
            if number is not None:
                given[question.key] = number
            answered.append(GivenAnswer(question.type, number, text))
            answer = Answer(
                response=response, question=question, number=number, text=text
            )
            answer.answered_at = when
            self.written.answers.append(answer)
        response.updated_at = when
        self.written.responses.append(response)
        if partial or when >= self.now:
            return
        response.state = Response.State.COMPLETED
        response.completed_at = when
        if invitation is not None:
            invitation.state = Invitation.State.ANSWERED
            invitation.answered_at = when
        nps = next((a.number for a in answered if a.type == Question.Type.NPS), None)
        self.snapshot(response, customer, nps)
        self.follow_up(response, event, answered)

    def snapshot(
        self, response: Response, customer: Customer | None, nps: int | None
    ) -> None:
        """Record the customer's segments, as surveys.services.snapshots does."""
        if customer is None or response.is_anonymous:
            return
        if id(customer) not in self.segments_of:
            self.segments_of[id(customer)] = [
                segment for segment in self.segments if segment.contains(customer)
            ]
        for segment in self.segments_of[id(customer)]:
            self.written.segments.append(
                ResponseSegment(
                    organization_id=self.organization.pk,
                    response=response,
                    segment=segment,
                    key=segment.key,
                    touchpoint=response.touchpoint,
                    completed_at=response.completed_at,
                    nps=nps,
                )
            )

    def public_link(self) -> None:
        """Anonymous answers from the website's feedback link, a few a day."""
        rng = self.rng
        for offset in range(self.days):
            day = self.start + timedelta(days=offset)
            for _visit in range(rng.choice([0, 1, 1, 2, 2, 3, 4])):
                started_at = self.at(day, "web")
                if started_at >= self.now:
                    continue
                self.respond(
                    None,
                    None,
                    self.mood(None, None),
                    partial=rng.random() < 0.15,
                    survey=self.web_survey,
                    language=rng.choices(["fi", "sv", "en"], [80, 6, 14])[0],
                    started_at=started_at,
                )
