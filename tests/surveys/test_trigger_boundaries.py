"""Trigger limits through the API at fixed clocks: one unit either side of each edge.

The contact limit is tried a minute inside and a minute past its 14 days; quiet hours
at every full hour 00–23 UTC of an ordinary day and of both DST days in Helsinki, each
due time checked against a minute-by-minute walk of the local clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from surveys.models import ContactPolicy, Invitation, Suppression
from tests.surveys.conftest import chat_event
from tests.surveys.test_quiet_hours_clock import brute_force

Reason = Suppression.Reason
FIRST = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def post(api, event):
    return api.post("/api/v1/events/", event, format="json")


@pytest.mark.parametrize(
    ("later", "invited"),
    [
        (timedelta(days=13, hours=23), False),
        (timedelta(days=14) - timedelta(minutes=1), False),
        (timedelta(days=14, minutes=1), True),
        (timedelta(days=15), True),
    ],
)
def test_the_contact_limit_a_minute_either_side_of_fourteen_days(
    api, aurora, chat_rule, later, invited
):
    ContactPolicy.objects.create(organization=aurora, min_days_between_invitations=14)
    with time_machine.travel(FIRST, tick=False):
        post(api, chat_event(1))
    with time_machine.travel(FIRST + later, tick=False):
        answer = post(api, {**chat_event(1), "event_id": "chat-again"})

    assert answer.status_code == 201
    assert Invitation.objects.count() == (2 if invited else 1)
    if not invited:
        refusal = Suppression.objects.get()
        assert refusal.reason == Reason.CONTACTED_RECENTLY
        assert refusal.detail == (
            f"contacted {later.days} day(s) ago by 'Chat satisfaction'"
        )


@pytest.mark.parametrize(
    "day",
    [date(2026, 6, 10), date(2026, 3, 29), date(2026, 10, 25)],
    ids=["ordinary", "spring forward", "fall back"],
)
def test_quiet_hours_hold_at_every_hour_of_the_day(api, aurora, chat_rule, day):
    ContactPolicy.objects.create(organization=aurora, min_days_between_invitations=0)
    chat_rule.quiet_start, chat_rule.quiet_end = time(21, 0), time(8, 0)
    chat_rule.save()

    for hour in range(24):
        clock = datetime.combine(day, time(hour, 0), tzinfo=UTC)
        with time_machine.travel(clock, tick=False):
            post(api, chat_event(hour))
        invitation = Invitation.objects.get(customer__external_id=f"c-{hour}")

        assert invitation.due_at == brute_force(clock, time(21, 0), time(8, 0)), hour
        local = invitation.due_at.astimezone(aurora.tzinfo)
        assert time(8, 0) <= local.time() < time(21, 0), hour
