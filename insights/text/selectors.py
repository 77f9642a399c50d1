"""Reads of comment understanding: themes ranked by impact, sentiment, key drivers."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.formats import get_format

from cx.models import Journey, Organization, Touchpoint
from insights.text import drivers, impact
from insights.text.models import CommentAnalysis, ResponseTheme, TextModel, Theme
from insights.text.services import latest_model
from surveys.models import Answer, Response, ResponseSegment

# Key drivers of unchanged inputs are kept this long (the inputs are the key).
DRIVERS_CACHE_SECONDS = 24 * 3600

METRICS = ("nps", "ces")


@dataclass(frozen=True)
class Scope:
    """Which responses a figure is about; empty means all of the organisation's."""

    journey: int | None = None
    touchpoint: int | None = None
    segment: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def responses(self, organization: Organization) -> QuerySet[Response]:
        responses = Response.objects.for_organization(organization).filter(
            state=Response.State.COMPLETED
        )
        if self.journey:
            responses = responses.filter(journey_id=self.journey)
        if self.touchpoint:
            responses = responses.filter(touchpoint_id=self.touchpoint)
        if self.segment:
            responses = responses.filter(segments__key=self.segment)
        if self.since:
            responses = responses.filter(completed_at__gte=self.since)
        if self.until:
            responses = responses.filter(completed_at__lt=self.until)
        return responses


@dataclass(frozen=True)
class ThemeRow:
    theme: Theme
    volume: int  # comments with the theme
    share: float  # of the comments in scope, 0…1
    impact: impact.Impact

    @property
    def percent(self) -> float:
        return 100 * self.share

    @property
    def change_shown(self) -> str:
        """Return the impact with its sign ("+6.6", "−10.2")."""
        change = self.impact.change
        return "" if change is None else _points(change, signed=True)

    @property
    def interval_shown(self) -> str:
        """Return the impact's 95 % interval as the change is written ("−7.0 … −4.3")."""
        low, high = self.impact.ci_low, self.impact.ci_high
        if low is None or high is None:
            return ""
        return f"{_points(low)} … {_points(high)}"

    @property
    def rank_key(self) -> float:
        return abs(self.impact.change) if self.impact.change is not None else -1.0


def _points(value: float, *, signed: bool = False) -> str:
    """Return NPS points to one decimal, with a true minus and the language's comma."""
    figure = f"{value:+.1f}" if signed else f"{value:.1f}"
    return figure.replace("-", "−").replace(".", str(get_format("DECIMAL_SEPARATOR")))


def themes_of(organization: Organization) -> QuerySet[Theme]:
    """Return the organisation's themes a person can pick (active, not merged away)."""
    return Theme.objects.for_organization(organization).filter(
        active=True, merged_into__isnull=True
    )


def _scores(responses: QuerySet[Response], metric: str) -> dict[int, int]:
    scores: dict[int, int] = {}
    for response_id, number in Answer.objects.filter(
        response__in=responses, question__type=metric, number__isnull=False
    ).values_list("response_id", "number"):
        if number is not None:  # always, by number__isnull=False
            scores.setdefault(response_id, number)
    return scores


def theme_impacts(
    *,
    organization: Organization,
    metric: str = "nps",
    scope: Scope = Scope(),
    limit: int | None = None,
) -> list[ThemeRow]:
    """Return the themes in ``scope`` with volume, share and impact, the largest first."""
    responses = scope.responses(organization)
    comments = CommentAnalysis.objects.filter(response__in=responses).count()
    members: dict[int, set[int]] = {}
    for theme_id, response_id in ResponseTheme.objects.filter(
        response__in=responses, theme__active=True, theme__merged_into__isnull=True
    ).values_list("theme_id", "response_id"):
        members.setdefault(theme_id, set()).add(response_id)
    if not members:  # no theme in scope: nothing to weigh the scores against
        return []
    scores = _scores(responses, metric)
    ids = np.fromiter(scores, dtype=np.int64, count=len(scores))
    values = np.fromiter(scores.values(), dtype=float, count=len(scores))
    rows = []
    for theme in themes_of(organization).filter(pk__in=members):
        held = members[theme.pk]
        has_theme = np.fromiter((pk in held for pk in ids), dtype=bool, count=ids.size)
        rows.append(
            ThemeRow(
                theme=theme,
                volume=len(held),
                share=len(held) / comments if comments else 0.0,
                impact=impact.theme_impact(metric, values, has_theme, seed=theme.pk),
            )
        )
    rows.sort(key=lambda row: (row.rank_key, row.volume), reverse=True)
    return rows[:limit] if limit else rows


@dataclass(frozen=True)
class SentimentSummary:
    model: TextModel | None
    counts: dict[str, int]
    disagreeing: int

    @property
    def published(self) -> bool:
        return self.model is not None and self.model.sentiment_published


def sentiment_summary(
    *, organization: Organization, scope: Scope = Scope()
) -> SentimentSummary:
    """Return the sentiment model's validation and the comments by sentiment."""
    analyses = CommentAnalysis.objects.filter(
        response__in=scope.responses(organization)
    )
    counts = Counter(analyses.values_list("sentiment", flat=True))
    return SentimentSummary(
        model=latest_model(organization),
        counts=dict(counts),
        disagreeing=analyses.filter(disagrees=True).count(),
    )


@dataclass(frozen=True)
class DriverRow:
    kind: str  # touchpoint | theme | segment
    name: str
    driver: drivers.Driver
    performance: float | None  # the metric among the responses with the driver
    n: int
    href_query: str  # feedback-list filter for the driver's responses

    @property
    def percent(self) -> float:
        return 100 * self.driver.importance

    @property
    def percent_low(self) -> float:
        return 100 * self.driver.ci_low

    @property
    def percent_high(self) -> float:
        return 100 * self.driver.ci_high


MAX_TOUCHPOINTS = 4
# A driver analysis reads at most this many of its scope's latest scored answers:
# enough for narrow intervals, and the same work for a journey of 2,000 answers as for
# one of a million (the dashboard ranks every journey on each view).
DRIVER_SAMPLE = 10_000
MAX_THEMES = 3
MAX_SEGMENTS = 1


def key_drivers(
    *,
    organization: Organization,
    journey: Journey,
    metric: str = "nps",
    scope: Scope | None = None,
    bootstrap: int = drivers.BOOTSTRAP,
) -> list[DriverRow]:
    """Return what drives ``journey``'s score: its touchpoints, themes and a segment."""
    scope = scope or Scope(journey=journey.pk)
    latest = _latest_scores(scope.responses(organization), metric)
    if len(latest) < drivers.MIN_RESPONSES:
        return []
    ids = list(latest)
    scores = {pk: score for pk, (score, _touchpoint) in latest.items()}
    columns: list[tuple[str, str, set[int], str]] = []
    by_touchpoint = Counter(touchpoint for _score, touchpoint in latest.values())
    names = dict(
        Touchpoint.objects.filter(
            pk__in=[pk for pk in by_touchpoint if pk is not None]
        ).values_list("pk", "name")
    )
    for pk, _count in by_touchpoint.most_common(MAX_TOUCHPOINTS):
        if pk is not None:
            held = {rid for rid, (_score, tp) in latest.items() if tp == pk}
            columns.append(("touchpoint", names[pk], held, f"touchpoint={pk}"))
    themed: dict[int, set[int]] = {}
    for theme_id, response_id in ResponseTheme.objects.filter(
        response_id__in=ids, theme__active=True, theme__merged_into__isnull=True
    ).values_list("theme_id", "response_id"):
        themed.setdefault(theme_id, set()).add(response_id)
    top = sorted(themed, key=lambda pk: len(themed[pk]), reverse=True)[:MAX_THEMES]
    labels = dict(Theme.objects.filter(pk__in=top).values_list("pk", "label"))
    for pk in top:
        columns.append(("theme", labels[pk], themed[pk], f"theme={pk}"))
    segmented: dict[str, set[int]] = {}
    for key, response_id in ResponseSegment.objects.filter(
        response_id__in=ids
    ).values_list("key", "response_id"):
        segmented.setdefault(key, set()).add(response_id)
    for key in sorted(segmented, key=lambda k: len(segmented[k]), reverse=True)[
        :MAX_SEGMENTS
    ]:
        columns.append(("segment", key, segmented[key], f"segment={key}"))
    if not columns:
        return []
    y = np.array([scores[pk] for pk in ids], dtype=float)
    x = np.array([[pk in held for *_, held, _q in columns] for pk in ids], dtype=float)
    found = _drivers_of(x, y, bootstrap)
    rows = []
    for driver in found:
        kind, name, held, query = columns[int(driver.name)]
        mask = x[:, int(driver.name)] > 0
        rows.append(
            DriverRow(
                kind=kind,
                name=name,
                driver=driver,
                performance=impact.value_of(metric, y[mask]),
                n=int(mask.sum()),
                href_query=query,
            )
        )
    return rows


def _latest_scores(
    responses: QuerySet[Response], metric: str
) -> dict[int, tuple[int, int | None]]:
    """Return the latest ``DRIVER_SAMPLE`` scored responses: id → (score, touchpoint).

    Newest first, each response's first answer of the metric; one query, however many
    answers the scope holds.
    """
    answers = (
        Answer.objects.filter(
            response__in=responses, question__type=metric, number__isnull=False
        )
        .order_by("-response__completed_at", "-response_id", "pk")
        .values_list("response_id", "number", "response__touchpoint_id")
    )
    latest: dict[int, tuple[int, int | None]] = {}
    for response_id, number, touchpoint_id in answers[: 2 * DRIVER_SAMPLE].iterator():
        if number is not None and response_id not in latest:  # not None: filtered
            latest[response_id] = (number, touchpoint_id)
            if len(latest) == DRIVER_SAMPLE:
                break
    return latest


def _drivers_of(x: np.ndarray, y: np.ndarray, bootstrap: int) -> list[drivers.Driver]:
    """Return ``drivers.key_drivers`` of the matrix, computed once per distinct input.

    The bootstrap is seeded, so equal inputs give equal drivers: the result is cached
    under a digest of the inputs themselves (a new answer or theme changes the key), and
    the dashboard's ranking and the themes page do not recompute it on every view.
    """
    digest = hashlib.sha256()
    for part in (x.shape, x.tobytes(), y.tobytes(), bootstrap):
        digest.update(repr(part).encode() if not isinstance(part, bytes) else part)
    key = f"insights:drivers:{digest.hexdigest()}"
    found: list[drivers.Driver] | None = cache.get(key)
    if found is None:
        names = [f"{i}" for i in range(x.shape[1])]
        found = drivers.key_drivers(x, y, names, bootstrap=bootstrap)
        cache.set(key, found, timeout=DRIVERS_CACHE_SECONDS)
    return found


def themes_panel(
    *,
    organization: Organization,
    journey: int | None = None,
    segment: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 5,
) -> list[ThemeRow]:
    """Return the dashboard's Themes panel: the period's themes of largest NPS impact."""
    return theme_impacts(
        organization=organization,
        scope=Scope(journey=journey, segment=segment, since=since, until=until),
        limit=limit,
    )
