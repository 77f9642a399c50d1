"""The assessment's period: where it starts, and how much history it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from cx.models import Organization
from maturity.method import TREND_SPAN_DAYS


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def weeks(self) -> int:
        return max(1, round((self.end - self.start) / timedelta(days=7)))

    def week_windows(self) -> list[tuple[datetime, datetime]]:
        """Return the period cut at each week's start (Monday 00:00, current time zone).

        The windows are the calendar weeks the period touches, clipped to the period,
        as ``TruncWeek`` would group its instants.
        """
        zone = timezone.get_current_timezone()
        first = timezone.localtime(self.start, zone).date()
        monday = first - timedelta(days=first.weekday())
        windows = []
        start = self.start
        while start < self.end:
            monday += timedelta(days=7)
            end = min(datetime.combine(monday, time(), tzinfo=zone), self.end)
            windows.append((start, end))
            start = end
        return windows

    def trend_spans(self) -> list[tuple[datetime, datetime]]:
        """Return the period's whole spans of ``TREND_SPAN_DAYS``, counted back from its end.

        A remainder shorter than a span at the start is left out; a period shorter than
        one span is one span of its own (a short history is judged on what it holds).
        """
        span = timedelta(days=TREND_SPAN_DAYS)
        spans = []
        end = self.end
        while end - span >= self.start:
            spans.append((end - span, end))
            end -= span
        return spans[::-1] or [(self.start, self.end)]


@dataclass(frozen=True)
class History:
    """How the assessed period relates to the period asked for."""

    requested_start: datetime
    first_data: datetime | None  # the first live answer before the period's end
    period: Period

    @property
    def clipped(self) -> bool:
        """Whether the period starts later than asked: at the first live data."""
        return self.period.start > self.requested_start

    @property
    def days(self) -> int:
        """Return the period's length in whole days, rounded to the nearest."""
        return max(0, round((self.period.end - self.period.start) / timedelta(days=1)))

    @property
    def weeks(self) -> int:
        return round(self.days / 7)


def period_from_first_data(organization: Organization, requested: Period) -> History:
    """Return the period asked for, started no earlier than the first live answer.

    Weeks before the organisation had any data are not silent weeks: counted, they would
    fail "continuous listening" for an organisation that has listened every week since
    it began. Imported history does not count as a start (it is a claim about the past).
    """
    from maturity.evidence.listening import live_answers

    first = (
        live_answers(organization)
        .filter(completed_at__lt=requested.end)
        .order_by("completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )
    start = requested.start
    if first is not None and requested.start < first < requested.end:
        start = first
    return History(requested.start, first, Period(start, requested.end))
