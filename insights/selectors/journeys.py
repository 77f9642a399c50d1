"""Journey scores, targets, and the journeys that fall furthest short of them.

A journey's score pools its touchpoints' counts, which weighs each touchpoint by its
volume; the ranking weighs each journey's gap to target by its volume too, so that
attention goes where the most customers are let down.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cx.models import Organization
from insights import metrics
from insights.metrics import Counts, Metric, Result
from insights.models import MetricTarget
from insights.selectors.rows import Label, MetricRow, metric_rows, min_sample


@dataclass(frozen=True)
class JourneyScore:
    """A journey's score: its touchpoints' counts pooled, so weighted by their volume."""

    journey: Label
    counts: Counts
    result: Result
    touchpoints: list[MetricRow] = field(default_factory=list)


def journey_scores(
    *,
    organization: Organization,
    metric: Metric | str = Metric.NPS,
    since: datetime | None = None,
    until: datetime | None = None,
    filters: Mapping[str, object] | None = None,
) -> list[JourneyScore]:
    """Return one score per journey from its touchpoints' scores, weighted by volume.

    Answers with no journey (a public link, say) belong to no journey score.
    """
    metric = Metric(metric)
    rows = metric_rows(
        organization=organization,
        metric=metric,
        group_by=["journey", "touchpoint"],
        since=since,
        until=until,
        filters=filters,
    )
    by_journey: dict[int, list[MetricRow]] = defaultdict(list)
    journeys: dict[int, Label] = {}
    for row in rows:
        journey = row.groups["journey"]
        if isinstance(journey, dict):
            journeys[journey["id"]] = journey
            by_journey[journey["id"]].append(row)
    threshold = min_sample()
    scores = []
    for journey_id, touchpoint_rows in by_journey.items():
        pooled = metrics.combine(row.counts for row in touchpoint_rows)
        scores.append(
            JourneyScore(
                journey=journeys[journey_id],
                counts=pooled,
                result=metrics.evaluate(metric, pooled, threshold),
                touchpoints=touchpoint_rows,
            )
        )
    scores.sort(key=lambda score: str(score.journey["name"]).casefold())
    return scores


@dataclass(frozen=True)
class Target:
    """A metric's target; ``is_default`` when the organisation has set none."""

    metric: Metric
    value: float
    is_default: bool


def targets_of(*, organization: Organization) -> dict[Metric, Target]:
    """Return the organisation's targets by metric, with the defaults where none is set."""
    found = {
        Metric(metric): Target(Metric(metric), value, is_default=False)
        for metric, value in MetricTarget.objects.for_organization(
            organization
        ).values_list("metric", "value")
    }
    for metric, value in metrics.DEFAULT_TARGETS.items():
        found.setdefault(Metric(metric), Target(Metric(metric), value, is_default=True))
    return found


def target_for(*, organization: Organization, metric: Metric | str) -> float | None:
    """Return the organisation's target for ``metric``, else the default (NPS 30)."""
    metric = Metric(metric)
    value = (
        MetricTarget.objects.for_organization(organization)
        .filter(metric=metric)
        .values_list("value", flat=True)
        .first()
    )
    return value if value is not None else metrics.DEFAULT_TARGETS.get(metric)


@dataclass(frozen=True)
class Underperformer:
    """A journey below target; ``priority`` is (target − score) × its answers."""

    journey: Label
    score: float
    n: int
    target: float
    priority: float
    target_is_default: bool = False


def underperforming_journeys(
    *,
    organization: Organization,
    metric: Metric | str = Metric.NPS,
    since: datetime | None = None,
    until: datetime | None = None,
    filters: Mapping[str, object] | None = None,
) -> list[Underperformer]:
    """Return journeys scoring below target, the heaviest (target − score) × volume first.

    Journeys without enough answers have no score and are left out, as is every journey
    of a metric with no target.
    """
    metric = Metric(metric)
    set_target = targets_of(organization=organization).get(metric)
    if set_target is None:
        return []
    target = set_target.value
    found = []
    for score in journey_scores(
        organization=organization,
        metric=metric,
        since=since,
        until=until,
        filters=filters,
    ):
        value, volume = score.result.value, score.counts.n
        if value is None or value >= target:
            continue
        found.append(
            Underperformer(
                journey=score.journey,
                score=value,
                n=volume,
                target=target,
                priority=metrics.shortfall(target, value, volume),
                target_is_default=set_target.is_default,
            )
        )
    found.sort(key=lambda journey: journey.priority, reverse=True)
    return found
