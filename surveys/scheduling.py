"""When an invitation may be sent: delays and quiet hours in the organisation's time zone.

Pure: datetimes in, datetimes out, no database. Quiet hours are local wall-clock times
("no email 21:00–08:00"); a send that falls inside them moves to the end of the quiet
period, computed in local time and converted back, so it is right across DST changes.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet_hours(local: time, start: time, end: time) -> bool:
    """Return whether the local wall-clock time ``local`` lies in [start, end)."""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the quiet period spans midnight


def next_allowed(
    moment: datetime, zone: ZoneInfo, start: time | None, end: time | None
) -> datetime:
    """Return ``moment``, or the end of the quiet period it falls in (aware, UTC)."""
    moment = moment.astimezone(UTC)
    if start is None or end is None:
        return moment
    local = moment.astimezone(zone)
    if not in_quiet_hours(local.time(), start, end):
        return moment
    day = local.date()
    if start > end and local.time() >= start:
        day += timedelta(days=1)  # late evening: quiet until tomorrow morning
    wake = datetime.combine(day, end)
    # A wall-clock time skipped by a spring-forward change does not exist; fold=0 with
    # zoneinfo maps it forward by the gap, which is the earliest real moment after it.
    return wake.replace(tzinfo=zone).astimezone(UTC)


def due_at(
    occurred: datetime,
    *,
    delay: timedelta,
    zone: ZoneInfo,
    quiet_start: time | None,
    quiet_end: time | None,
) -> datetime:
    """Return when an invitation for an event at ``occurred`` may first be sent."""
    return next_allowed(occurred + delay, zone, quiet_start, quiet_end)
