"""The funnel's totals hold only the caller's numbers, not another tenant's inside them.

Names are not enough: a count left unscoped adds the other tenant's rows into a total
without showing any of its names. So Other Oy gets distinctive counts at every step
(events, invitations, suppressions, follow-up cases, recoveries), some at a touchpoint
and some at none, and Aurora's funnel must equal what counting Aurora's rows alone gives.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from cx.models import Event, Journey, Organization, Touchpoint
from followups.models import FollowUp
from insights import selectors
from surveys.models import Invitation, Response, Suppression, TriggerRule
from tests.insights.conftest import WHEN, make_survey

LATER = WHEN + timedelta(hours=1)


def _cohort(
    organization: Organization,
    touchpoint: Touchpoint,
    *,
    events: int,
    invited: int,
    suppressed: int,
    cases: int,
    recovered: int,
    loose: int,
) -> None:
    """Store a cohort with the given counts; ``loose`` events name no touchpoint."""
    survey = make_survey(organization, name=f"Feedback {organization.slug}")
    rule = TriggerRule.objects.create(
        organization=organization, name="Any", survey=survey, touchpoint=touchpoint
    )
    stored = [
        Event.objects.create(
            organization=organization,
            event_id=f"{organization.slug}-{n}",
            type="chat.ended",
            touchpoint=touchpoint,
            occurred_at=WHEN,
            received_at=WHEN,
        )
        for n in range(events)
    ]
    for n in range(loose):
        Event.objects.create(
            organization=organization,
            event_id=f"{organization.slug}-loose-{n}",
            type="unknown.kind",
            occurred_at=WHEN,
            received_at=WHEN,
        )
    for n, event in enumerate(stored[:invited]):
        invitation = Invitation.objects.create(
            organization=organization,
            survey=survey,
            rule=rule,
            event=event,
            email=f"{event.event_id}@example.com",
            language="fi",
            state=Invitation.State.SENT,
            due_at=WHEN,
            expires_at=WHEN + timedelta(days=14),
            sent_at=LATER,
            opened_at=LATER,
        )
        response = Response.objects.create(
            organization=organization,
            survey=survey,
            invitation=invitation,
            event=event,
            touchpoint=touchpoint,
            journey_id=touchpoint.journey_id,
            language="fi",
            state=Response.State.COMPLETED,
            started_at=LATER,
            completed_at=LATER,
        )
        if n < cases:
            FollowUp.objects.create(
                organization=organization,
                response=response,
                touchpoint=touchpoint,
                journey_id=touchpoint.journey_id,
                reason="CSAT 1",
                due_at=LATER + timedelta(hours=48),
                recovered=n < recovered,
            )
    for event in stored[invited : invited + suppressed]:
        Suppression.objects.create(
            organization=organization,
            rule=rule,
            event=event,
            reason=Suppression.Reason.OPTED_OUT,
        )


@pytest.fixture
def two_tenants(aurora, other_org, mortgage):
    chat = mortgage.touchpoints.get(name="Advisor chat")
    _cohort(
        aurora, chat, events=4, invited=2, suppressed=1, cases=1, recovered=0, loose=1
    )
    journey = Journey.objects.create(organization=other_org, name="Theirs")
    desk = Touchpoint.objects.create(
        organization=other_org, journey=journey, position=1, name="Desk"
    )
    _cohort(
        other_org,
        desk,
        events=37,
        invited=23,
        suppressed=11,
        cases=7,
        recovered=5,
        loose=13,
    )


def _brute_force(organization: Organization) -> dict[str, int]:
    """Count the organisation's own rows step by step, the plainest way."""
    invitations = Invitation.objects.filter(organization=organization)
    cases = FollowUp.objects.filter(organization=organization)
    return {
        "events": Event.objects.filter(organization=organization).count(),
        "matched": invitations.count()
        + Suppression.objects.filter(organization=organization).count(),
        "suppressed": Suppression.objects.filter(organization=organization).count(),
        "sent": invitations.filter(sent_at__isnull=False).count(),
        "opened": invitations.filter(opened_at__isnull=False).count(),
        "started": invitations.filter(response__isnull=False).count(),
        "completed": invitations.filter(
            response__state=Response.State.COMPLETED
        ).count(),
        "followup_opened": cases.count(),
        "recovered": cases.filter(recovered=True).count(),
    }


def _totals(rows: list[selectors.FunnelRow]) -> dict[str, int]:
    return {
        "events": sum(row.events for row in rows),
        "matched": sum(row.matched for row in rows),
        "suppressed": sum(row.suppressed_total for row in rows),
        "sent": sum(row.sent for row in rows),
        "opened": sum(row.opened for row in rows),
        "started": sum(row.started for row in rows),
        "completed": sum(row.completed for row in rows),
        "followup_opened": sum(row.followup_opened for row in rows),
        "recovered": sum(row.recovered for row in rows),
    }


@pytest.mark.parametrize("period", ["all time", "the day"])
def test_each_tenants_totals_equal_its_own_rows_counted_alone(
    aurora, other_org, two_tenants, period
):
    window = {}
    if period == "the day":
        window = {
            "since": WHEN - timedelta(hours=1),
            "until": WHEN + timedelta(hours=1),
        }

    for organization in (aurora, other_org):
        rows = selectors.funnel(organization=organization, **window)

        assert _totals(rows) == _brute_force(organization)

    assert _brute_force(aurora) == {
        "events": 5,
        "matched": 3,
        "suppressed": 1,
        "sent": 2,
        "opened": 2,
        "started": 2,
        "completed": 2,
        "followup_opened": 1,
        "recovered": 0,
    }


def test_a_tenants_rows_are_its_touchpoints_and_its_own_loose_events(
    aurora, two_tenants
):
    rows = selectors.funnel(organization=aurora)

    named = [row.touchpoint["name"] for row in rows if row.touchpoint is not None]
    assert "Desk" not in named
    loose = [row for row in rows if row.touchpoint is None]
    assert [(row.events, row.matched, row.followup_opened) for row in loose] == [
        (1, 0, 0)
    ]
    chat = next(
        r for r in rows if r.touchpoint and r.touchpoint["name"] == "Advisor chat"
    )
    assert (chat.events, chat.matched, chat.followup_opened, chat.recovered) == (
        4,
        3,
        1,
        0,
    )
