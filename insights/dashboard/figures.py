"""One figure of the dashboard: a metric's value now and in the period before, as shown.

The same value, interval, n and change read the same on a headline card, a journey's
touchpoint and a chart's description: formatted here once, per metric.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.formats import get_format
from django.utils.translation import gettext as _

from insights.metrics import DEFINITIONS, Kind, Metric, Result

Z95 = 1.959963984540054


def shown(metric: Metric, value: float | None) -> str:
    """Return ``value`` as the dashboard writes it: NPS ±n, CES 5.4, others n %."""
    if value is None:
        return "–"
    kind = DEFINITIONS[metric].kind
    if kind is Kind.NPS:
        return f"{value:+.0f}".replace("-", "−") if round(value) else "0"
    if kind is Kind.MEAN:
        return _decimal(f"{value:.1f}")
    return f"{value:.0f} %"


def _decimal(figure: str) -> str:
    """Return ``figure`` with the decimal separator of the active language."""
    return figure.replace(".", str(get_format("DECIMAL_SEPARATOR")))


def change_shown(metric: Metric, change: float) -> str:
    """Return a change between periods: NPS points, CES units, percentage points."""
    kind = DEFINITIONS[metric].kind
    figure = f"{change:+.1f}" if kind is Kind.MEAN else f"{change:+.0f}"
    figure = _decimal(figure.replace("-", "−"))
    if kind is Kind.PROPORTION:
        return _("%(change)s pp") % {"change": figure}
    if kind is Kind.NPS:
        return _("%(change)s points") % {"change": figure}
    return figure


def _standard_error(result: Result) -> float | None:
    if result.ci_low is None or result.ci_high is None:
        return None
    return (result.ci_high - result.ci_low) / (2 * Z95)


@dataclass(frozen=True)
class Figure:
    """A metric over the period and the one before it, with where to read the answers."""

    metric: Metric
    current: Result
    previous: Result
    href: str = ""
    previous_href: str = ""

    @property
    def value(self) -> str:
        return shown(self.metric, self.current.value)

    @property
    def interval(self) -> str:
        if self.current.ci_low is None or self.current.ci_high is None:
            return ""
        low = shown(self.metric, self.current.ci_low)
        high = shown(self.metric, self.current.ci_high)
        return f"{low} … {high}"

    @property
    def previous_value(self) -> str:
        return shown(self.metric, self.previous.value)

    @property
    def change(self) -> float | None:
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value

    @property
    def change_text(self) -> str:
        change = self.change
        return "" if change is None else change_shown(self.metric, change)

    @property
    def direction(self) -> str:
        """Return "up", "down" or "flat" (rounded to what is shown)."""
        change = self.change
        if change is None:
            return ""
        digits = 1 if DEFINITIONS[self.metric].kind is Kind.MEAN else 0
        rounded = round(change, digits)
        return "up" if rounded > 0 else "down" if rounded < 0 else "flat"

    @property
    def significant(self) -> bool:
        """Return whether the change exceeds what chance alone would give (95 %)."""
        change = self.change
        now, before = (
            _standard_error(self.current),
            _standard_error(self.previous),
        )
        if change is None or now is None or before is None:
            return False
        spread = math.sqrt(now * now + before * before)
        return spread > 0 and abs(change) / spread > Z95
