"""The trigger decision is pure: it decides from what it is given, without a database.

No test here may touch the database (none is marked ``django_db``, so a query fails):
the decision is shared by trigger matching and the demo's history, which hands it rows
that are not stored yet.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cx.models import Customer, Event, Segment
from surveys.models import Suppression, Survey, TriggerRule
from surveys.trigger_decision import CompiledRule, RecentContact, trigger_refusal

Reason = Suppression.Reason
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def compiled(**rule_fields: object) -> CompiledRule:
    survey = Survey(pk=5, name="Chat", status=Survey.Status.ACTIVE)
    rule = TriggerRule(pk=7, organization_id=1, survey=survey, **rule_fields)
    return CompiledRule(rule=rule, segments_all=(), segments_none=())


def event(**customer_fields: object) -> Event:
    customer = Customer(
        pk=3, organization_id=1, email="c@example.com", **customer_fields
    )
    return Event(
        organization_id=1, event_id="e-1", type="chat.ended", customer=customer
    )


def decide(
    rule: CompiledRule, happened: Event, *contacts: RecentContact, **given: object
) -> tuple[str, str] | None:
    arguments: dict[str, object] = {
        "invited": False, "undeliverable": set(), "now": NOW, "min_days": 14,
    }  # fmt: skip
    arguments.update(given)
    return trigger_refusal(
        event=happened,
        compiled=rule,
        contacts=contacts,
        **arguments,  # type: ignore[arg-type]
    )


def contact(days_ago: float, priority: int = 0, survey_id: int = 5) -> RecentContact:
    return RecentContact(survey_id, "Chat", priority, NOW - timedelta(days=days_ago))


def test_a_customer_nothing_stops_is_invited():
    assert decide(compiled(), event()) is None


def test_the_first_failing_check_names_the_refusal():
    rule = compiled(is_active=False)
    refused = event(opted_out=True)

    assert decide(rule, refused) == (Reason.RULE_INACTIVE, "")
    assert decide(compiled(), refused) == (Reason.OPTED_OUT, "")
    assert decide(compiled(), event(), undeliverable={"c@example.com"}) == (
        Reason.UNDELIVERABLE,
        "c@example.com",
    )


def test_segment_filters_name_the_segments():
    region = Segment(
        key="north", rule={"attribute": "region", "operator": "eq", "value": "N"}
    )
    rule = CompiledRule(rule=compiled().rule, segments_all=(region,), segments_none=())

    assert decide(rule, event(attributes={"region": "S"})) == (
        Reason.SEGMENT_FILTER,
        "not in north",
    )
    assert decide(rule, event(attributes={"region": "N"})) is None


def test_the_organisations_limit_is_min_days_and_yields_to_a_higher_priority():
    rule = compiled(priority=5)

    assert decide(rule, event(), contact(13.9, priority=5)) == (
        Reason.CONTACTED_RECENTLY,
        "contacted 13 day(s) ago by 'Chat'",
    )
    assert decide(rule, event(), contact(14.1, priority=5)) is None
    assert decide(rule, event(), contact(1, priority=4)) is None
    assert decide(rule, event(), contact(1, priority=5), min_days=0) is None


def test_a_surveys_own_limit_holds_whatever_the_priority():
    rule = compiled(priority=9)
    rule.rule.survey.min_days_between_invitations = 30

    assert decide(rule, event(), contact(29.9), min_days=0) == (
        Reason.CONTACTED_RECENTLY,
        "contacted 29 day(s) ago by 'Chat'",
    )
    assert decide(rule, event(), contact(30.1), min_days=0) is None
    assert decide(rule, event(), contact(1, survey_id=6), min_days=0) is None
