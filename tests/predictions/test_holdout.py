"""A rule that acts on a prediction keeps a holdout, and its effect is measured."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cx.models import Event, Segment
from cx.services.customers import CustomerIn
from cx.services.events import EventIn, events_record
from predictions import effects
from surveys.models import Invitation, Suppression, TriggerRule
from surveys.trigger_decision import held_out

pytestmark = pytest.mark.django_db


@pytest.fixture
def proactive_rule(aurora, chat_survey, abandonment):
    segment = Segment.objects.create(
        organization=aurora,
        key="abandon-risk",
        name="High abandonment risk",
        rule={"attribute": "risk_abandon", "operator": "gte", "value": 0.6},
    )
    rule = TriggerRule.objects.create(
        organization=aurora,
        name="Struggling applicant → call-back offer",
        survey=chat_survey,
        event_type="chat.ended",
    )
    rule.segments_all.add(segment)
    return rule


def chats(customers: range, *, risk: float) -> list[EventIn]:
    return [
        EventIn(
            event_id=f"chat-{n}",
            type="chat.ended",
            customer=CustomerIn(
                external_id=f"c-{n}",
                email=f"c{n}@example.com",
                attributes={"risk_abandon": risk},
            ),
        )
        for n in customers
    ]


def test_rule_on_a_risk_segment_holds_out_a_stable_tenth(
    aurora, proactive_rule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        events_record(organization=aurora, events=chats(range(600), risk=0.8))
        events_record(organization=aurora, events=chats(range(600, 700), risk=0.1))

    held = Suppression.objects.filter(rule=proactive_rule, reason="holdout")
    invited = Invitation.objects.filter(rule=proactive_rule)
    assert held.count() + invited.count() == 600  # low-risk customers are not eligible
    assert 35 <= held.count() <= 85  # 10 % of 600, by hash
    assert all(held_out(s.customer_id, proactive_rule) for s in held)
    assert held.first().detail == "holdout 10 %"
    assert not Suppression.objects.filter(
        reason="segment_filter", customer__external_id="c-1"
    ).exists()


def test_a_rule_without_a_prediction_has_no_holdout(
    aurora, chat_rule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        events_record(organization=aurora, events=chats(range(200), risk=0.8))

    assert not Suppression.objects.filter(reason="holdout").exists()
    assert Invitation.objects.filter(rule=chat_rule).count() == 200


def test_effect_after_the_horizon_compares_acted_on_and_held_out_customers(
    aurora, proactive_rule, abandonment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        events_record(organization=aurora, events=chats(range(800), risk=0.8))
    assigned = timezone.now() - timedelta(days=20)
    Invitation.objects.filter(rule=proactive_rule).update(created_at=assigned)
    Suppression.objects.filter(rule=proactive_rule).update(created_at=assigned)
    acted = list(
        Invitation.objects.filter(rule=proactive_rule).values_list(
            "customer", flat=True
        )
    )
    held = list(
        Suppression.objects.filter(rule=proactive_rule).values_list(
            "customer", flat=True
        )
    )
    # Half of the held-out customers abandon within the horizon, a fifth of the others;
    # one more abandons after the horizon, which does not count.
    abandoned = held[: len(held) // 2] + acted[: len(acted) // 5]
    Event.objects.bulk_create(
        Event(
            organization=aurora, event_id=f"gone-{pk}",
            type="mortgage.application_abandoned", customer_id=pk,
            occurred_at=assigned + timedelta(days=3),
            received_at=assigned + timedelta(days=3),
        )
        for pk in abandoned
    )  # fmt: skip
    Event.objects.create(
        organization=aurora, event_id="late", type="mortgage.application_abandoned",
        customer_id=acted[-1], occurred_at=assigned + timedelta(days=16),
        received_at=assigned + timedelta(days=16),
    )  # fmt: skip

    (measured,) = effects.effects_of(aurora)

    effect = measured.effect
    assert measured.rule == proactive_rule and measured.measured
    assert (effect.acted, effect.held_out) == (len(acted), len(held))
    assert effect.acted_outcomes == len(acted) // 5
    assert effect.held_out_outcomes == len(held) // 2
    difference = effect.difference
    assert difference.value == pytest.approx(
        len(acted) // 5 / len(acted) - (len(held) // 2) / len(held)
    )
    assert difference.high < 0  # acting lowered abandonment, beyond chance
    assert not effect.sample_ratio_alert


def test_effect_waits_for_the_horizon(
    aurora, proactive_rule, abandonment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        events_record(organization=aurora, events=chats(range(100), risk=0.8))

    (measured,) = effects.effects_of(aurora)

    assert measured.waiting == 100 and not measured.measured
