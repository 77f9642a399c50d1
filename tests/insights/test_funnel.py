"""The invitation funnel and the response rate, from events to completed answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cx.models import Event, Journey, Touchpoint
from insights import selectors
from surveys.models import Invitation, Response, Suppression, TriggerRule
from tests.insights.conftest import WHEN

LATER = WHEN + timedelta(hours=1)


@pytest.fixture(autouse=True)
def _small_samples(settings):
    settings.CX_MIN_SAMPLE = 1


@pytest.fixture
def rule(aurora, survey, chat):
    return TriggerRule.objects.create(
        organization=aurora, name="Chat ended", survey=survey, touchpoint=chat
    )


def _event(organization, touchpoint, n, occurred_at=WHEN):
    return Event.objects.create(
        organization=organization,
        event_id=f"e-{n}",
        type="chat.ended",
        touchpoint=touchpoint,
        occurred_at=occurred_at,
        received_at=occurred_at,
    )


def _invite(rule, event, *, sent=True, opened=False, response_state=None):
    invitation = Invitation.objects.create(
        organization_id=rule.organization_id,
        survey=rule.survey,
        rule=rule,
        event=event,
        email=f"{event.event_id}@example.com",
        language="fi",
        state=Invitation.State.OPENED if opened else Invitation.State.SENT,
        due_at=WHEN,
        expires_at=WHEN + timedelta(days=14),
        sent_at=LATER if sent else None,
        opened_at=LATER if opened else None,
    )
    if response_state is not None:
        completed = response_state == Response.State.COMPLETED
        Response.objects.create(
            organization_id=rule.organization_id,
            survey=rule.survey,
            invitation=invitation,
            event=event,
            touchpoint=event.touchpoint,
            journey_id=event.touchpoint.journey_id,
            language="fi",
            state=response_state,
            started_at=LATER,
            completed_at=LATER if completed else None,
        )
    return invitation


@pytest.fixture
def chat_cohort(aurora, rule, chat, pages):
    """Five chats: completed, started, unsent, opted out, sampled out; one page view."""
    events = [_event(aurora, chat, n) for n in range(5)]
    _invite(rule, events[0], opened=True, response_state=Response.State.COMPLETED)
    _invite(rule, events[1], opened=True, response_state=Response.State.STARTED)
    _invite(rule, events[2], sent=False)
    for event, reason in [
        (events[3], Suppression.Reason.OPTED_OUT),
        (events[4], Suppression.Reason.SAMPLED_OUT),
    ]:
        Suppression.objects.create(
            organization=aurora, rule=rule, event=event, reason=reason
        )
    _event(aurora, pages, 99)
    # Last month's chat is outside the period asked for.
    _invite(rule, _event(aurora, chat, 100, occurred_at=WHEN - timedelta(days=31)))


def test_funnel_follows_each_touchpoints_events_to_answers(aurora, chat_cohort):
    rows = selectors.funnel(
        organization=aurora,
        since=WHEN - timedelta(days=1),
        until=WHEN + timedelta(days=1),
    )

    by_name = {row.touchpoint["name"]: row for row in rows}
    chat = by_name["Advisor chat"]
    assert (chat.events, chat.matched, chat.suppressed_total) == (5, 5, 2)
    assert chat.suppressed == {"opted_out": 1, "sampled_out": 1}
    assert (chat.sent, chat.opened, chat.started, chat.completed) == (2, 2, 2, 1)
    assert (chat.followup_opened, chat.recovered) == (0, 0)
    pages = by_name["Loan pages"]
    assert (pages.events, pages.matched, pages.sent) == (1, 0, 0)
    assert [row.touchpoint["name"] for row in rows] == ["Loan pages", "Advisor chat"]


def test_each_organisation_sees_only_its_own_funnel(other_org, aurora, chat_cohort):
    journey = Journey.objects.create(organization=other_org, name="Theirs")
    desk = Touchpoint.objects.create(
        organization=other_org, journey=journey, position=1, name="Desk"
    )
    _event(other_org, desk, 1)

    theirs = selectors.funnel(organization=other_org)
    ours = selectors.funnel(organization=aurora)

    assert [(row.touchpoint["name"], row.events, row.matched) for row in theirs] == [
        ("Desk", 1, 0)
    ]
    assert "Desk" not in {row.touchpoint["name"] for row in ours}
    assert sum(row.events for row in ours) == 7


def test_response_rate_is_completed_over_sent(aurora, chat_cohort):
    (row,) = selectors.metric_rows(
        organization=aurora,
        metric="response_rate",
        group_by=["touchpoint"],
        since=WHEN,
        until=WHEN + timedelta(days=1),
    )

    # Sent: the completed, the started and last month's (sent now) → 1 of 3.
    assert row.groups["touchpoint"]["name"] == "Advisor chat"
    assert (row.n, row.counts.successes) == (3, 1)
    assert row.value == pytest.approx(100 / 3)


def test_response_rate_cannot_be_split_by_segment(aurora):
    with pytest.raises(ValueError, match="segment"):
        selectors.metric_rows(
            organization=aurora, metric="response_rate", group_by=["segment"]
        )
