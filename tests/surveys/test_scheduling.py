"""Quiet hours in local time, right across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from surveys.scheduling import due_at, in_quiet_hours, next_allowed

HELSINKI = ZoneInfo("Europe/Helsinki")
NIGHT = (time(21, 0), time(8, 0))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        (time(20, 59), False),
        (time(21, 0), True),
        (time(3, 0), True),
        (time(8, 0), False),
    ],
)
def test_quiet_period_spanning_midnight(clock, quiet):
    assert in_quiet_hours(clock, *NIGHT) is quiet


def test_daytime_quiet_period():
    assert in_quiet_hours(time(12, 30), time(12, 0), time(13, 0))
    assert not in_quiet_hours(time(13, 0), time(12, 0), time(13, 0))


def test_a_send_outside_quiet_hours_is_unchanged():
    moment = local(2026, 6, 10, 14, 0)
    assert next_allowed(moment, HELSINKI, *NIGHT) == moment.astimezone(UTC)


def test_a_late_evening_send_moves_to_next_morning():
    moment = local(2026, 6, 10, 22, 30)

    assert next_allowed(moment, HELSINKI, *NIGHT) == local(
        2026, 6, 11, 8, 0
    ).astimezone(UTC)


def test_an_early_morning_send_moves_to_the_same_morning():
    moment = local(2026, 6, 11, 5, 0)

    assert next_allowed(moment, HELSINKI, *NIGHT) == local(
        2026, 6, 11, 8, 0
    ).astimezone(UTC)


def test_spring_forward_night_wakes_at_eight_local_which_is_five_utc():
    # 29 March 2026: clocks go from 03:00 to 04:00 in Helsinki (UTC+2 → UTC+3).
    evening = local(2026, 3, 28, 23, 0)  # UTC+2

    wake = next_allowed(evening, HELSINKI, *NIGHT)

    assert wake == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)  # 08:00 at UTC+3
    assert wake.astimezone(HELSINKI).hour == 8


def test_fall_back_night_wakes_at_eight_local_which_is_six_utc():
    # 25 October 2026: clocks go from 04:00 back to 03:00 (UTC+3 → UTC+2).
    evening = local(2026, 10, 24, 22, 0)  # UTC+3

    wake = next_allowed(evening, HELSINKI, *NIGHT)

    assert wake == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)  # 08:00 at UTC+2
    assert wake.astimezone(HELSINKI).hour == 8


def test_a_quiet_end_inside_the_skipped_hour_moves_to_the_first_real_moment():
    # Quiet until 03:30, which does not exist on 29 March 2026 in Helsinki.
    wake = next_allowed(local(2026, 3, 29, 1, 0), HELSINKI, time(0, 0), time(3, 30))

    assert wake.astimezone(HELSINKI).hour == 4  # 03:30 is skipped: 04:30 local
    assert wake > local(2026, 3, 29, 1, 0).astimezone(UTC)


def test_delay_is_added_before_quiet_hours_apply():
    occurred = local(2026, 6, 10, 20, 30)

    due = due_at(
        occurred,
        delay=timedelta(hours=1),
        zone=HELSINKI,
        quiet_start=NIGHT[0],
        quiet_end=NIGHT[1],
    )

    assert due == local(2026, 6, 11, 8, 0).astimezone(UTC)


def test_no_quiet_hours_means_only_the_delay():
    occurred = datetime(2026, 6, 10, 20, 30, tzinfo=UTC)

    due = due_at(
        occurred, delay=timedelta(0), zone=HELSINKI, quiet_start=None, quiet_end=None
    )

    assert due == occurred
