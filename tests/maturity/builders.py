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

The rows come from the factories (``tests/factories.py``) through one small builder
(``tests/maturity/builder.py``); this module says which rows each level has.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from cx.models import Customer, Event, Organization, Role, Segment, Touchpoint
from followups.models import FollowUpPolicy
from insights.models import DeviationAlert, MetricTarget
from predictions import learning
from predictions import services as prediction_services
from predictions.features import History
from predictions.models import ModelVersion, PredictionDefinition
from predictions.synthetic import ABANDONED, generate
from surveys.models import Invitation, Response, Suppression, Survey, TriggerRule
from surveys.trigger_decision import held_out
from tests.factories import CustomerFactory, EventFactory, InvitationFactory
from tests.maturity.builder import (
    CLAIM,
    MORTGAGE,
    Feedback,
    OrganizationBuilder,
    nps,
    spread,
)
from webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = ["MORTGAGE", "OrganizationBuilder", "nps", "spread"]


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
        EventFactory.build(
            organization=organization, event_id=f"{builder.slug}-crm-{k}",
            type="crm.customer_updated", customer=customer,
            occurred_at=builder.at(1 + k % 80),
        )
        for k, customer in enumerate(customers[:40])
    )  # fmt: skip
    builder.visits(
        [(owner, Role.OWNER), (manager, Role.CX_MANAGER), (executive, Role.EXECUTIVE)],
        every_days=7,
    )
    MetricTarget.objects.create(organization=organization, metric="nps", value=40)
    alert(builder, claim[1], days_ago=12)
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
    webhook(builder, "https://crm.foresight.example/hooks/cx", deliveries=30)
    webhook(builder, "https://servicedesk.foresight.example/cx", deliveries=12)
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


def overclaiming_level_1(slug: str = "boastful") -> Organization:
    """Level-1 data (as ``level_1_tactical``) with a self-assessment claiming level 4."""
    builder = OrganizationBuilder(slug, "Boastful Oy")
    _tactical_data(builder)
    builder.self_assessment(4)
    return builder.organization


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
        CustomerFactory.build(
            organization=organization, external_id=f"{builder.slug}-risk-{k}",
            email=f"risk{k}@{builder.slug}.example", language="en",
            attributes={"risk_abandon": 0.7},
        )
        for k in range(240)
    )  # fmt: skip
    events = Event.objects.bulk_create(
        EventFactory.build(
            organization=organization, event_id=f"{builder.slug}-risk-{c.pk}",
            customer=c, touchpoint=touchpoint, occurred_at=builder.at(40),
        )
        for c in customers
    )  # fmt: skip
    held = [e for e in events if held_out(e.customer_id, rule)]
    acted = [e for e in events if not held_out(e.customer_id, rule)]
    Invitation.objects.bulk_create(
        InvitationFactory.build(
            organization=organization, survey=rule.survey, rule=rule, event=event,
            customer=event.customer, language="en", state=Invitation.State.SENT,
            due_at=builder.at(40), expires_at=builder.at(26), sent_at=builder.at(40),
        )
        for event in acted
    )  # fmt: skip
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
        EventFactory.build(
            organization=organization, event_id=f"{builder.slug}-gone-{e.customer_id}",
            type=ABANDONED, customer=e.customer, occurred_at=builder.at(35),
        )
        for e in gone
    )  # fmt: skip


def webhook(builder: OrganizationBuilder, url: str, deliveries: int) -> None:
    """Add an active endpoint that took ``deliveries`` completed-response events."""
    endpoint = WebhookEndpoint.objects.create(
        organization=builder.organization,
        url=url,
        event_types=["response.completed"],
    )
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            organization=builder.organization,
            endpoint=endpoint,
            event_type="response.completed",
            message_id=f"msg_{builder.slug}_{endpoint.pk}_{i}",
            payload={},
            state=WebhookDelivery.State.DELIVERED,
            attempts=1,
            last_status_code=200,
            due_at=builder.at(1 + i),
            delivered_at=builder.at(1 + i),
        )
        for i in range(deliveries)
    )


def alert(builder: OrganizationBuilder, touchpoint: Touchpoint, days_ago: int) -> None:
    DeviationAlert.objects.create(
        organization=builder.organization, touchpoint=touchpoint, metric="nps",
        day=timezone.localdate(builder.at(days_ago)), recent_value=4,
        baseline_value=38, recipient=f"owner@{builder.slug}.example",
    )  # fmt: skip
