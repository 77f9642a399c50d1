"""Organisations at each of seed 004's four CX maturity levels, built in bulk.

Seed 004 describes four levels of CX management; each builder below creates one
organisation whose own rows look like that level over the assessment's default window
(the 90 days before now): where its responses come from and who gave them, the journeys
and the trigger rules on them, segments, follow-up cases, who looks at the dashboard,
webhooks, targets, deviation alerts and employee surveys. A fifth organisation has the
first level's data and claims the fourth in its self-assessment.

Rows are written with ``bulk_create`` (a few thousand per organisation), so one builder
runs in well under a second on SQLite. Scores follow a fixed low-discrepancy sequence,
not a random one, so every run builds the same organisation.

What the product cannot measure — a validated prediction in use (D4, D9), customers
taking part in development — is answered in the self-assessment, as MATURITY.md allows:
the level-4 organisation says "Systematic" to every item.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from cx.models import Customer, Event, Journey, Organization, Role, Segment, Touchpoint
from cx.services.journeys import touchpoint_save
from cx.services.organizations import member_add, organization_create
from followups.models import FollowUp, FollowUpPolicy, RootCause
from insights.models import DashboardVisit, DeviationAlert, MetricTarget
from maturity import services
from maturity.method import SELF_ASSESSMENT_ITEM_KEYS
from predictions import learning
from predictions import services as prediction_services
from predictions.features import History
from predictions.models import ModelVersion, PredictionDefinition
from predictions.synthetic import ABANDONED, generate
from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    ResponseSegment,
    Suppression,
    Survey,
    TriggerRule,
)
from surveys.models.invitations import token_digest
from surveys.trigger_decision import held_out
from webhooks.models import WebhookDelivery, WebhookEndpoint

GOLDEN = 0.6180339887498949

# (touchpoint, channel, the event type that names it): the map of seed 002 and a claim.
MORTGAGE = (
    ("Search landing", "web", "web.search_landing"),
    ("Loan pages", "web", "web.loan_pages_viewed"),
    ("Advisor chat", "chat", "chat.ended"),
    ("Loan application", "web", "mortgage.application_submitted"),
    ("Personal offer", "email", "mortgage.offer_sent"),
)
CLAIM = (
    ("Claim reported", "app", "claim.reported"),
    ("Claim call", "phone", "claim.call_ended"),
    ("Decision", "email", "claim.decision_sent"),
    ("Payment", "email", "claim.paid"),
)
SEGMENTS = (
    ("returner", "Returner", {"attribute": "previous_products", "operator": "gt", "value": 0}),
    ("valuable", "Valuable", {"attribute": "customer_value", "operator": "gte", "value": 100000}),
)  # fmt: skip
ROOT_CAUSES = (
    RootCause.WAITING,
    RootCause.PROCESS,
    RootCause.WAITING,
    RootCause.INFORMATION,
    RootCause.PEOPLE,
    RootCause.SYSTEM,
)
COMMENTS = ("", "Quick and clear.", "", "The form asked the same thing twice.", "")


def spread(i: int) -> float:
    """Return the ``i``-th point of an even, deterministic spread over [0, 1)."""
    return (i * GOLDEN) % 1.0


def nps(i: int, detractors: float) -> int:
    """Return the ``i``-th NPS answer of a stream with ``detractors`` share 0–6."""
    if spread(i) < detractors:
        return i % 7
    return 7 + i % 4


@dataclass(frozen=True)
class Feedback:
    """One completed response to build: how it came, where, from whom, what it said."""

    origin: str
    days_ago: float
    score: int
    touchpoint: Touchpoint | None = None
    customer: Customer | None = None

    @property
    def identified(self) -> bool:
        return self.customer is not None


class OrganizationBuilder:
    """Write one organisation's rows in bulk, relative to one fixed ``now``."""

    def __init__(self, slug: str, name: str) -> None:
        self.organization = organization_create(
            slug=slug, name=name, default_language="en"
        )
        self.slug = slug
        self.now = timezone.now()
        self.rules: dict[int, TriggerRule] = {}
        self.event_types: dict[int, str] = {}
        self.touchpoints: list[Touchpoint] = []
        self.scores: dict[int, int] = {}  # response id → its score
        self.events = 0

    def at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=days_ago)

    # The organisation's set-up ------------------------------------------------------

    def staff(self, username: str, role: Role) -> Any:
        user = get_user_model().objects.create_user(
            f"{self.slug}-{username}", email=f"{username}@{self.slug}.example"
        )
        member_add(organization=self.organization, user=user, role=role)
        return user

    def journey(
        self,
        name: str,
        steps: Sequence[tuple[str, str, str]],
        *,
        owner: Any = None,
        owned_steps: int | None = None,
    ) -> list[Touchpoint]:
        """Map a journey; the first ``owned_steps`` touchpoints get ``owner`` too."""
        journey = Journey.objects.create(
            organization=self.organization, name=name, owner=owner
        )
        owned = len(steps) if owned_steps is None else owned_steps
        touchpoints = []
        for position, (step, channel, event_type) in enumerate(steps, start=1):
            touchpoint = touchpoint_save(
                organization=self.organization,
                fields={
                    "journey": journey,
                    "position": position,
                    "name": step,
                    "channel": channel,
                    "owner": owner if position <= owned else None,
                },
                event_types=[event_type],
            )
            self.event_types[touchpoint.pk] = event_type
            touchpoints.append(touchpoint)
        self.touchpoints += touchpoints
        return touchpoints

    def segments(self) -> list[Segment]:
        return [
            Segment.objects.create(
                organization=self.organization,
                key=key,
                name=name,
                rule={"all": [condition]},
            )
            for key, name, condition in SEGMENTS
        ]

    def customers(
        self, count: int, attributes: Callable[[int], dict]
    ) -> list[Customer]:
        return Customer.objects.bulk_create(
            Customer(
                organization=self.organization,
                external_id=f"{self.slug}-{k}",
                email=f"customer{k}@{self.slug}.example",
                name=f"Customer {k}",
                language="en",
                attributes=attributes(k),
            )
            for k in range(count)
        )

    def survey(
        self,
        name: str,
        *,
        audience: str = Survey.Audience.CUSTOMERS,
        purpose: str = Survey.Purpose.CUSTOMER_FEEDBACK,
        anonymous: bool = False,
    ) -> Survey:
        """Return an active survey asking a 0–10 score and an open comment."""
        survey = Survey.objects.create(
            organization=self.organization,
            name=name,
            audience=audience,
            purpose=purpose,
            status=Survey.Status.ACTIVE,
            languages=["en"],
            is_anonymous=anonymous,
        )
        employees = audience == Survey.Audience.EMPLOYEES
        Question.objects.bulk_create(
            [
                Question(
                    survey=survey, key="score", position=1, text={"en": "Score"},
                    type=Question.Type.RATING if employees else Question.Type.NPS,
                    scale_min=0 if employees else None,
                    scale_max=10 if employees else None,
                ),
                Question(
                    survey=survey, key="comment", position=2, type=Question.Type.TEXT,
                    text={"en": "Anything else?"}, required=False,
                ),
            ]
        )  # fmt: skip
        return survey

    def rule(
        self,
        survey: Survey,
        touchpoint: Touchpoint,
        *,
        segments: Sequence[Segment] = (),
    ) -> TriggerRule:
        rule = TriggerRule.objects.create(
            organization=self.organization,
            name=f"{touchpoint.name}{' · targeted' if segments else ''}",
            survey=survey,
            touchpoint=touchpoint,
        )
        rule.segments_all.set(segments)
        self.rules.setdefault(touchpoint.pk, rule)
        return rule

    def self_assessment(self, step: int) -> None:
        services.self_assessment_save(
            organization=self.organization,
            answers={item: step for item in SELF_ASSESSMENT_ITEM_KEYS},
        )

    # What happened in the window ----------------------------------------------------

    def feedback(self, survey: Survey, items: Sequence[Feedback]) -> list[Response]:
        """Store completed responses with their events, invitations, answers, segments.

        An event-triggered response comes from an event of its touchpoint's type and an
        invitation of the touchpoint's rule; a list response from an invitation without
        an event; a public-link response from nobody in particular.
        """
        organization = self.organization
        segments = list(Segment.objects.for_organization(organization))
        triggered = [f for f in items if f.origin == Response.Origin.EVENT]
        events = iter(
            Event.objects.bulk_create(
                Event(
                    organization=organization,
                    event_id=f"{self.slug}-event-{self.events + i}",
                    type=self.event_types[f.touchpoint.pk],
                    customer=f.customer,
                    touchpoint=f.touchpoint,
                    occurred_at=self.at(f.days_ago + 0.05),
                    received_at=self.at(f.days_ago + 0.05),
                )
                for i, f in enumerate(triggered)
            )
        )
        self.events += len(triggered)
        event_of = {id(f): next(events) for f in triggered}
        invited = [f for f in items if f.origin != Response.Origin.PUBLIC_LINK]
        invitations = iter(
            self._invitations(
                survey,
                [
                    (
                        f.customer,
                        event_of.get(id(f)),
                        self.rules[f.touchpoint.pk] if id(f) in event_of else None,
                        f.days_ago,
                    )
                    for f in invited
                ],
                origin=Invitation.Origin.EVENT,
            )
        )
        invitation_of = {id(f): next(invitations) for f in invited}
        return self._responses(
            survey,
            items,
            events=event_of,
            invitations=invitation_of,
            segments=segments,
        )

    def _invitations(
        self,
        survey: Survey,
        sends: Sequence[
            tuple[Customer | None, Event | None, TriggerRule | None, float]
        ],
        *,
        origin: str,
    ) -> list[Invitation]:
        invitations = []
        for customer, event, rule, days_ago in sends:
            invitation = Invitation(
                organization=self.organization,
                survey=survey,
                rule=rule,
                event=event,
                customer=customer,
                origin=(
                    origin
                    if origin == Invitation.Origin.RECOVERY
                    else (Invitation.Origin.EVENT if event else Invitation.Origin.LIST)
                ),
                email=customer.email if customer else f"list@{self.slug}.example",
                language="en",
                state=Invitation.State.ANSWERED,
                due_at=self.at(days_ago + 0.04),
                expires_at=self.at(days_ago - 14),
                sent_at=self.at(days_ago + 0.04),
                answered_at=self.at(days_ago),
            )
            invitation.token_hash = token_digest(invitation.token())
            invitations.append(invitation)
        return Invitation.objects.bulk_create(invitations)

    def _responses(
        self,
        survey: Survey,
        items: Sequence[Feedback],
        *,
        events: dict[int, Event],
        invitations: dict[int, Invitation],
        segments: Sequence[Segment],
    ) -> list[Response]:
        responses = Response.objects.bulk_create(
            Response(
                organization=self.organization,
                survey=survey,
                invitation=invitations.get(id(f)),
                customer=f.customer,
                event=events.get(id(f)),
                touchpoint=f.touchpoint,
                journey_id=f.touchpoint.journey_id if f.touchpoint else None,
                origin=f.origin,
                is_anonymous=not f.identified,
                language="en",
                state=Response.State.COMPLETED,
                started_at=self.at(f.days_ago + 0.01),
                completed_at=self.at(f.days_ago),
            )
            for f in items
        )
        score, comment = survey.questions.order_by("position")
        answers = []
        for i, (f, response) in enumerate(zip(items, responses, strict=True)):
            answers.append(Answer(response=response, question=score, number=f.score))
            if COMMENTS[i % len(COMMENTS)]:
                answers.append(
                    Answer(
                        response=response,
                        question=comment,
                        text=COMMENTS[i % len(COMMENTS)],
                    )
                )
        Answer.objects.bulk_create(answers)
        self.scores.update(
            (response.pk, f.score) for f, response in zip(items, responses, strict=True)
        )
        ResponseSegment.objects.bulk_create(
            ResponseSegment(
                organization=self.organization,
                response=response,
                segment=segment,
                key=segment.key,
                touchpoint=f.touchpoint,
                completed_at=response.completed_at,
                nps=f.score if score.type == "nps" else None,
            )
            for f, response in zip(items, responses, strict=True)
            if f.customer is not None
            for segment in segments
            if segment.contains(f.customer)
        )
        return responses

    def cases(
        self,
        responses: Sequence[Response],
        *,
        share: float,
        in_time: float,
        owner: Any,
        recovery_survey: Survey | None = None,
        recovered: float = 0.0,
        worked: bool = True,
    ) -> list[FollowUp]:
        """Open a case for ``share`` of the negative answers of known customers; work them.

        ``in_time`` of the cases are started within the 48-hour SLA, the rest late; a
        case is closed a day after it started, with a root cause, when that day has
        passed. With a ``recovery_survey``, closed cases send one, which comes back
        positive for ``recovered`` of them. Without ``worked`` the product opens the
        cases and nobody touches them: a loop run only by automation.
        """
        # Only answers someone can follow up get a case (followups.services).
        negative = [
            r
            for r in responses
            if self.scores[r.pk] <= 6 and r.customer_id and not r.is_anonymous
        ]
        cases = []
        for i, response in enumerate(negative):
            if spread(i) >= share:
                continue
            opened = response.completed_at + timedelta(minutes=5)
            started = opened + timedelta(hours=6 if spread(i + 7) < in_time else 60)
            closed = started + timedelta(days=1)
            if not worked:
                started = closed = self.now + timedelta(days=365)
            done = closed < self.now
            state = FollowUp.State.OPEN
            if started < self.now:
                state = FollowUp.State.CLOSED if done else FollowUp.State.IN_PROGRESS
            cases.append(
                FollowUp(
                    organization=self.organization,
                    response=response,
                    customer_id=response.customer_id,
                    touchpoint_id=response.touchpoint_id,
                    journey_id=response.journey_id,
                    owner=owner,
                    reason=f"NPS {self.scores[response.pk]}",
                    state=state,
                    opened_at=opened,
                    due_at=opened + timedelta(hours=48),
                    started_at=started if started < self.now else None,
                    closed_at=closed if done else None,
                    closed_by=owner if done else None,
                    root_cause=ROOT_CAUSES[i % len(ROOT_CAUSES)] if done else "",
                    action_taken="Called the customer back." if done else "",
                )
            )
        if recovery_survey is not None:
            self._recover(cases, recovery_survey, recovered)
        return FollowUp.objects.bulk_create(cases)

    def _recover(self, cases: list[FollowUp], survey: Survey, recovered: float) -> None:
        """Send closed cases' customers the recovery survey; they all answer it."""
        closed = [
            c for c in cases if c.state == FollowUp.State.CLOSED and c.customer_id
        ]
        customers = Customer.objects.in_bulk([c.customer_id for c in closed])
        days_ago = [(self.now - c.closed_at) / timedelta(days=1) - 0.5 for c in closed]
        invitations = self._invitations(
            survey,
            [
                (customers[c.customer_id], None, None, max(0.1, d))
                for c, d in zip(closed, days_ago, strict=True)
            ],
            origin=Invitation.Origin.RECOVERY,
        )
        items = []
        for i, (case, invitation, d) in enumerate(
            zip(closed, invitations, days_ago, strict=True)
        ):
            positive = spread(i + 3) < recovered
            case.recovery_invitation = invitation
            case.recovered = positive
            items.append(
                Feedback(
                    Response.Origin.RECOVERY, max(0.1, d), 9 + i % 2 if positive else 4,
                    customer=customers[case.customer_id],
                )
            )  # fmt: skip
        self._responses(
            survey,
            items,
            events={},
            invitations={id(f): inv for f, inv in zip(items, invitations, strict=True)},
            segments=[],
        )

    def visits(
        self, users: Sequence[tuple[Any, Role]], *, every_days: int, days: int = 88
    ) -> None:
        """Record dashboard visits by ``users`` every ``every_days`` over ``days``."""
        DashboardVisit.objects.bulk_create(
            DashboardVisit(
                organization=self.organization,
                user=user,
                role=role,
                day=timezone.localdate(self.at(day)),
            )
            for user, role in users
            for day in range(1, days, every_days)
        )

    def employee_answers(self, purpose: str, count: int) -> None:
        """Collect ``count`` anonymous answers to an employee survey of ``purpose``."""
        survey = self.survey(
            f"Employees: {purpose}",
            audience=Survey.Audience.EMPLOYEES,
            purpose=purpose,
            anonymous=True,
        )
        self.feedback(
            survey,
            [
                Feedback(Response.Origin.PUBLIC_LINK, 20 + i * 0.1, nps(i, 0.2))
                for i in range(count)
            ],
        )

    def webhook(self, url: str, deliveries: int) -> None:
        """Add an active endpoint that took ``deliveries`` completed-response events."""
        endpoint = WebhookEndpoint.objects.create(
            organization=self.organization,
            url=url,
            event_types=["response.completed"],
        )
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                organization=self.organization,
                endpoint=endpoint,
                event_type="response.completed",
                message_id=f"msg_{self.slug}_{endpoint.pk}_{i}",
                payload={},
                state=WebhookDelivery.State.DELIVERED,
                attempts=1,
                last_status_code=200,
                due_at=self.at(1 + i),
                delivered_at=self.at(1 + i),
            )
            for i in range(deliveries)
        )

    def alert(self, touchpoint: Touchpoint, days_ago: int) -> None:
        DeviationAlert.objects.create(
            organization=self.organization, touchpoint=touchpoint, metric="nps",
            day=timezone.localdate(self.at(days_ago)), recent_value=4,
            baseline_value=38, recipient=f"owner@{self.slug}.example",
        )  # fmt: skip


def _customer_attributes(k: int) -> dict[str, Any]:
    """Two of three customers are returners; every other one is valuable."""
    return {
        "previous_products": 0 if k % 3 == 0 else 1 + k % 4,
        "customer_value": 150_000 if k % 2 == 0 else 40_000,
        "region": ("Uusimaa", "Pirkanmaa", "Varsinais-Suomi")[k % 3],
    }


def _listening(
    touchpoints: Sequence[Touchpoint],
    customers: Sequence[Customer],
    *,
    per_touchpoint: int,
    detractors: float,
    stride: int = 7,
    days: float = 88.0,
) -> list[Feedback]:
    """Return event-triggered answers at ``touchpoints``, spread over ``days``.

    Customer ``k`` answers at consecutive touchpoints (those ``stride`` apart share
    customers), so that most identified customers are recognised at two or more; with
    ``stride`` at least ``per_touchpoint`` no customer is seen at two touchpoints.
    """
    answers = []
    for t, touchpoint in enumerate(touchpoints):
        for i in range(per_touchpoint):
            n = t * per_touchpoint + i
            answers.append(
                Feedback(
                    Response.Origin.EVENT, 0.5 + spread(n) * (days - 0.5),
                    nps(n, detractors), touchpoint,
                    customers[(i + t * stride) % len(customers)],
                )
            )  # fmt: skip
    return answers


def _others(
    count: int,
    origin: str,
    *,
    customers: Sequence[Customer] = (),
    start: int = 0,
    detractors: float = 0.2,
    days: tuple[float, float] = (0.5, 88.0),
) -> list[Feedback]:
    """Return ``count`` answers without a touchpoint: list sends or the public link."""
    low, high = days
    return [
        Feedback(
            origin, low + spread(start + i) * (high - low), nps(start + i, detractors),
            customer=customers[i % len(customers)] if customers else None,
        )
        for i in range(count)
    ]  # fmt: skip


def _tactical_data(builder: OrganizationBuilder) -> None:
    """A yearly anonymous survey wave to a list and a feedback link on the website."""
    survey = builder.survey("Customer survey 2026", anonymous=True)
    builder.feedback(
        survey,
        _others(140, Response.Origin.LIST, days=(60.0, 66.0), detractors=0.3)
        + _others(45, Response.Origin.PUBLIC_LINK, start=140, detractors=0.35),
    )


def level_1_tactical(slug: str = "tactical") -> Organization:
    """Level 1, tactically driven: anonymous periodic and public-link surveys only.

    No customer is identified, no journey is mapped, nothing triggers a survey, nobody
    follows up or looks at a dashboard, and no one owns CX.
    """
    builder = OrganizationBuilder(slug, "Tactical Oy")
    _tactical_data(builder)
    return builder.organization


def level_2_event_driven(slug: str = "eventful") -> Organization:
    """Level 2, event-driven: identified feedback after some customer events.

    Two of five mortgage touchpoints trigger a survey; a quarterly list send and a
    website link bring the rest. A CX manager owns the reporting and reads the
    dashboard every week; a few detractors get a case.
    """
    builder = OrganizationBuilder(slug, "Eventful Oy")
    organization = builder.organization
    manager = builder.staff("cx", Role.CX_MANAGER)
    organization.cx_owner = manager
    organization.save(update_fields=["cx_owner"])
    mortgage = builder.journey("Mortgage", MORTGAGE)
    builder.segments()
    survey = builder.survey("Feedback")
    for touchpoint in mortgage[2:4]:
        builder.rule(survey, touchpoint)
    customers = builder.customers(120, _customer_attributes)
    responses = builder.feedback(
        survey,
        # A plain level 2: each customer is known at one touchpoint only.
        _listening(
            mortgage[2:4], customers, per_touchpoint=55, detractors=0.25, stride=55
        )
        + _others(30, Response.Origin.LIST, customers=customers[60:], start=110)
        + _others(60, Response.Origin.PUBLIC_LINK, start=140),
    )
    builder.cases(responses, share=0.2, in_time=0.6, owner=manager)
    builder.visits([(manager, Role.CX_MANAGER)], every_days=7)
    builder.self_assessment(2)
    return organization


def event_driven(
    slug: str = "newcomer", *, days: float = 21.0, loop_worked: bool = True
) -> Organization:
    """Level 2, event-driven, as seed 004 says it: every answer follows an event.

    Two of five mortgage touchpoints trigger a survey after the customer's event; every
    answer is identified, each customer at one touchpoint; a CX manager owns the
    reporting and reads it every week; detractors of known customers get a case. All of
    it over the last ``days`` only: the organisation started then. With
    ``loop_worked`` false the product opens the cases and nobody works them.
    """
    builder = OrganizationBuilder(slug, "Newcomer Oy")
    organization = builder.organization
    manager = builder.staff("cx", Role.CX_MANAGER)
    organization.cx_owner = manager
    organization.save(update_fields=["cx_owner"])
    mortgage = builder.journey("Mortgage", MORTGAGE)
    builder.segments()
    survey = builder.survey("Feedback")
    for touchpoint in mortgage[2:4]:
        builder.rule(survey, touchpoint)
    customers = builder.customers(200, _customer_attributes)
    responses = builder.feedback(
        survey,
        _listening(
            mortgage[2:4], customers, per_touchpoint=80, detractors=0.25, stride=80,
            days=days,
        ),
    )  # fmt: skip
    FollowUpPolicy.objects.create(organization=organization)
    builder.cases(
        responses, share=1.0 if not loop_worked else 0.3, in_time=0.6, owner=manager,
        worked=loop_worked,
    )  # fmt: skip
    builder.visits([(manager, Role.CX_MANAGER)], every_days=7, days=max(2, int(days)))
    return organization


def _understanding_data(
    builder: OrganizationBuilder, *, predictive: bool
) -> tuple[list[Response], Any]:
    """Build what levels 3 and 4 share; return the customer responses and CX owner."""
    organization = builder.organization
    owner = builder.staff("cxo", Role.OWNER)
    manager = builder.staff("cx", Role.CX_MANAGER)
    executive = builder.staff("ceo", Role.EXECUTIVE)
    organization.cx_owner = owner
    organization.save(update_fields=["cx_owner"])
    mortgage = builder.journey("Mortgage", MORTGAGE, owner=manager)
    claim = builder.journey(
        "Insurance claim", CLAIM, owner=manager, owned_steps=None if predictive else 3
    )
    segments = builder.segments()
    survey = builder.survey("Feedback")
    instrumented = mortgage + (claim if predictive else claim[:2])
    for touchpoint in instrumented:
        builder.rule(survey, touchpoint)
    # Targeting on earlier interactions: valuable customers also get the chat survey.
    builder.rule(survey, mortgage[2], segments=[segments[1]])
    customers = builder.customers(200, _customer_attributes)
    per_touchpoint = 62 if predictive else 64
    listening = _listening(
        instrumented, customers, per_touchpoint=per_touchpoint, detractors=0.2
    )
    identified_others = 15 if predictive else 50
    anonymous = 10 if predictive else 60
    responses = builder.feedback(
        survey,
        listening
        + _others(identified_others, Response.Origin.LIST, customers=customers,
                  start=900)
        + _others(anonymous, Response.Origin.PUBLIC_LINK, start=1000),
    )  # fmt: skip
    # Systems beyond the journeys post customer events too (the CRM's updates).
    Event.objects.bulk_create(
        Event(
            organization=organization, event_id=f"{builder.slug}-crm-{k}",
            type="crm.customer_updated", customer=customer,
            occurred_at=builder.at(1 + k % 80), received_at=builder.at(1 + k % 80),
        )
        for k, customer in enumerate(customers[:40])
    )  # fmt: skip
    builder.visits(
        [(owner, Role.OWNER), (manager, Role.CX_MANAGER), (executive, Role.EXECUTIVE)],
        every_days=7,
    )
    MetricTarget.objects.create(organization=organization, metric="nps", value=40)
    builder.alert(claim[1], days_ago=12)
    builder.employee_answers(Survey.Purpose.EMPLOYEE_PULSE, 40)
    return responses, manager


def level_3_understanding_driven(slug: str = "insightful") -> Organization:
    """Level 3, understanding-driven: journeys, segments and a working loop.

    Most feedback follows events and is identified; the whole mortgage journey and half
    of the claim journey are instrumented; segments are reportable per touchpoint and a
    rule targets valuable customers; most detractors get a case within the SLA and every
    closed case has its root cause. Events come from several systems, targets are set,
    deviation alerts fire, and employees answer a pulse survey. No webhook, no
    recovery survey, no leadership survey.
    """
    builder = OrganizationBuilder(slug, "Insightful Oy")
    responses, manager = _understanding_data(builder, predictive=False)
    FollowUpPolicy.objects.create(organization=builder.organization)
    builder.cases(responses, share=0.85, in_time=0.86, owner=manager)
    builder.self_assessment(3)
    return builder.organization


def level_4_predictive(
    slug: str = "foresight", *, prediction: bool = True
) -> Organization:
    """Level 4, predictive: everything of level 3, across every journey, and more.

    Every touchpoint of both journeys is instrumented, nearly all feedback is triggered
    and identified, nine cases in ten are handled within the SLA and recovery surveys
    measure the loop, webhooks deliver feedback into the CRM and the service desk, and
    leadership is surveyed beside employees. A validated abandonment prediction is used
    by a rule with a holdout, its effect measured (unless ``prediction=False``);
    co-creation is not in the product's data: the self-assessment answers it.
    """
    builder = OrganizationBuilder(slug, "Foresight Oy")
    organization = builder.organization
    responses, manager = _understanding_data(builder, predictive=True)
    recovery = builder.survey("Recovery", purpose=Survey.Purpose.RECOVERY)
    FollowUpPolicy.objects.create(organization=organization, recovery_survey=recovery)
    builder.cases(
        responses, share=0.97, in_time=0.96, owner=manager,
        recovery_survey=recovery, recovered=0.7,
    )  # fmt: skip
    builder.webhook("https://crm.foresight.example/hooks/cx", deliveries=30)
    builder.webhook("https://servicedesk.foresight.example/cx", deliveries=12)
    builder.employee_answers(Survey.Purpose.LEADERSHIP, 15)
    if prediction:
        prediction_proof(
            builder,
            Touchpoint.objects.filter(
                organization=organization, journey__name="Mortgage"
            )
            .order_by("position")
            .last(),
        )
    builder.self_assessment(4)
    return organization


def prediction_proof(builder: OrganizationBuilder, touchpoint: Touchpoint) -> None:
    """Add a validated abandonment prediction, acted on by a rule, its effect measured.

    The model is a real (small) fitted one, published after passing its gate; a trigger
    rule on the risk segment reached 240 customers 40 days ago and held 20 % of them
    out (by the product's hash); abandonment within the 14-day horizon is rarer among
    the acted-on customers than among the held-out ones.
    """
    organization = builder.organization
    generated = generate(600, days=60, seed=4, start=int(builder.at(100).timestamp()))
    history = History.build(
        event_customers=generated.event_customers,
        event_types=generated.event_types,
        event_times=generated.event_times,
    )
    trained = learning.train(
        history,
        lambda c, at: history.event_outcome(ABANDONED, c, at, horizon_days=14).astype(
            int
        ),
        now=generated.now,
        horizon_days=14,
        min_positives=5,
        candidates={"logistic": learning.logistic},
    )
    definition = PredictionDefinition.objects.create(
        organization=organization, key="abandon", name="Abandons the application",
        kind=PredictionDefinition.Kind.EVENT, event_type=ABANDONED, horizon_days=14,
    )  # fmt: skip
    ModelVersion.objects.create(
        organization=organization, definition=definition, number=1,
        state=ModelVersion.State.PUBLISHED, card=prediction_services._clean(trained.card),
        model=prediction_services._pickled(trained), finished_at=builder.at(45),
    )  # fmt: skip
    segment = Segment.objects.create(
        organization=organization, key="abandon-risk", name="Abandonment risk ≥ 0.6",
        rule={"attribute": "risk_abandon", "operator": "gte", "value": 0.6},
    )  # fmt: skip
    rule = builder.rule(
        builder.survey("Call-back offer"), touchpoint, segments=[segment]
    )
    TriggerRule.objects.filter(pk=rule.pk).update(holdout_percent=20)
    rule.refresh_from_db()
    customers = Customer.objects.bulk_create(
        Customer(
            organization=organization, external_id=f"{builder.slug}-risk-{k}",
            email=f"risk{k}@{builder.slug}.example", language="en",
            attributes={"risk_abandon": 0.7},
        )
        for k in range(240)
    )  # fmt: skip
    events = Event.objects.bulk_create(
        Event(
            organization=organization, event_id=f"{builder.slug}-risk-{c.pk}",
            type="chat.ended", customer=c, touchpoint=touchpoint,
            occurred_at=builder.at(40), received_at=builder.at(40),
        )
        for c in customers
    )  # fmt: skip
    held = [e for e in events if held_out(e.customer_id, rule)]
    acted = [e for e in events if not held_out(e.customer_id, rule)]
    invitations = []
    for event in acted:
        invitation = Invitation(
            organization=organization, survey=rule.survey, rule=rule, event=event,
            customer=event.customer, email=event.customer.email, language="en",
            state=Invitation.State.SENT, due_at=builder.at(40),
            expires_at=builder.at(26), sent_at=builder.at(40),
        )  # fmt: skip
        invitation.token_hash = token_digest(invitation.token())
        invitations.append(invitation)
    Invitation.objects.bulk_create(invitations)
    Suppression.objects.bulk_create(
        Suppression(
            organization=organization, rule=rule, event=event, customer=event.customer,
            reason=Suppression.Reason.HOLDOUT, detail="holdout 20 %",
        )
        for event in held
    )  # fmt: skip
    Invitation.objects.filter(rule=rule).update(created_at=builder.at(40))
    Suppression.objects.filter(rule=rule).update(created_at=builder.at(40))
    gone = held[: len(held) // 2] + acted[: len(acted) // 6]
    Event.objects.bulk_create(
        Event(
            organization=organization, event_id=f"{builder.slug}-gone-{e.customer_id}",
            type=ABANDONED, customer_id=e.customer_id, occurred_at=builder.at(35),
            received_at=builder.at(35),
        )
        for e in gone
    )  # fmt: skip


def overclaiming_level_1(slug: str = "boastful") -> Organization:
    """Level-1 data (as ``level_1_tactical``) with a self-assessment claiming level 4."""
    builder = OrganizationBuilder(slug, "Boastful Oy")
    _tactical_data(builder)
    builder.self_assessment(4)
    return builder.organization
