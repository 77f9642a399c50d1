"""A batch's trigger decisions without a database: one row per matching rule.

Builds on the in-memory world of ``test_trigger_decisions_pure``: the rules an event
matches are tried by priority, and every refusal is a suppression row naming the rule,
the event and the customer.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from cx.models import Event
from surveys.models import Suppression, Survey, TriggerRule
from surveys.services.trigger_set import CompiledRule
from surveys.services.triggers import _decisions
from surveys.trigger_decision import RecentContact
from tests.surveys.test_trigger_decisions_pure import NOW, world

Reason = Suppression.Reason


def test_a_batch_writes_one_row_per_matching_rule_and_one_survey_per_event() -> None:
    """Rules are tried by priority: the first that passes invites, the rest are
    duplicates; every refusal is a suppression naming the rule, event and customer."""
    matcher, event, compiled = world(min_days=0)
    survey = compiled.rule.survey
    second = CompiledRule(
        TriggerRule(pk=21, organization=matcher.organization, survey=survey), (), ()
    )
    closed = Survey(pk=12, name="Old", status=Survey.Status.CLOSED, languages=["fi"])
    third = CompiledRule(
        TriggerRule(pk=22, organization=matcher.organization, survey=closed), (), ()
    )
    matcher.matches = [(event, (third, compiled, second))]

    invitations, suppressions = _decisions(matcher)

    assert [(i.rule.pk, i.event, i.customer) for i in invitations] == [
        (20, event, event.customer)
    ]
    assert [
        (s.rule.pk, s.reason, s.event, s.customer, s.organization) for s in suppressions
    ] == [
        (22, Reason.SURVEY_CLOSED, event, event.customer, matcher.organization),
        (21, Reason.DUPLICATE, event, event.customer, matcher.organization),
    ]
    assert suppressions[0].detail == "survey 'Old' is closed"


def test_the_next_event_of_a_batch_starts_without_an_invitation_of_its_own() -> None:
    matcher, event, compiled = world(min_days=0)
    other = Event(
        pk=41,
        organization=matcher.organization,
        event_id="chat-2",
        customer=event.customer,
        occurred_at=NOW,
        received_at=NOW,
    )
    matcher.matches = [(event, (compiled,)), (other, (compiled,))]

    invitations, suppressions = _decisions(matcher)

    assert [i.event for i in invitations] == [event, other]
    assert suppressions == []


def test_a_long_refusal_detail_is_cut_to_what_the_column_holds() -> None:
    matcher, event, compiled = world()
    long_name = "x" * 400
    compiled.rule.survey.name = long_name
    compiled.rule.survey.status = Survey.Status.CLOSED
    matcher.matches = [(event, (compiled,))]

    _, (suppression,) = _decisions(matcher)

    assert suppression.detail == f"survey '{long_name}"[:300]
    assert len(suppression.detail) == 300


def test_reading_the_addresses_again_forgets_the_contacts_decided_in_between() -> None:
    matcher, event, compiled = world()
    earlier = RecentContact(99, "Earlier survey", 0, NOW - timedelta(days=3))
    matcher.emails = set()
    matcher.addresses_read = False
    matcher.history = {30: (earlier,)}
    matcher.recent = defaultdict(list, {30: [earlier]})
    matcher.invitation(event, compiled.rule)  # decided in the first pass
    assert len(matcher.recent[30]) == 2

    matcher.addresses_read_now()

    assert matcher.addresses_read is True
    assert matcher.recent[30] == [earlier]
    assert matcher.recent[31] == []  # still a list per customer
    assert matcher.history == {30: (earlier,)}
