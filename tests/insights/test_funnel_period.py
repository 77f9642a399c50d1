"""The funnel of a period counts what followed that period's events, and lists the
touchpoints journey by journey, each journey in its own order.

Every step has rows on both sides of the period (the day before and the day after):
an invitation sent, opened and answered, a suppression, a follow-up case recovered.
None of them may reach the period's counts.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cx.models import Event, Journey, Organization, Touchpoint
from followups.models import FollowUp
from insights import selectors
from surveys.models import Invitation, Response, Suppression, TriggerRule
from tests.insights.conftest import WHEN, make_survey

SINCE = WHEN - timedelta(hours=1)
UNTIL = WHEN + timedelta(hours=1)


def _whole_path(organization: Organization, touchpoint: Touchpoint, at, key: str):  # type: ignore[no-untyped-def]
    """Store, for an event at ``at``, an answered invitation with a recovered case,
    and a second event's suppression."""
    survey = make_survey(organization, name=f"Feedback {key}")
    rule = TriggerRule.objects.create(
        organization=organization, name=key, survey=survey, touchpoint=touchpoint
    )
    answered, refused = (
        Event.objects.create(
            organization=organization,
            event_id=f"{key}-{n}",
            type="chat.ended",
            touchpoint=touchpoint,
            occurred_at=at,
            received_at=at,
        )
        for n in (1, 2)
    )
    invitation = Invitation.objects.create(
        organization=organization,
        survey=survey,
        rule=rule,
        event=answered,
        email=f"{key}@example.com",
        language="fi",
        state=Invitation.State.SENT,
        due_at=at,
        expires_at=at + timedelta(days=14),
        sent_at=at,
        opened_at=at,
    )
    response = Response.objects.create(
        organization=organization,
        survey=survey,
        invitation=invitation,
        event=answered,
        touchpoint=touchpoint,
        journey_id=touchpoint.journey_id,
        language="fi",
        state=Response.State.COMPLETED,
        started_at=at,
        completed_at=at,
    )
    FollowUp.objects.create(
        organization=organization,
        response=response,
        touchpoint=touchpoint,
        journey_id=touchpoint.journey_id,
        reason="CSAT 1",
        due_at=at + timedelta(hours=48),
        recovered=True,
    )
    Suppression.objects.create(
        organization=organization,
        rule=rule,
        event=refused,
        reason=Suppression.Reason.OPTED_OUT,
    )


@pytest.fixture
def three_days(aurora, mortgage):
    chat = mortgage.touchpoints.get(name="Advisor chat")
    _whole_path(aurora, chat, WHEN - timedelta(days=1), "before")
    _whole_path(aurora, chat, WHEN, "within")
    _whole_path(aurora, chat, WHEN + timedelta(days=1), "after")
    return chat


@pytest.mark.parametrize(
    "window, days",
    [
        ({"since": SINCE, "until": UNTIL}, 1),
        ({"since": SINCE}, 2),
        ({"until": UNTIL}, 2),
        ({}, 3),
    ],
    ids=["the day", "from the day on", "up to the day", "all time"],
)
def test_every_step_counts_only_the_periods_events(aurora, three_days, window, days):
    rows = selectors.funnel(organization=aurora, **window)

    (chat,) = [row for row in rows if row.touchpoint["name"] == "Advisor chat"]
    assert {
        "events": chat.events,
        "matched": chat.matched,
        "suppressed": chat.suppressed,
        "sent": chat.sent,
        "opened": chat.opened,
        "started": chat.started,
        "completed": chat.completed,
        "cases": chat.followup_opened,
        "recovered": chat.recovered,
    } == {
        "events": 2 * days,
        "matched": 2 * days,
        "suppressed": {"opted_out": days},
        "sent": days,
        "opened": days,
        "started": days,
        "completed": days,
        "cases": days,
        "recovered": days,
    }


def test_touchpoints_are_listed_by_journey_then_by_position(aurora, mortgage):
    # "Accounts" comes before "Mortgage"; its touchpoints are made in reverse order
    # and sit at positions after Mortgage's, so that neither the order of creation
    # nor the positions alone give the journey order.
    accounts = Journey.objects.create(organization=aurora, name="Accounts")
    for position, name in [(9, "Closing"), (8, "Opening")]:
        Touchpoint.objects.create(
            organization=aurora, journey=accounts, position=position, name=name
        )

    rows = selectors.funnel(organization=aurora)

    assert [row.touchpoint["name"] for row in rows] == [
        "Opening",
        "Closing",
        "Loan pages",
        "Advisor chat",
    ]
