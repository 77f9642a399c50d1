"""The contact limit reads the priority of each earlier contact from the database.

An invitation remembers the rule that made it; the limit blocks a rule of the same or
lower priority than that rule's. An invitation without a rule (a recovery survey sent
after a follow-up case) counts as priority 0: it blocks an ordinary rule and not one
ranked above it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cx.models import Customer
from surveys.models import ContactPolicy, Invitation, Suppression
from tests.surveys.conftest import chat_event

Reason = Suppression.Reason


def post(api, event):
    return api.post("/api/v1/events/", event, format="json")


@pytest.fixture(autouse=True)
def fourteen_days(aurora):
    ContactPolicy.objects.create(organization=aurora, min_days_between_invitations=14)


def test_a_contact_by_a_high_priority_rule_blocks_the_same_rule_again(api, chat_rule):
    chat_rule.priority = 10
    chat_rule.save()

    post(api, chat_event(1))
    again = post(api, {**chat_event(1), "event_id": "chat-again"})

    assert again.json()["invitations"] == []
    assert Invitation.objects.count() == 1
    assert Suppression.objects.get().reason == Reason.CONTACTED_RECENTLY


@pytest.mark.parametrize(
    ("priority", "invited"), [(0, False), (1, True)], ids=["ordinary", "ranked above"]
)
def test_a_recovery_survey_counts_as_a_contact_of_priority_zero(
    api, aurora, chat_rule, priority, invited
):
    customer = Customer.objects.create(
        organization=aurora, external_id="c-1", email="c1@example.com"
    )
    # Made yesterday, so that the customer is not one this ingestion creates.
    Customer.objects.filter(pk=customer.pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    Invitation.objects.create(
        organization=aurora,
        survey=chat_rule.survey,
        rule=None,
        customer=customer,
        origin=Invitation.Origin.RECOVERY,
        email=customer.email,
        language="fi",
        due_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=14),
    )
    chat_rule.priority = priority
    chat_rule.save()

    answer = post(api, chat_event(1))

    assert len(answer.json()["invitations"]) == (1 if invited else 0)
    assert Invitation.objects.filter(rule=chat_rule).exists() == invited
    if not invited:
        assert Suppression.objects.get().reason == Reason.CONTACTED_RECENTLY
