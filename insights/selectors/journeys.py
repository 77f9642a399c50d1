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

from django.db.models import Q

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
    """A metric's target: the journey's own, else the organisation's, else the default."""

    metric: Metric
    value: float
    is_default: bool
    for_journey: bool = False


def targets_of(
    *, organization: Organization, journey: int | None = None
) -> dict[Metric, Target]:
    """Return the targets by metric that apply to ``journey`` (or to all journeys).

    A journey's own target comes first, then the organisation's, then the default.
    """
    rows = MetricTarget.objects.for_organization(organization).filter(
        Q(journey__isnull=True) | Q(journey_id=journey)
        if journey is not None
        else Q(journey__isnull=True)
    )
    found: dict[Metric, Target] = {}
    # The organisation's first, so that the journey's own replaces it.
    for metric, value, journey_id in sorted(
        rows.values_list("metric", "value", "journey_id"),
        key=lambda row: row[2] is not None,
    ):
        found[Metric(metric)] = Target(
            Metric(metric), value, is_default=False, for_journey=journey_id is not None
        )
    for metric, value in metrics.DEFAULT_TARGETS.items():
        found.setdefault(Metric(metric), Target(Metric(metric), value, is_default=True))
    return found


def _journey_targets(organization: Organization, metric: Metric) -> dict[int, float]:
    return dict(
        MetricTarget.objects.for_organization(organization)
        .filter(metric=metric, journey__isnull=False)
        .values_list("journey_id", "value")
    )


def target_for(*, organization: Organization, metric: Metric | str) -> float | None:
    """Return the organisation's target for ``metric``, else the default (NPS 30)."""
    metric = Metric(metric)
    value = (
        MetricTarget.objects.for_organization(organization)
        .filter(metric=metric, journey__isnull=True)
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
    target_is_journeys: bool = False  # the journey's own, not the organisation's


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
    general = targets_of(organization=organization).get(metric)
    own = _journey_targets(organization, metric)
    if general is None and not own:
        return []
    found = []
    for score in journey_scores(
        organization=organization,
        metric=metric,
        since=since,
        until=until,
        filters=filters,
    ):
        value, volume = score.result.value, score.counts.n
        journey_target = own.get(score.journey["id"])
        if journey_target is not None:
            target = journey_target
        elif general is not None:
            target = general.value
        else:
            continue
        if value is None or value >= target:
            continue
        found.append(
            Underperformer(
                journey=score.journey,
                score=value,
                n=volume,
                target=target,
                priority=metrics.shortfall(target, value, volume),
                target_is_default=journey_target is None
                and general is not None
                and general.is_default,
                target_is_journeys=journey_target is not None,
            )
        )
    found.sort(key=lambda journey: journey.priority, reverse=True)
    return found
