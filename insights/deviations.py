"""Deviation alerts: a touchpoint whose score fell for real, not by chance.

The rule, stated once: a touchpoint deviates when, for a score metric, its estimate over
the last RECENT_DAYS and its baseline over the BASELINE_DAYS before that both have at
least the minimum sample, the recent value is lower, and the two 95 % intervals do not
overlap (the recent interval's top lies below the baseline interval's bottom). Non-
overlapping intervals is a conservative test (at the 95 % level it errs towards silence),
which is what an alert that interrupts an owner should do: a drop inside the noise of a
small sample never fires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from cx.models import Organization
from insights.metrics import Metric
from insights.selectors import MetricRow, metric_rows

RECENT_DAYS = 7
BASELINE_DAYS = 56
WATCHED = (Metric.NPS, Metric.CSAT, Metric.CES)


@dataclass(frozen=True)
class Interval:
    value: float | None
    low: float | None
    high: float | None


def is_deviation(recent: Interval, baseline: Interval) -> bool:
    """Return whether ``recent`` fell below ``baseline`` beyond both intervals."""
    if (
        recent.value is None
        or recent.high is None
        or baseline.value is None
        or baseline.low is None
    ):
        return False  # hidden below the minimum sample, or no interval: say nothing
    return recent.value < baseline.value and recent.high < baseline.low


@dataclass(frozen=True)
class Deviation:
    touchpoint: dict[str, object]
    metric: Metric
    recent: MetricRow
    baseline: MetricRow


def _interval(row: MetricRow) -> Interval:
    return Interval(row.value, row.ci_low, row.ci_high)


def deviations(
    *, organization: Organization, now: datetime | None = None
) -> list[Deviation]:
    """Return the touchpoints whose watched scores deviate now (see the module rule)."""
    now = now or timezone.now()
    split = now - timedelta(days=RECENT_DAYS)
    start = split - timedelta(days=BASELINE_DAYS)
    found = []
    for metric in WATCHED:
        periods = [
            {
                row.groups["touchpoint"]["id"]: row  # type: ignore[index]
                for row in metric_rows(
                    organization=organization,
                    metric=metric,
                    group_by=["touchpoint"],
                    since=since,
                    until=until,
                )
                if row.groups.get("touchpoint")
            }
            for since, until in ((split, now), (start, split))
        ]
        recent, baseline = periods
        for touchpoint_id, row in recent.items():
            before = baseline.get(touchpoint_id)
            if before is not None and is_deviation(_interval(row), _interval(before)):
                found.append(
                    Deviation(row.groups["touchpoint"], metric, row, before)  # type: ignore[arg-type]
                )
    return found
