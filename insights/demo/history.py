"""One seeded run of the demo's past: stories of customers, replayed through the rules."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from cx.demo import Progress
from cx.models import Customer, Event, Membership, Organization, Role, Segment
from cx.models.journeys import TouchpointEventType
from followups.models import CaseActivity, FollowUp
from followups.rules import GivenAnswer, Thresholds, reasons
from followups.services import POSITIVE_FROM, followup_policy
from insights.demo.content import (
    CASE_START_MU,
    CLOSURES,
    COMMENTS,
    DIP,
    EFFORT,
    EVENT_PREFIX,
    EXECUTIVE_READS_SINCE_DAYS,
    FIRST_NAMES,
    HOURS,
    LAST_NAMES,
    MOOD,
    RECOVERY_SINCE_DAYS,
    REGIONS,
    ROLLOUT_DAYS,
    RULE_LIVE_DAYS,
    SEED,
    TEXTS,
    VALUABLE_LIFT,
    WEB_SURVEY,
)
from insights.models import DashboardVisit
from surveys import logic
from surveys.models import (
    Answer,
    ContactPolicy,
    Invitation,
    Question,
    Response,
    ResponseSegment,
    Suppression,
    Survey,
    TriggerRule,
)
from surveys.models.invitations import token_digest
from surveys.services.trigger_set import DEFAULT_MIN_DAYS
from surveys.services.triggers import sampled_in

BATCH = 2000
Reason = Suppression.Reason


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


@dataclass
class Written:
    """Everything the history writes, in the order it is inserted."""

    customers: list[Customer] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    segments: list[ResponseSegment] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)
    visits: list[DashboardVisit] = field(default_factory=list)


class History:
    """One seeded run of the demo's past, from ``days`` ago until now."""

    def __init__(self, organization: Organization, days: int, progress: Progress):
        self.organization = organization
        self.progress = progress
        self.rng = random.Random(SEED)
        self.zone = organization.tzinfo
        self.now = timezone.now()
        self.start = self.now - timedelta(days=days)
        self.rollout = [self.now - timedelta(days=ago) for ago in ROLLOUT_DAYS]
        self.recovery_since = self.now - timedelta(days=RECOVERY_SINCE_DAYS)
        self.new_form: dict[int, bool] = {}
        self.days = days
        self.written = Written()
        self.identified: list[Customer] = []
        self.touchpoints = {
            row.event_type: row.touchpoint
            for row in TouchpointEventType.objects.for_organization(
                organization
            ).select_related("touchpoint__journey", "touchpoint__process")
        }
        # The rules that may send, per event type, tried highest priority first (the
        # demo has no inactive rule or closed survey to suppress for).
        self.rules: dict[str, list[TriggerRule]] = defaultdict(list)
        for rule in (
            TriggerRule.objects.for_organization(organization)
            .filter(is_active=True, survey__status=Survey.Status.ACTIVE)
            .select_related("survey", "touchpoint")
            .order_by("-priority", "pk")
        ):
            for event_type, touchpoint in self.touchpoints.items():
                if rule.touchpoint_id in (None, touchpoint.pk) and (
                    rule.event_type in ("", event_type)
                ):
                    self.rules[event_type].append(rule)
        # When each rule began to ask (the team added rules as it matured).
        self.live_from = {
            rule.pk: self.now - timedelta(days=RULE_LIVE_DAYS[rule.name])
            for rules in self.rules.values()
            for rule in rules
            if rule.name in RULE_LIVE_DAYS
        }
        self.questions = {
            survey.pk: survey.ordered_questions
            for survey in Survey.objects.for_organization(organization)
        }
        self.web_survey = Survey.objects.for_organization(organization).get(
            name=WEB_SURVEY
        )
        contact = ContactPolicy.objects.filter(organization=organization).first()
        self.min_days = (
            contact.min_days_between_invitations if contact else DEFAULT_MIN_DAYS
        )
        self.followup = followup_policy(organization=organization)
        # Recovery surveys draw from a generator of their own, so the stories stay
        # as they were whether or not the policy has a recovery survey.
        self.recovery_rng = random.Random(SEED + 2)
        # The planted comment themes draw from their own stream, so that the rest of
        # the history stays the same draw for draw.
        self.theme_rng = random.Random(SEED + 3)
        self.recovery_survey = self.followup.recovery_survey
        self.thresholds = Thresholds(
            nps_at_most=self.followup.nps_at_most,
            csat_at_most=self.followup.csat_at_most,
            ces_at_most=self.followup.ces_at_most,
            fcr_no=self.followup.fcr_no,
            keywords=tuple(str(word) for word in self.followup.keywords or ()),
        )
        self.segments = list(Segment.objects.for_organization(organization))
        self.segments_of: dict[int, list[Segment]] = {}

    # --- time -----------------------------------------------------------------------

    def at(
        self, day: datetime, channel: str, not_before: datetime | None = None
    ) -> datetime:
        """Return a moment on ``day`` (local) when ``channel``'s events happen."""
        hours, weights, working_days = HOURS[channel]
        local = day.astimezone(self.zone)
        while True:
            if not (working_days and local.weekday() >= 5):
                hour = self.rng.choices(hours, weights)[0]
                moment = local.replace(
                    hour=hour,
                    minute=self.rng.randrange(60),
                    second=self.rng.randrange(60),
                    microsecond=0,
                )
                if not_before is None or moment > not_before:
                    return moment.astimezone(UTC)
            local = (local + timedelta(days=1)).replace(hour=0)
            not_before = None

    # --- customers ------------------------------------------------------------------

    def customer(
        self,
        when: datetime,
        *,
        identified: bool,
        existing: float = 0,
        returning: bool = False,
    ) -> Customer:
        """Return a known customer (with probability ``existing``) or a new one.

        ``returning``: the new customer has bought from us before.
        """
        rng = self.rng
        if identified and self.identified and rng.random() < existing:
            return rng.choice(self.identified)
        n = len(self.written.customers) + 1
        language = rng.choices(["fi", "sv", "en"], [78, 7, 15])[0]
        first = rng.choice(FIRST_NAMES[language])
        last = rng.choice(LAST_NAMES[language])
        address = f"{first}.{last}{n}@example.com".lower()
        address = address.translate(str.maketrans("äöåü", "aoau"))
        if identified:
            products = rng.choice([1, 1, 2, 2, 3, 4, 6])
            previous = products if returning or rng.random() < 0.55 else 0
            value = rng.lognormvariate(11.0 if previous else 10.4, 0.8)
            customer = Customer(
                organization_id=self.organization.pk,
                external_id=f"{EVENT_PREFIX}c{n:06d}",
                email="" if rng.random() < 0.04 else address,
                name=f"{first} {last}",
                language=language,
                opted_out=rng.random() < 0.03,
                attributes={
                    "authenticated": True,
                    "customer_value": int(round(value, -2)),
                    "previous_products": previous,
                    "region": rng.choice(REGIONS),
                },
            )
            self.identified.append(customer)
        else:  # a visitor known by a cookie; some leave an address in the chat
            customer = Customer(
                organization_id=self.organization.pk,
                external_id=f"{EVENT_PREFIX}cookie-{n:06d}",
                email=address if rng.random() < 0.5 else "",
                language=language,
                attributes={"authenticated": False},
            )
        customer.created_at = customer.updated_at = when
        self.written.customers.append(customer)
        return customer

    # --- events ---------------------------------------------------------------------

    def event(
        self, type_: str, when: datetime, customer: Customer | None, **properties: Any
    ) -> None:
        if when >= self.now:
            return  # still to come
        n = len(self.written.events) + 1
        self.written.events.append(
            Event(
                organization_id=self.organization.pk,
                event_id=f"{EVENT_PREFIX}{n:07d}",
                type=type_,
                customer=customer,
                touchpoint=self.touchpoints.get(type_),
                occurred_at=when,
                received_at=when + timedelta(seconds=self.rng.uniform(0.2, 4)),
                properties=properties,
            )
        )

    def mortgage_story(self, day: datetime) -> None:
        """Search, loan pages, maybe a chat, maybe an application and an offer."""
        rng = self.rng
        applies = rng.random() < 0.3
        chats = rng.random() < (0.45 if applies else 0.2)
        when = self.at(day, "web")
        customer: Customer | None
        if applies:
            customer = self.customer(when, identified=True, existing=0.2)
        elif chats:
            known = rng.random() < 0.65
            customer = self.customer(when, identified=known, existing=0.6)
        else:
            customer = (
                self.customer(when, identified=False) if rng.random() < 0.2 else None
            )
        if rng.random() < 0.8:
            self.event("web.search_landing", when, customer, source="google")
            when += timedelta(minutes=rng.uniform(0.5, 4))
        for _view in range(rng.choice([1, 1, 2, 2, 3])):
            page = rng.choice(["/asuntolaina", "/lainalaskuri", "/korot", "/hakemus"])
            self.event("web.loan_pages_viewed", when, customer, page=page)
            when += timedelta(minutes=rng.uniform(1, 12))
        if applies:  # many come back another day to act
            when += timedelta(days=rng.choice([0, 0, 0, 1, 2, 4]))
        if chats:
            when = self.at(when, "chat", not_before=when)
            self.event("chat.ended", when, customer, queue="mortgage")
            when += timedelta(minutes=rng.uniform(5, 90))
        if applies:
            amount = rng.randrange(80, 420) * 1000
            self.event("mortgage.application_submitted", when, customer, amount=amount)
            if rng.random() < 0.88:
                offer_day = when + timedelta(days=rng.choice([1, 2, 3, 5, 7, 9]))
                self.event(
                    "mortgage.offer_sent", self.at(offer_day, "office"), customer
                )

    def service_chat(self, day: datetime) -> None:
        """A chat about anything else: cards, payments, insurance."""
        rng = self.rng
        when = self.at(day, "chat")
        roll = rng.random()
        customer = (
            None
            if roll < 0.02
            else self.customer(when, identified=roll < 0.77, existing=0.8)
        )
        self.event("chat.ended", when, customer, queue="general")

    def claim_story(self, day: datetime) -> None:
        """A claim reported in the app, maybe a call, a decision, a payment."""
        rng = self.rng
        when = self.at(day, "app")
        customer = self.customer(when, identified=True, existing=0.7)
        kind = rng.choice(["water damage", "car", "travel", "theft", "fire"])
        self.event("claim.reported", when, customer, claim_type=kind)
        if rng.random() < 0.6:
            call_day = when + timedelta(days=rng.choice([0, 0, 1, 2]))
            call = self.at(call_day, "office", not_before=when)
            self.event("claim.call_ended", call, customer)
        if rng.random() < 0.93:
            decision_day = when + timedelta(days=rng.randint(2, 14))
            decision = self.at(decision_day, "office")
            self.event("claim.decision_sent", decision, customer, claim_type=kind)
            if rng.random() < 0.85:
                paid_day = decision + timedelta(days=rng.randint(1, 4))
                self.event("claim.paid", self.at(paid_day, "office"), customer)

    def stories(self) -> None:
        """Generate each day's stories; weekends are quieter."""
        rng = self.rng
        for _established in range(15 * self.days):  # customers from before the window
            when = self.start - timedelta(days=rng.uniform(30, 3000))
            self.customer(when, identified=True, returning=True)
        for offset in range(self.days + 1):
            day = self.start + timedelta(days=offset)
            weekend = day.astimezone(self.zone).weekday() >= 5
            for story, per_day, weekend_share in (
                (self.mortgage_story, 100, 0.8),
                (self.service_chat, 35, 0.45),
                (self.claim_story, 35, 0.7),
            ):
                volume = per_day * (weekend_share if weekend else 1)
                for _story in range(round(volume * rng.uniform(0.8, 1.2))):
                    story(day)
        self.written.events.sort(key=lambda event: event.occurred_at)

    # --- invitations and suppressions -----------------------------------------------

    def trigger(self) -> None:
        """Replay the trigger rules over the events, in the order they happened."""
        recent: dict[int, list[tuple[datetime, int, str]]] = defaultdict(list)
        for event in self.written.events:
            invited = False
            for rule in self.rules.get(event.type, ()):
                if event.received_at < self.live_from.get(rule.pk, self.start):
                    continue  # the rule did not exist yet
                refusal = self.refusal(event, rule, invited, recent)
                if refusal is not None:
                    reason, detail = refusal
                    suppression = Suppression(
                        organization_id=self.organization.pk,
                        rule=rule,
                        event=event,
                        customer=event.customer,
                        reason=reason,
                        detail=detail,
                    )
                    suppression.created_at = event.received_at
                    self.written.suppressions.append(suppression)
                    continue
                invited = True
                customer = event.customer
                assert customer is not None
                recent[id(customer)].append(
                    (event.received_at, rule.priority, rule.survey.name)
                )
                self.invite(event, rule, customer)

    def refusal(
        self,
        event: Event,
        rule: TriggerRule,
        invited: bool,
        recent: dict[int, list[tuple[datetime, int, str]]],
    ) -> tuple[str, str] | None:
        """Return why ``rule`` sent nothing for ``event`` (as surveys.services.triggers)."""
        customer = event.customer
        if customer is None:
            return Reason.NO_CUSTOMER, ""
        if customer.opted_out:
            return Reason.OPTED_OUT, ""
        if not customer.email:
            return Reason.NO_EMAIL, ""
        if not sampled_in(event, rule):
            return Reason.SAMPLED_OUT, f"sampling {rule.sampling_percent} %"
        if invited:
            return (
                Reason.DUPLICATE,
                "a higher-priority rule already invited for this event",
            )
        limit = event.received_at - timedelta(days=self.min_days)
        for created_at, priority, survey_name in reversed(recent[id(customer)]):
            if created_at >= limit and priority >= rule.priority:
                days = (event.received_at - created_at).days
                return (
                    Reason.CONTACTED_RECENTLY,
                    f"contacted {days} day(s) ago by '{survey_name}'",
                )
        return None

    def invite(self, event: Event, rule: TriggerRule, customer: Customer) -> None:
        """Write the invitation and what the customer did with it."""
        rng = self.rng
        survey = rule.survey
        due = event.received_at
        invitation = Invitation(
            organization_id=self.organization.pk,
            survey=survey,
            rule=rule,
            event=event,
            customer=customer,
            origin=Invitation.Origin.EVENT,
            email=customer.email,
            language=survey.language_for(
                customer.language or self.organization.default_language
            ),
            due_at=due,
            expires_at=due + timedelta(days=rule.expiry_days),
            attempts=1,
        )
        invitation.created_at = due
        invitation.token_hash = token_digest(invitation.token())
        self.written.invitations.append(invitation)
        if rng.random() < 0.004:
            invitation.state = Invitation.State.FAILED
            invitation.last_error = "550 5.1.1 The email account does not exist"
            return
        invitation.claimed_at = due + timedelta(seconds=rng.uniform(0.5, 3))
        invitation.sent_at = invitation.claimed_at + timedelta(
            seconds=rng.uniform(1, 4)
        )
        invitation.state = Invitation.State.SENT
        reminder_at = invitation.sent_at + timedelta(days=rule.reminder_interval_days)
        # Whoever answers at all does so soon, or after the reminder.
        mood = self.mood(event, customer)
        if rng.random() < 0.62:
            delay = timedelta(hours=rng.lognormvariate(0.3, 1.3))
            if rng.random() < 0.25:
                delay += reminder_at - invitation.sent_at
            opened_at = invitation.sent_at + delay
            if opened_at < min(self.now, invitation.expires_at):
                invitation.opened_at = opened_at
                invitation.state = Invitation.State.OPENED
                answers = rng.random()
                if answers < 0.7:
                    self.respond(event, invitation, mood, partial=False)
                elif answers < 0.8:
                    self.respond(event, invitation, mood, partial=True)
        unanswered = invitation.state != Invitation.State.ANSWERED
        if reminder_at < self.now and (
            unanswered or invitation.answered_at > reminder_at  # type: ignore[operator]
        ):
            invitation.reminders_sent = 1
        if unanswered and invitation.expires_at <= self.now:
            invitation.state = Invitation.State.EXPIRED

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
        if kind == "offer" and mood < 0.2:
            return "offer_wait" if given or draw < 0.7 else ""
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

    # --- follow-ups -----------------------------------------------------------------

    def follow_up(
        self, response: Response, event: Event | None, answered: list[GivenAnswer]
    ) -> None:
        """Open a case where the policy would have, and work it as the owner did.

        As ``followups.services.followup_open_for``: an answer nobody can follow up
        (anonymous, or of no known customer) opens no case.
        """
        if response.customer is None or response.is_anonymous:
            return
        found = reasons(self.thresholds, answered) if self.followup.active else []
        if not found:
            return
        rng = self.rng
        assert response.completed_at is not None
        touchpoint = response.touchpoint
        owner_id = next(
            (
                holder.owner_id
                for holder in (touchpoint, response.process, response.journey)
                if holder is not None and holder.owner_id is not None
            ),
            self.organization.cx_owner_id,
        )
        opened_at = response.completed_at
        followup = FollowUp(
            organization_id=self.organization.pk,
            response=response,
            customer=response.customer,
            touchpoint=touchpoint,
            journey=response.journey,
            process=response.process,
            owner_id=owner_id,
            reason="; ".join(found)[:300],
            opened_at=opened_at,
            due_at=opened_at + timedelta(hours=self.followup.sla_hours),
        )
        self.written.followups.append(followup)
        started_at = opened_at + timedelta(
            hours=rng.lognormvariate(self.case_start_mu(opened_at), 1.0)
        )
        closed_at = started_at + timedelta(hours=rng.lognormvariate(2.0, 1.0))
        forgotten = rng.random() < 0.01
        if started_at < self.now:
            followup.state = FollowUp.State.IN_PROGRESS
            followup.started_at = started_at
        if closed_at < self.now and not forgotten:
            cause, action = rng.choice(CLOSURES[getattr(event, "type", None)])
            followup.state = FollowUp.State.CLOSED
            followup.closed_at = closed_at
            followup.closed_by_id = owner_id
            followup.root_cause = cause
            followup.action_taken = action
        if followup.state == FollowUp.State.CLOSED:
            self.recover(followup)
        # The owner was reminded before the SLA if the case was still open then.
        reminder = followup.due_at - timedelta(hours=self.followup.reminder_hours)
        if reminder < (followup.closed_at or self.now):
            followup.reminded_at = reminder

    def case_start_mu(self, opened_at: datetime) -> float:
        """Return μ of the hours to start a case opened then: the team got quicker."""
        days_ago = (self.now - opened_at) / timedelta(days=1)
        return next(mu for ago, mu in CASE_START_MU if days_ago >= ago)

    def recover(self, followup: FollowUp) -> None:
        """Ask some customers of closed cases again; most who answer are content now."""
        rng = self.recovery_rng
        survey, customer, closed_at = (
            self.recovery_survey, followup.customer, followup.closed_at
        )  # fmt: skip
        if survey is None or customer is None or not customer.email:
            return
        if closed_at is None or closed_at < self.recovery_since:
            return  # the policy had no recovery survey yet
        if rng.random() >= 0.45:
            return
        sent_at = closed_at + timedelta(minutes=rng.uniform(1, 5))
        if sent_at >= self.now:
            return
        invitation = Invitation(
            organization_id=self.organization.pk,
            survey=survey,
            customer=customer,
            origin=Invitation.Origin.RECOVERY,
            email=customer.email,
            language=survey.language_for(
                customer.language or self.organization.default_language
            ),
            due_at=closed_at,
            expires_at=closed_at + timedelta(days=14),
            attempts=1,
            state=Invitation.State.SENT,
            claimed_at=sent_at,
            sent_at=sent_at,
        )
        invitation.created_at = closed_at
        invitation.token_hash = token_digest(invitation.token())
        self.written.invitations.append(invitation)
        followup.recovery_invitation = invitation
        answered_at = sent_at + timedelta(hours=rng.lognormvariate(1.5, 1.0))
        if rng.random() >= 0.65 or answered_at >= min(self.now, invitation.expires_at):
            if invitation.expires_at <= self.now:
                invitation.state = Invitation.State.EXPIRED
            return
        score = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 4])[0]
        invitation.opened_at = answered_at - timedelta(seconds=rng.uniform(20, 90))
        invitation.state = Invitation.State.ANSWERED
        invitation.answered_at = answered_at
        response = Response(
            organization_id=self.organization.pk,
            survey=survey,
            invitation=invitation,
            customer=customer,
            origin=Response.Origin.RECOVERY,
            language=invitation.language,
            state=Response.State.COMPLETED,
            started_at=invitation.opened_at,
            completed_at=answered_at,
        )
        response.updated_at = answered_at
        answer = Answer(
            response=response, question=self.questions[survey.pk][0], number=score
        )
        answer.answered_at = answered_at
        self.written.responses.append(response)
        self.written.answers.append(answer)
        followup.recovered = score >= POSITIVE_FROM[Question.Type.CSAT]

    def case_histories(self) -> list[CaseActivity]:
        """Return each written case's history: opened, started, closed, recovery."""
        Kind = CaseActivity.Kind
        activities: list[CaseActivity] = []
        for case in self.written.followups:
            if case.pk is None:  # a backend that does not return bulk-created ids
                continue
            steps: list[tuple[str, datetime | None, int | None, str]] = [
                (Kind.OPENED, case.opened_at, None, ""),
                (Kind.STARTED, case.started_at, case.owner_id, ""),
                (Kind.CLOSED, case.closed_at, case.owner_id, case.action_taken),
            ]
            invitation = case.recovery_invitation
            if invitation is not None:
                steps.append((Kind.RECOVERY_SENT, case.closed_at, case.owner_id, ""))
                if case.recovered is not None:
                    verdict = "recovered" if case.recovered else "not recovered"
                    steps.append(
                        (Kind.RECOVERY_ANSWERED, invitation.answered_at, None, verdict)
                    )
            activities.extend(
                CaseActivity(
                    organization_id=self.organization.pk, followup_id=case.pk,
                    kind=kind, actor_id=actor, text=text, at=at,
                    owner_id=case.owner_id if kind == Kind.OPENED else None,
                )
                for kind, at, actor, text in steps
                if at is not None
            )  # fmt: skip
        return activities

    # --- writing --------------------------------------------------------------------

    def dashboard_visits(self) -> None:
        """The CX team opens the dashboard most working days, the executive on Mondays.

        A generator of its own, so that the stories stay as they were without it.
        """
        rng = random.Random(SEED + 1)
        members = Membership.objects.filter(
            organization=self.organization,
            role__in=[Role.OWNER, Role.CX_MANAGER, Role.EXECUTIVE],
        ).select_related("user")
        for ago in range(self.days, -1, -1):
            day = (self.now - timedelta(days=ago)).astimezone(self.zone).date()
            if day.weekday() >= 5:
                continue
            for member in members:
                looks = (
                    day.weekday() == 0 and ago <= EXECUTIVE_READS_SINCE_DAYS
                    if member.role == Role.EXECUTIVE
                    else rng.random() < 0.8
                )
                if looks:
                    self.written.visits.append(
                        DashboardVisit(
                            organization=self.organization,
                            user=member.user,
                            role=member.role,
                            day=day,
                        )
                    )

    def write(self) -> None:
        """Make the history in memory, then insert it table by table."""
        self.progress(f"history: {self.days} days of stories")
        self.stories()
        self.trigger()
        self.public_link()
        self.dashboard_visits()
        self.written.responses.sort(key=lambda response: response.started_at)
        written = self.written
        batches: list[tuple[str, type[models.Model], list[Any]]] = [
            ("customers", Customer, written.customers),
            ("events", Event, written.events),
            ("suppressions", Suppression, written.suppressions),
            ("invitations", Invitation, written.invitations),
            ("responses", Response, written.responses),
            ("answers", Answer, written.answers),
            ("segment snapshots", ResponseSegment, written.segments),
            ("follow-ups", FollowUp, written.followups),
            ("dashboard visits", DashboardVisit, written.visits),
        ]
        for label, model, rows in batches:
            self.progress(f"history: {len(rows)} {label}")
            model.objects.bulk_create(rows, batch_size=BATCH)  # type: ignore[attr-defined]
        activities = self.case_histories()
        self.progress(f"history: {len(activities)} case activities")
        CaseActivity.objects.bulk_create(activities, batch_size=BATCH)
