"""Trigger decisions at their edges, without a database: one unit either side of each limit.

The matcher's decision takes an event, a rule and the customer's recent contacts; here
they are built in memory (never saved), so the contact limit, the survey's own limit,
priorities, sampling and holdout boundaries and the due time are tried at the second.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

import pytest

from cx.models import Customer, Event, Organization, Segment
from surveys.models import Suppression, Survey, TriggerRule
from surveys.services.trigger_set import CompiledRule
from surveys.services.triggers import Matcher
from surveys.trigger_decision import RecentContact, held_out, sampled_in

Reason = Suppression.Reason
NOW = datetime(2026, 6, 10, 9, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def world(
    *, min_days: int = 14, survey_days: int | None = None, priority: int = 0
) -> tuple[Matcher, Event, CompiledRule]:
    organization = Organization(
        pk=1, slug="aurora", timezone="Europe/Helsinki", default_language="fi"
    )
    survey = Survey(
        pk=10,
        organization=organization,
        name="Chat satisfaction",
        status=Survey.Status.ACTIVE,
        languages=["fi", "en"],
        min_days_between_invitations=survey_days,
    )
    rule = TriggerRule(
        pk=20, organization=organization, survey=survey, priority=priority
    )
    customer = Customer(
        pk=30,
        organization=organization,
        external_id="c-1",
        email="maija@example.com",
        language="en",
        attributes={"tier": "gold"},
    )
    event = Event(
        pk=40,
        organization=organization,
        event_id="chat-1",
        type="chat.ended",
        customer=customer,
        occurred_at=NOW,
        received_at=NOW,
    )
    matcher = Matcher.__new__(Matcher)
    matcher.organization = organization
    matcher.now = NOW
    matcher.min_days = min_days
    matcher.undeliverable = set()
    matcher.recent = defaultdict(list)
    return matcher, event, CompiledRule(rule, (), ())


def contacted(
    matcher: Matcher, ago: timedelta, *, survey_id: int = 10, priority: int = 0
) -> None:
    matcher.recent[30].append(
        RecentContact(survey_id, "Earlier survey", priority, NOW - ago)
    )


@pytest.mark.parametrize(
    ("ago", "blocked"),
    [
        (timedelta(days=13, hours=23), True),
        (timedelta(days=14) - SECOND, True),
        (timedelta(days=14), True),
        (timedelta(days=14) + SECOND, False),
        (timedelta(days=14, minutes=1), False),
    ],
)
def test_the_organisations_contact_limit_at_the_second(
    ago: timedelta, blocked: bool
) -> None:
    matcher, event, compiled = world(min_days=14)
    contacted(matcher, ago, survey_id=99)

    refusal = matcher.decide(event, compiled, False)

    if blocked:
        assert refusal == (
            Reason.CONTACTED_RECENTLY,
            f"contacted {ago.days} day(s) ago by 'Earlier survey'",
        )
    else:
        assert refusal is None


def test_a_limit_of_one_day_blocks_a_contact_made_moments_earlier() -> None:
    matcher, event, compiled = world(min_days=1)
    contacted(matcher, timedelta(hours=23, minutes=59), survey_id=99)

    assert matcher.decide(event, compiled, False) is not None


def test_a_limit_of_zero_days_is_no_limit() -> None:
    matcher, event, compiled = world(min_days=0)
    contacted(matcher, timedelta(0), survey_id=99)

    assert matcher.decide(event, compiled, False) is None


@pytest.mark.parametrize(
    ("contact_priority", "blocked"), [(4, False), (5, True), (6, True)]
)
def test_only_a_contact_of_the_same_or_higher_priority_blocks(
    contact_priority: int, blocked: bool
) -> None:
    matcher, event, compiled = world(priority=5)
    contacted(matcher, timedelta(days=1), survey_id=99, priority=contact_priority)

    assert (matcher.decide(event, compiled, False) is not None) is blocked


@pytest.mark.parametrize(
    ("ago", "blocked"),
    [
        (timedelta(days=30) - SECOND, True),
        (timedelta(days=30), True),
        (timedelta(days=30) + SECOND, False),
    ],
)
def test_the_surveys_own_limit_at_the_second_even_for_a_higher_priority_rule(
    ago: timedelta, blocked: bool
) -> None:
    matcher, event, compiled = world(min_days=0, survey_days=30, priority=50)
    contacted(matcher, ago, survey_id=10, priority=0)

    refusal = matcher.decide(event, compiled, False)

    assert (refusal is not None) is blocked
    if blocked:
        assert refusal == (
            Reason.CONTACTED_RECENTLY,
            f"contacted {ago.days} day(s) ago by 'Earlier survey'",
        )


def test_the_surveys_own_limit_ignores_other_surveys() -> None:
    matcher, event, compiled = world(min_days=0, survey_days=30)
    contacted(matcher, timedelta(days=1), survey_id=11)

    assert matcher.decide(event, compiled, False) is None


def test_the_most_recent_contact_is_the_one_named() -> None:
    matcher, event, compiled = world(min_days=14)
    contacted(matcher, timedelta(days=9), survey_id=99)
    contacted(matcher, timedelta(days=2), survey_id=99)
    contacted(matcher, timedelta(days=5), survey_id=99)

    assert matcher.decide(event, compiled, False) == (
        Reason.CONTACTED_RECENTLY,
        "contacted 2 day(s) ago by 'Earlier survey'",
    )


def test_the_first_failing_check_names_the_refusal_in_order() -> None:
    matcher, event, compiled = world()
    rule, customer = compiled.rule, event.customer
    assert customer is not None
    assert matcher.decide(event, compiled, False) is None
    assert matcher.decide(event, compiled, True) == (
        Reason.DUPLICATE,
        "a higher-priority rule already invited for this event",
    )
    rule.sampling_percent = 0
    assert matcher.decide(event, compiled, True) == (
        Reason.SAMPLED_OUT,
        "sampling 0 %",
    )
    gold = Segment(
        key="gold", rule={"attribute": "tier", "operator": "eq", "value": "gold"}
    )
    silver = Segment(
        key="silver", rule={"attribute": "tier", "operator": "eq", "value": "silver"}
    )
    filtered = CompiledRule(rule, (silver,), (gold,))
    assert matcher.decide(event, filtered, True) == (
        Reason.SEGMENT_FILTER,
        "not in silver, in gold",
    )
    matcher.undeliverable = {"maija@example.com"}
    customer.email = "Maija@Example.com"
    assert matcher.decide(event, filtered, True) == (
        Reason.UNDELIVERABLE,
        "Maija@Example.com",
    )
    customer.email = ""
    assert matcher.decide(event, filtered, True) == (Reason.NO_EMAIL, "")
    customer.opted_out = True
    assert matcher.decide(event, filtered, True) == (Reason.OPTED_OUT, "")
    event.customer = None
    assert matcher.decide(event, filtered, True) == (Reason.NO_CUSTOMER, "")
    rule.survey.status = Survey.Status.CLOSED
    assert matcher.decide(event, filtered, True) == (
        Reason.SURVEY_CLOSED,
        "survey 'Chat satisfaction' is closed",
    )
    rule.is_active = False
    assert matcher.decide(event, filtered, True) == (Reason.RULE_INACTIVE, "")


def test_segments_a_customer_is_in_and_not_in_let_the_invitation_through() -> None:
    matcher, event, compiled = world()
    gold = Segment(
        key="gold", rule={"attribute": "tier", "operator": "eq", "value": "gold"}
    )
    silver = Segment(
        key="silver", rule={"attribute": "tier", "operator": "eq", "value": "silver"}
    )

    assert (
        matcher.decide(event, CompiledRule(compiled.rule, (gold,), (silver,)), False)
        is None
    )


def _bucket(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") % 10000


def test_sampling_at_the_edge_of_an_events_bucket() -> None:
    """An event whose hash bucket is a whole percentage is in at one percent more, out at it."""
    _, event, compiled = world()
    rule = compiled.rule
    n = next(
        n
        for n in range(5000)
        if _bucket(f"1:e{n}:20") % 100 == 0 and _bucket(f"1:e{n}:20") < 9900
    )
    event.event_id = f"e{n}"
    edge = _bucket(f"1:e{n}:20") // 100

    rule.sampling_percent = edge
    assert not sampled_in(event, rule)
    rule.sampling_percent = edge + 1
    assert sampled_in(event, rule)
    rule.sampling_percent = 100
    assert sampled_in(event, rule)
    rule.sampling_percent = 0
    assert not sampled_in(event, rule)


def test_sampling_is_keyed_by_organisation_event_and_rule() -> None:
    _, event, compiled = world()
    rule = compiled.rule
    rule.sampling_percent = 50
    decisions = []
    for n in range(200):
        event.event_id = f"e{n}"
        decisions.append(sampled_in(event, rule))
    expected = [_bucket(f"1:e{n}:20") < 5000 for n in range(200)]

    assert decisions == expected


def test_holdout_at_the_edge_of_a_customers_bucket() -> None:
    _, _, compiled = world()
    rule = compiled.rule
    customer = next(
        c
        for c in range(5000)
        if _bucket(f"holdout:{c}:20") % 100 == 0 and _bucket(f"holdout:{c}:20") > 0
    )
    edge = _bucket(f"holdout:{customer}:20") // 100

    rule.holdout_percent = edge
    assert not held_out(customer, rule)
    rule.holdout_percent = edge + 1
    assert held_out(customer, rule)
    rule.holdout_percent = 0
    assert not held_out(customer, rule)
    rule.holdout_percent = 50
    assert [held_out(c, rule) for c in range(100)] == [
        _bucket(f"holdout:{c}:20") < 5000 for c in range(100)
    ]


def test_a_rule_acting_on_a_prediction_holds_its_holdout_back() -> None:
    matcher, event, compiled = world()
    assert event.customer is not None
    event.customer.attributes = {"risk_churn": 0.9}
    rule = compiled.rule
    rule.holdout_percent = 100
    risk = Segment(
        key="at_risk",
        rule={"attribute": "risk_churn", "operator": "gte", "value": 0.5},
    )
    acting = CompiledRule(rule, (risk,), ())

    assert matcher.decide(event, acting, False) == (Reason.HOLDOUT, "holdout 100 %")
    assert matcher.decide(event, compiled, False) is None  # acts on no prediction
    rule.holdout_percent = 0
    assert matcher.decide(event, acting, False) is None
    rule.holdout_percent = 100
    contacted(matcher, timedelta(days=1), survey_id=99)
    assert matcher.decide(event, acting, False)[0] == Reason.CONTACTED_RECENTLY  # type: ignore[index]


@pytest.mark.parametrize(
    ("received_after", "due_after"),
    [
        (timedelta(0), timedelta(minutes=60)),
        (timedelta(minutes=59), timedelta(minutes=60)),
        (timedelta(minutes=61), timedelta(minutes=61)),
    ],
)
def test_the_delay_counts_from_the_event_but_never_before_it_arrived(
    received_after: timedelta, due_after: timedelta
) -> None:
    matcher, event, compiled = world()
    rule = compiled.rule
    rule.delay_minutes = 60
    rule.expiry_days = 7
    event.received_at = NOW + received_after

    invitation = matcher.invitation(event, rule)

    assert invitation.due_at == NOW + due_after
    assert invitation.expires_at == NOW + due_after + timedelta(days=7)
    assert invitation.language == "en"
    assert invitation.email == "maija@example.com"
    assert matcher.recent[30][-1] == RecentContact(10, "Chat satisfaction", 0, NOW)


def test_an_invitation_due_in_quiet_hours_waits_for_the_local_morning() -> None:
    matcher, event, compiled = world()
    rule = compiled.rule
    rule.quiet_start, rule.quiet_end = time(21, 0), time(8, 0)
    event.occurred_at = event.received_at = datetime(
        2026, 6, 10, 19, 0, tzinfo=UTC
    )  # 22:00

    invitation = matcher.invitation(event, rule)

    assert invitation.due_at == datetime(2026, 6, 11, 5, 0, tzinfo=UTC)  # 08:00 local


def test_the_invitation_belongs_to_the_organisation_rule_event_and_customer() -> None:
    matcher, event, compiled = world()

    invitation = matcher.invitation(event, compiled.rule)

    assert invitation.organization is matcher.organization
    assert invitation.survey is compiled.rule.survey
    assert invitation.rule is compiled.rule
    assert invitation.event is event
    assert invitation.customer is event.customer
    assert invitation.origin == "event"


def test_a_customer_outside_a_required_segment_alone_is_filtered() -> None:
    matcher, event, compiled = world()
    silver = Segment(
        key="silver", rule={"attribute": "tier", "operator": "eq", "value": "silver"}
    )
    gold = Segment(
        key="gold", rule={"attribute": "tier", "operator": "eq", "value": "gold"}
    )

    assert matcher.decide(event, CompiledRule(compiled.rule, (silver,), ()), False) == (
        Reason.SEGMENT_FILTER,
        "not in silver",
    )
    assert matcher.decide(event, CompiledRule(compiled.rule, (), (gold,)), False) == (
        Reason.SEGMENT_FILTER,
        "in gold",
    )


def test_a_partial_sample_is_decided_by_the_events_own_bucket() -> None:
    matcher, event, compiled = world()
    rule = compiled.rule
    inside = next(n for n in range(5000) if _bucket(f"1:e{n}:20") < 2000)
    outside = next(n for n in range(5000) if _bucket(f"1:e{n}:20") >= 2000)
    rule.sampling_percent = 20

    event.event_id = f"e{inside}"
    assert matcher.decide(event, compiled, False) is None
    event.event_id = f"e{outside}"
    assert matcher.decide(event, compiled, False) == (
        Reason.SAMPLED_OUT,
        "sampling 20 %",
    )


def test_a_one_percent_holdout_holds_back_the_lowest_bucket() -> None:
    _, _, compiled = world()
    rule = compiled.rule
    rule.holdout_percent = 1
    low = next(c for c in range(100_000) if _bucket(f"holdout:{c}:20") < 100)
    high = next(c for c in range(100_000) if _bucket(f"holdout:{c}:20") >= 100)

    assert held_out(low, rule)
    assert not held_out(high, rule)


def test_the_holdout_is_decided_by_the_customers_own_bucket() -> None:
    matcher, event, compiled = world()
    assert event.customer is not None
    event.customer.attributes = {"risk_churn": 0.9}
    rule = compiled.rule
    rule.holdout_percent = 50
    risk = Segment(
        key="at_risk",
        rule={"attribute": "risk_churn", "operator": "gte", "value": 0.5},
    )
    acting = CompiledRule(rule, (risk,), ())
    none_held = _bucket("holdout:None:20") < 5000
    customer = next(
        c for c in range(1000) if (_bucket(f"holdout:{c}:20") < 5000) is not none_held
    )
    event.customer.pk = customer
    matcher.recent = defaultdict(list)

    refusal = matcher.decide(event, acting, False)

    assert (refusal == (Reason.HOLDOUT, "holdout 50 %")) is (not none_held)
    assert (refusal is None) is none_held


def test_a_one_percent_sample_takes_the_lowest_bucket() -> None:
    _, event, compiled = world()
    rule = compiled.rule
    rule.sampling_percent = 1
    low = next(n for n in range(100_000) if _bucket(f"1:e{n}:20") < 100)
    high = next(n for n in range(100_000) if _bucket(f"1:e{n}:20") >= 100)

    event.event_id = f"e{low}"
    assert sampled_in(event, rule)
    event.event_id = f"e{high}"
    assert not sampled_in(event, rule)
