"""Quiet hours at every hour of the day and across both DST changes in Helsinki.

Pure: ``next_allowed`` is checked against a brute-force answer (step a minute at a time
until the local wall clock leaves the quiet period), at each full hour 00–23 UTC of an
ordinary day, the spring-forward day and the fall-back day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from surveys.scheduling import due_at, in_quiet_hours, next_allowed

HELSINKI = ZoneInfo("Europe/Helsinki")
NIGHT = (time(21, 0), time(8, 0))
LUNCH = (time(12, 0), time(13, 0))
DAYS = {
    "ordinary": date(2026, 6, 10),
    "spring forward": date(2026, 3, 29),  # last Sunday of March: 03:00 → 04:00
    "fall back": date(2026, 10, 25),  # last Sunday of October: 04:00 → 03:00
}


def brute_force(moment: datetime, start: time, end: time) -> datetime:
    """Return the first whole minute from ``moment`` whose local time is not quiet."""
    step = moment
    while True:
        clock = step.astimezone(HELSINKI).time()
        quiet = start <= clock < end if start < end else (clock >= start or clock < end)
        if not quiet:
            return step
        step += timedelta(minutes=1)


@pytest.mark.parametrize("day", DAYS.values(), ids=DAYS.keys())
@pytest.mark.parametrize("hour", range(24))
@pytest.mark.parametrize("quiet", [NIGHT, LUNCH], ids=["night", "lunch"])
def test_every_hour_of_the_day_waits_exactly_until_the_quiet_period_ends(
    day: date, hour: int, quiet: tuple[time, time]
) -> None:
    for minute in (0, 30, 59):
        moment = datetime.combine(day, time(hour, minute), tzinfo=UTC)

        allowed = next_allowed(moment, HELSINKI, *quiet)

        assert allowed == brute_force(moment, *quiet)
        assert allowed.tzinfo == UTC
        assert not in_quiet_hours(allowed.astimezone(HELSINKI).time(), *quiet)


@pytest.mark.parametrize("hour", range(24))
def test_the_delay_is_added_before_quiet_hours_are_applied(hour: int) -> None:
    occurred = datetime(2026, 10, 24, hour, 0, tzinfo=UTC)
    delay = timedelta(hours=2)

    due = due_at(
        occurred, delay=delay, zone=HELSINKI, quiet_start=NIGHT[0], quiet_end=NIGHT[1]
    )

    assert due == brute_force(occurred + delay, *NIGHT)


@pytest.mark.parametrize("hour", range(24))
def test_without_quiet_hours_every_hour_is_allowed(hour: int) -> None:
    moment = datetime(2026, 3, 29, hour, 0, tzinfo=UTC)

    assert next_allowed(moment, HELSINKI, None, time(8, 0)) == moment
    assert next_allowed(moment, HELSINKI, time(21, 0), None) == moment
    assert next_allowed(moment, HELSINKI, time(8, 0), time(8, 0)) == moment
    assert next_allowed(moment, HELSINKI, None, None).tzinfo == UTC


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        (time(20, 59, 59), False),
        (time(21, 0), True),
        (time(23, 59, 59), True),
        (time(0, 0), True),
        (time(7, 59, 59), True),
        (time(8, 0), False),
        (time(12, 0), False),
    ],
)
def test_the_night_period_one_second_either_side_of_its_edges(
    clock: time, quiet: bool
) -> None:
    assert in_quiet_hours(clock, *NIGHT) is quiet


@pytest.mark.parametrize(
    ("clock", "quiet"),
    [
        (time(11, 59, 59), False),
        (time(12, 0), True),
        (time(12, 59, 59), True),
        (time(13, 0), False),
        (time(0, 0), False),
        (time(23, 0), False),
    ],
)
def test_a_daytime_period_one_second_either_side_of_its_edges(
    clock: time, quiet: bool
) -> None:
    assert in_quiet_hours(clock, *LUNCH) is quiet


def test_an_equal_start_and_end_is_never_quiet() -> None:
    assert not any(
        in_quiet_hours(time(hour, 0), time(8, 0), time(8, 0)) for hour in range(24)
    )
