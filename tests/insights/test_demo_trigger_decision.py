"""The demo's history refuses invitations for the product's reasons, not a copy's.

The demo once replayed its own copy of the trigger checks, and the copy knew nothing of
inactive rules, closed surveys, undeliverable addresses, segment filters, a survey's own
contact limit or the holdout. Here the demo organisation is configured so that each of
those applies, and its history must refuse with each, as ``surveys.trigger_decision``
decides.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command

from cx.models import Organization, Segment, Touchpoint
from insights.demo import load_history
from insights.demo.content import REGIONS
from insights.demo.history import History
from surveys.demo import CHAT_SURVEY, EFFORT_SURVEY
from surveys.models import (
    ContactPolicy,
    Invitation,
    Question,
    Suppression,
    Survey,
    TriggerRule,
    UndeliverableAddress,
)
from surveys.trigger_decision import held_out

pytestmark = pytest.mark.django_db

Reason = Suppression.Reason
DAYS = 16


@pytest.fixture
def demo(settings) -> Organization:
    """The demo organisation with its surveys and rules, and no history yet."""
    settings.CX_DEMO_HISTORY_DAYS = 0
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    settings.CX_DEMO_HISTORY_DAYS = DAYS
    return Organization.objects.get(slug="demo")


@pytest.fixture
def every_1_in_7_addresses_bounced(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """After the stories, every seventh customer's address is known undeliverable."""
    stories = History.stories

    def stories_then_bounces(history: History) -> None:
        stories(history)
        addresses = sorted({c.email for c in history.written.customers if c.email})
        UndeliverableAddress.objects.bulk_create(
            UndeliverableAddress(
                organization=history.organization,
                email=address,
                reason=UndeliverableAddress.Reason.BOUNCED,
                created_at=history.start,  # the history's timestamps are its own
            )
            for address in addresses[::7]
        )

    monkeypatch.setattr(History, "stories", stories_then_bounces)
    yield


def rule_on_chats(
    demo: Organization, name: str, survey: Survey, **fields: object
) -> TriggerRule:
    chat = Touchpoint.objects.get(
        organization=demo, event_types__event_type="chat.ended"
    )
    return TriggerRule.objects.create(
        organization=demo, name=name, survey=survey, touchpoint=chat, **fields
    )


def test_each_check_the_copy_missed_refuses_in_the_demo(
    demo, every_1_in_7_addresses_bounced
):
    chat_survey = Survey.objects.get(organization=demo, name=CHAT_SURVEY)
    effort = TriggerRule.objects.get(organization=demo, survey__name=EFFORT_SURVEY)
    # Only the chat survey's own limit can now refuse a recent contact.
    ContactPolicy.objects.filter(organization=demo).update(
        min_days_between_invitations=0
    )
    chat_survey.min_days_between_invitations = 30
    chat_survey.save()
    rule_on_chats(demo, "Paused", chat_survey, is_active=False, priority=30)
    closed = Survey.objects.create(
        organization=demo, name="Old survey", status=Survey.Status.CLOSED
    )
    rule_on_chats(demo, "On a closed survey", closed, priority=30)
    uusimaa = Segment.objects.create(
        organization=demo, key="uusimaa", name="Uusimaa",
        rule={"attribute": "region", "operator": "eq", "value": REGIONS[0]},
    )  # fmt: skip
    effort.segments_none.add(uusimaa)
    offer = Survey.objects.create(
        organization=demo, name="Call-back", status=Survey.Status.ACTIVE,
        languages=["fi", "sv", "en"],
    )  # fmt: skip
    Question.objects.create(
        survey=offer, key="csat", position=1, type=Question.Type.CSAT, text={"en": "?"}
    )
    at_risk = Segment.objects.create(
        organization=demo, key="at-risk", name="At risk (or signed in)",
        rule={"any": [
            {"attribute": "risk_abandon", "operator": "gte", "value": 0.5},
            {"attribute": "authenticated", "operator": "eq", "value": True},
        ]},
    )  # fmt: skip
    proactive = rule_on_chats(
        demo, "Proactive call-back", offer, priority=20, holdout_percent=50
    )
    proactive.segments_all.add(at_risk)

    load_history(Organization.objects.get(pk=demo.pk), lambda message: None)

    suppressions = Suppression.objects.filter(organization=demo)
    reasons = set(suppressions.values_list("reason", flat=True))
    assert reasons >= {
        Reason.RULE_INACTIVE,
        Reason.SURVEY_CLOSED,
        Reason.UNDELIVERABLE,
        Reason.SEGMENT_FILTER,
        Reason.CONTACTED_RECENTLY,
        Reason.HOLDOUT,
    }, reasons
    # The recent contacts refused are the chat survey's own limit, the organisation's
    # being off; the held-out customers are those the product's hash holds out.
    recent = suppressions.filter(reason=Reason.CONTACTED_RECENTLY)
    assert set(recent.values_list("rule__survey", flat=True)) == {chat_survey.pk}
    assert all(f"'{CHAT_SURVEY}'" in d for d in recent.values_list("detail", flat=True))
    held = suppressions.filter(reason=Reason.HOLDOUT)
    assert set(held.values_list("rule", flat=True)) == {proactive.pk}
    assert all(held_out(s.customer_id, proactive) for s in held)
    invited = proactive.invitations.values_list("customer_id", flat=True)
    assert invited and not any(held_out(pk, proactive) for pk in invited)
    refused_region = suppressions.filter(rule=effort, reason=Reason.SEGMENT_FILTER)
    assert refused_region.exists()
    assert all(s.customer.attributes["region"] == REGIONS[0] for s in refused_region)
    assert not effort.invitations.filter(
        customer__attributes__region=REGIONS[0]
    ).exists()
    known = UndeliverableAddress.objects.filter(organization=demo, detail="")
    undeliverable = suppressions.filter(reason=Reason.UNDELIVERABLE)
    assert set(undeliverable.values_list("detail", flat=True)) <= set(
        UndeliverableAddress.objects.values_list("email", flat=True)
    )
    assert not Invitation.objects.filter(
        organization=demo, email__in=known.values_list("email", flat=True)
    ).exists()
