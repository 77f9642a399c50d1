"""The dashboard's "journeys to fix first": shortfall × volume, and what drives it.

A journey below its NPS target starts from its shortfall, (target − score) × answers
(insights.selectors.underperforming_journeys). Its key drivers (insights.text.drivers:
touchpoints, themes and a segment, by Shapley share of R² with a bootstrap interval)
then add what fixing each would win back: a driver whose importance is significant
(its interval excludes 0) and whose own score is below the target adds importance ×
(target − its score) × its answers. A journey whose shortfall has one clear cause so
ranks above one whose low scores are spread thin, and the page says which cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from cx.models import Journey
from cx.names import localized_name
from insights.dashboard.figures import shown
from insights.dashboard.period import DashboardQuery
from insights.metrics import Metric
from insights.selectors import Underperformer, underperforming_journeys
from insights.text.selectors import DriverRow, Scope, key_drivers

# Fewer draws than the themes page: the ranking needs the drivers that stand out, on a
# page that refreshes; the themes page shows the full intervals.
BOOTSTRAP = 60


@dataclass(frozen=True)
class Pull:
    """What fixing one driver of a journey would win back, in the shortfall's units."""

    row: DriverRow
    points: float


@dataclass(frozen=True)
class Ranked:
    journey: Underperformer
    pulls: list[Pull]

    @property
    def priority(self) -> float:
        return self.journey.priority + sum(pull.points for pull in self.pulls)

    @property
    def cause(self) -> Pull | None:
        return max(self.pulls, key=lambda pull: pull.points, default=None)


def pulls_of(rows: list[DriverRow], target: float) -> list[Pull]:
    """Return the drivers that hold the journey below ``target``, with their weight."""
    return [
        Pull(row, row.driver.importance * (target - row.performance) * row.n)
        for row in rows
        if row.driver.significant
        and row.performance is not None
        and row.performance < target
    ]


def ranked_journeys(
    *, query: DashboardQuery, bootstrap: int = BOOTSTRAP
) -> list[Ranked]:
    """Return the journeys below target, the most to win back first (module rule)."""
    organization = query.organization
    journeys = {
        journey.pk: journey
        for journey in Journey.objects.for_organization(organization)
    }
    ranked = []
    for item in underperforming_journeys(
        organization=organization,
        since=query.since,
        until=query.until,
        filters=query.filters(),
    ):
        journey = journeys[item.journey["id"]]
        rows = key_drivers(
            organization=organization,
            journey=journey,
            metric=Metric.NPS.value,
            scope=Scope(
                journey=journey.pk,
                segment=query.segment.key if query.segment is not None else "",
                since=query.since,
                until=query.until,
            ),
            bootstrap=bootstrap,
        )
        ranked.append(Ranked(item, pulls_of(rows, item.target)))
    ranked.sort(key=lambda entry: entry.priority, reverse=True)
    return ranked


def because(pull: Pull) -> str:
    """Return, in words, which driver holds the journey back and how much."""
    row = pull.row
    values = {
        "name": row.name,
        "share": f"{row.percent:.0f}",
        "score": shown(Metric.NPS, row.performance),
        "n": row.n,
    }
    if row.kind == "touchpoint":
        text = _(
            "Driven by the touchpoint “%(name)s”: it explains %(share)s %% of the "
            "journey's NPS variation, with NPS %(score)s over its %(n)s answers."
        )
    elif row.kind == "theme":
        text = _(
            "Driven by the theme “%(name)s”: it explains %(share)s %% of the "
            "journey's NPS variation, with NPS %(score)s over its %(n)s answers."
        )
    else:
        text = _(
            "Driven by the segment “%(name)s”: it explains %(share)s %% of the "
            "journey's NPS variation, with NPS %(score)s over its %(n)s answers."
        )
    return text % values


def fix_first(*, query: DashboardQuery) -> list[dict[str, Any]]:
    """Return the dashboard's "journeys to fix first", each with its cause in words."""
    journeys = {
        journey.pk: journey
        for journey in Journey.objects.for_organization(query.organization)
    }
    shown_items = []
    for entry in ranked_journeys(query=query):
        item = entry.journey
        cause = entry.cause
        shown_items.append(
            {
                "journey": {
                    **item.journey,
                    "name": localized_name(journeys.get(item.journey["id"]))
                    or item.journey["name"],
                },
                "score": shown(Metric.NPS, item.score),
                "target": shown(Metric.NPS, item.target),
                "target_is_default": item.target_is_default,
                "target_is_journeys": item.target_is_journeys,
                "n": item.n,
                "href": query.feedback_url(
                    metric=Metric.NPS.value, journey=item.journey["id"]
                ),
                "because": because(cause) if cause is not None else "",
                "because_href": _cause_url(query, item, cause),
            }
        )
    return shown_items


def _cause_url(query: DashboardQuery, item: Underperformer, cause: Pull | None) -> str:
    """Return the feedback list of the journey's answers that the cause holds."""
    if cause is None:
        return ""
    key, value = cause.row.href_query.split("=", 1)
    # The narrowing parameter is named by the cause's row; none of the flags is.
    narrower: dict[str, Any] = {key: value}
    return query.feedback_url(
        metric=Metric.NPS.value, journey=item.journey["id"], **narrower
    )
