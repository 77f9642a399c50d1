"""The headline cards: NPS, CSAT, CES, FCR and response rate over the period.

Each card is ``insights.selectors.metric_rows`` ungrouped, the very read behind
``GET /api/v1/metrics/`` with the same period and filters, once for the period and once
for the period before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from insights.dashboard.figures import Figure, shown
from insights.dashboard.period import DashboardQuery
from insights.metrics import DEFINITIONS, Metric, Result, Source
from insights.selectors import MetricRow, Target, metric_rows

HEADLINE_METRICS = (
    Metric.NPS,
    Metric.CSAT,
    Metric.CES,
    Metric.FCR,
    Metric.RESPONSE_RATE,
)
SHORT_NAMES = {
    Metric.NPS: "NPS",
    Metric.CSAT: "CSAT",
    Metric.CES: "CES",
    Metric.FCR: "FCR",
}


def short_name(metric: Metric) -> str:
    """Return the name a card is headed with (the abbreviation, or the words)."""
    return SHORT_NAMES.get(metric) or _("Response rate")


@dataclass(frozen=True)
class Headline:
    """One headline card."""

    figure: Figure
    name: str
    description: str
    target: Target | None
    # Why the metric cannot be shown for these filters (the response rate by segment).
    unavailable: str = ""
    # For the response rate: the invitations answered, the answers its link opens.
    answered: int = 0

    @property
    def metric(self) -> str:
        return self.figure.metric.value

    @property
    def target_value(self) -> str:
        return (
            "" if self.target is None else shown(self.figure.metric, self.target.value)
        )

    @property
    def meets_target(self) -> bool | None:
        value = self.figure.current.value
        if self.target is None or value is None:
            return None
        return value >= self.target.value


def _total(query: DashboardQuery, metric: Metric, *, previous: bool) -> MetricRow:
    return metric_rows(
        organization=query.organization,
        metric=metric,
        group_by=[],
        since=query.previous_since if previous else query.since,
        until=query.since if previous else query.until,
        filters=query.filters(),
    )[0]


def _result(row: MetricRow) -> Result:
    return Result(row.n, row.value, row.ci_low, row.ci_high, row.reason)


def headlines(
    *, query: DashboardQuery, targets: dict[Metric, Target]
) -> list[Headline]:
    """Return a card per headline metric, for the query's period and filters."""
    cards = []
    for metric in HEADLINE_METRICS:
        definition = DEFINITIONS[metric]
        by_invitation = definition.source is Source.INVITATIONS
        if by_invitation and query.segment is not None:
            empty = Result(0, None, None, None)
            cards.append(
                Headline(
                    Figure(metric, empty, empty),
                    short_name(metric),
                    str(definition.label),
                    targets.get(metric),
                    unavailable=_(
                        "Not by segment: segments are recorded when a response is "
                        "completed, so unanswered invitations have none."
                    ),
                )
            )
            continue
        current = _total(query, metric, previous=False)
        figure = Figure(
            metric,
            _result(current),
            _result(_total(query, metric, previous=True)),
            href=query.feedback_url(metric=metric.value),
            previous_href=query.feedback_url(metric=metric.value, previous=True),
        )
        cards.append(
            Headline(
                figure,
                short_name(metric),
                str(definition.label),
                targets.get(metric),
                answered=current.counts.successes if by_invitation else 0,
            )
        )
    return cards
