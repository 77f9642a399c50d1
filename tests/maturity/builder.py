"""The maturity fixtures' builder: one organisation's rows in bulk, from the factories.

``tests/factories.py`` makes each row; this builder decides which rows an organisation
at a maturity level has (see ``tests.maturity.builders``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from cx.models import Customer, Event, Organization, Role, Segment, Touchpoint
from followups.models import FollowUp, RootCause
from insights.models import DashboardVisit
from maturity import services
from maturity.method import SELF_ASSESSMENT_ITEM_KEYS
from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    ResponseSegment,
    Survey,
    TriggerRule,
)
from tests.factories import (
    CustomerFactory,
    EventFactory,
    FollowUpFactory,
    InvitationFactory,
    JourneyFactory,
    MembershipFactory,
    OrganizationFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
    TriggerRuleFactory,
    UserFactory,
)

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
        self.organization: Organization = OrganizationFactory(
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
        user = UserFactory(
            username=f"{self.slug}-{username}",
            email=f"{username}@{self.slug}.example",
            is_staff=False,
        )
        MembershipFactory(organization=self.organization, user=user, role=role)
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
        journey = JourneyFactory(organization=self.organization, name=name, owner=owner)
        owned = len(steps) if owned_steps is None else owned_steps
        touchpoints = []
        for position, (step, channel, event_type) in enumerate(steps, start=1):
            touchpoint = TouchpointFactory(
                journey=journey, position=position, name=step, channel=channel,
                owner=owner if position <= owned else None, event_types=[event_type],
            )  # fmt: skip
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
            CustomerFactory.build(
                organization=self.organization, external_id=f"{self.slug}-{k}",
                email=f"customer{k}@{self.slug}.example", name=f"Customer {k}",
                language="en", attributes=attributes(k),
            )
            for k in range(count)
        )  # fmt: skip

    def survey(
        self,
        name: str,
        *,
        audience: str = Survey.Audience.CUSTOMERS,
        purpose: str = Survey.Purpose.CUSTOMER_FEEDBACK,
        anonymous: bool = False,
    ) -> Survey:
        """Return an active survey asking a 0–10 score and an open comment."""
        survey = SurveyFactory(
            organization=self.organization, name=name, audience=audience,
            purpose=purpose, languages=["en"], is_anonymous=anonymous, questions=(),
        )  # fmt: skip
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
        rule = TriggerRuleFactory(
            organization=self.organization,
            name=f"{touchpoint.name}{' · targeted' if segments else ''}",
            survey=survey,
            touchpoint=touchpoint,
            segments_all=segments,
        )
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
                EventFactory.build(
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
            invitation = InvitationFactory.build(
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
            ResponseFactory.build(
                organization=self.organization,
                survey=survey,
                invitation=invitations.get(id(f)),
                customer=f.customer,
                event=events.get(id(f)),
                touchpoint=f.touchpoint,
                journey=f.touchpoint.journey if f.touchpoint else None,
                origin=f.origin,
                is_anonymous=not f.identified,
                language="en",
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
                FollowUpFactory.build(
                    organization=self.organization,
                    response=response,
                    owner=owner,
                    reason=f"NPS {self.scores[response.pk]}",
                    state=state,
                    opened_at=opened,
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
