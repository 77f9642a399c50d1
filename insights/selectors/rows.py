"""Metric rows: one aggregate query per call, intervals in Python.

The database does the counting (DESIGN.md §5: metrics are computed in the database):
``metric_rows`` sends one ``GROUP BY`` query whose rows are a few counts per group,
labels included, and ``insights.metrics`` turns each row into a value and its interval.
Every query starts from the organisation's own rows, so no other tenant's data is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, Trunc

from cx.models import Journey, Organization, Process, Segment, Touchpoint
from cx.models.journeys import Channel
from insights import metrics
from insights.metrics import DEFINITIONS, Counts, Metric, Result, Source
from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    ResponseSegment,
    Survey,
)

Label = dict[str, Any]

# Where each dimension lives, seen from a Response (answers reach it via "response__")
# and from an Invitation (whose touchpoint is its event's).
_RESPONSE_PATHS = {
    "touchpoint": "touchpoint_id",
    "journey": "journey_id",
    "process": "process_id",
    "survey": "survey_id",
    "segment": "segments__segment_id",
    "channel": "touchpoint__channel",
    "time": "completed_at",
}
_INVITATION_PATHS = {
    "touchpoint": "event__touchpoint_id",
    "journey": "event__touchpoint__journey_id",
    "process": "event__touchpoint__process_id",
    "survey": "survey_id",
    "channel": "event__touchpoint__channel",
    "time": "sent_at",
}
_NAMED: dict[str, type[Model]] = {
    "touchpoint": Touchpoint,
    "journey": Journey,
    "process": Process,
    "survey": Survey,
    "segment": Segment,
}
FILTERS = ("touchpoint", "journey", "process", "survey", "segment", "channel")


def min_sample() -> int:
    """Return the minimum sample below which a value is withheld (``CX_MIN_SAMPLE``)."""
    return int(getattr(settings, "CX_MIN_SAMPLE", metrics.DEFAULT_MIN_SAMPLE))


@dataclass(frozen=True)
class MetricRow:
    """One group: its labels by dimension, what was counted, and the metric's value."""

    groups: dict[str, Label | date | None]
    counts: Counts
    n: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    reason: str | None

    @classmethod
    def of(
        cls, groups: dict[str, Label | date | None], counts: Counts, result: Result
    ) -> MetricRow:
        return cls(groups, counts, **asdict(result))


def _base(
    organization: Organization,
    metric: Metric,
    since: datetime | None,
    until: datetime | None,
) -> tuple[QuerySet[Any], dict[str, str], str | None]:
    """Return the rows ``metric`` counts, its dimension paths and its response-id path.

    The response-id path is None for invitations: an unanswered one has no segments.
    """
    definition = DEFINITIONS[metric]
    if definition.source is Source.INVITATIONS:
        rows: QuerySet[Any] = Invitation.objects.for_organization(organization).filter(
            sent_at__isnull=False
        )
        paths, response = _INVITATION_PATHS, None
    elif definition.source is Source.RESPONSES:
        rows = Response.objects.for_organization(organization).filter(
            state=Response.State.COMPLETED
        )
        paths, response = _RESPONSE_PATHS, "pk"
    else:
        questions = Question.objects.filter(
            survey__organization=organization, type=definition.question_type
        ).values("pk")
        rows = Answer.objects.filter(
            response__organization=organization,
            response__state=Response.State.COMPLETED,
            question__in=questions,
            number__isnull=False,
        )
        paths = {name: f"response__{path}" for name, path in _RESPONSE_PATHS.items()}
        response = "response_id"
    if since is not None:
        rows = rows.filter(**{f"{paths['time']}__gte": since})
    if until is not None:
        rows = rows.filter(**{f"{paths['time']}__lt": until})
    return rows, paths, response


def _filtered(
    rows: QuerySet[Any],
    paths: dict[str, str],
    response: str | None,
    filters: Mapping[str, Any],
    group_by: Sequence[str],
) -> QuerySet[Any]:
    """Return ``rows`` narrowed to ``filters``, dimension by dimension."""
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValueError(f"Unknown filter(s): {', '.join(sorted(unknown))}")
    for name, wanted in filters.items():
        if name == "segment" and response is None:
            raise ValueError("Invitations cannot be filtered by segment.")
        if name == "segment" and "segment" not in group_by and response is not None:
            # A semi-join, so that a response in several segments is counted once.
            rows = rows.filter(
                Exists(
                    ResponseSegment.objects.filter(
                        response_id=OuterRef(response), segment_id=wanted
                    )
                )
            )
        else:
            rows = rows.filter(**{paths[name]: wanted})
    return rows


def _counters(metric: Metric, scope: Q | None = None) -> dict[str, Any]:
    """Return the aggregates ``metric`` needs: a count plus conditional counts or sums.

    ``scope`` narrows every aggregate to some of the rows (one period, one question
    type), so several metrics and periods can be counted in one pass.
    """
    definition = DEFINITIONS[metric]
    if scope is None:
        counters: dict[str, Any] = {"n": Count("*")}
        scope = Q()
    else:
        counters = {"n": Count("pk", filter=scope)}
    if definition.source is Source.INVITATIONS:
        completed = Q(response__state=Response.State.COMPLETED)
        counters["successes"] = Count("pk", filter=scope & completed)
    if definition.success is not None:
        success = Q(number__range=definition.success)
        counters["successes"] = Count("pk", filter=scope & success)
    if definition.failure is not None:
        failure = Q(number__range=definition.failure)
        counters["failures"] = Count("pk", filter=scope & failure)
    if definition.kind is metrics.Kind.MEAN:
        # Summed as integers: squares of a smallint column overflow smallint in PostgreSQL.
        number = Cast("number", IntegerField())
        counters["total"] = Sum(number, filter=scope or None)
        counters["total_of_squares"] = Sum(number * number, filter=scope or None)
    return counters


def metric_totals(
    *,
    organization: Organization,
    metrics_wanted: Sequence[Metric],
    periods: Mapping[str, tuple[datetime, datetime]],
) -> dict[tuple[str, Metric], MetricRow]:
    """Return each metric's total over each period, as ``metric_rows`` without groups.

    The same rows and counts as ``metric_rows(group_by=[])`` per metric and period, in
    one pass per source (answers, responses, invitations) instead of one query each: a
    report that states four metrics over this period and the last reads the answers
    once.
    """
    counted = metric_counts(
        organization=organization, metrics_wanted=metrics_wanted, periods=periods
    )
    return {key: metric_total(key[1], counts) for key, counts in counted.items()}


def metric_total(metric: Metric, counts: Counts) -> MetricRow:
    """Return a metric's total from its counts (stored ones too), as the dashboard does."""
    return MetricRow.of({}, counts, metrics.evaluate(metric, counts, min_sample()))


def metric_counts(
    *,
    organization: Organization,
    metrics_wanted: Sequence[Metric],
    periods: Mapping[str, tuple[datetime, datetime]],
) -> dict[tuple[str, Metric], Counts]:
    """Return the counts behind ``metric_totals``: what an assessment stores."""
    found: dict[tuple[str, Metric], Counts] = {}
    by_source: dict[Source, list[Metric]] = {}
    for metric in metrics_wanted:
        by_source.setdefault(DEFINITIONS[Metric(metric)].source, []).append(
            Metric(metric)
        )
    for source, listed in by_source.items():
        if source is Source.ANSWERS:
            found |= _answer_counts(organization, listed, periods)
            continue
        rows, paths, _response = _base(organization, listed[0], None, None)
        rows = _in_periods(rows, paths["time"], periods)
        aggregates: dict[str, Any] = {}
        for when, (since, until) in periods.items():
            in_period = Q(
                **{f"{paths['time']}__gte": since, f"{paths['time']}__lt": until}
            )
            for metric in listed:
                for name, aggregate in _counters(metric, in_period).items():
                    aggregates[f"{when}__{metric}__{name}"] = aggregate
        totals = rows.aggregate(**aggregates)
        for when in periods:
            for metric in listed:
                prefix = f"{when}__{metric}__"
                found[when, metric] = Counts(
                    n=totals[f"{prefix}n"],
                    successes=totals.get(f"{prefix}successes") or 0,
                    failures=totals.get(f"{prefix}failures") or 0,
                )
    return found


def _in_periods(
    rows: QuerySet[Any], time: str, periods: Mapping[str, tuple[datetime, datetime]]
) -> QuerySet[Any]:
    """Return ``rows`` whose ``time`` falls between the earliest and latest bound."""
    earliest = min(since for since, _until in periods.values())
    latest = max(until for _since, until in periods.values())
    return rows.filter(**{f"{time}__gte": earliest, f"{time}__lt": latest})


def _answer_counts(
    organization: Organization,
    listed: Sequence[Metric],
    periods: Mapping[str, tuple[datetime, datetime]],
) -> dict[tuple[str, Metric], Counts]:
    """Return the scored metrics' counts from one tally of answers by type and number.

    The database counts the answers of each question type × number (a few dozen
    groups), per period; each metric's counts follow from that tally
    (``metrics.tally_counts``). Every answer is read once and compared with nothing
    but the periods' bounds — not once per metric and counter, as filtered aggregates
    would. One period is the query's own bounds, so it needs no filter at all.
    """
    types = {DEFINITIONS[metric].question_type for metric in listed}
    time = f"response__{_RESPONSE_PATHS['time']}"
    rows = _in_periods(
        Answer.objects.filter(
            response__organization=organization,
            response__state=Response.State.COMPLETED,
            question__in=Question.objects.filter(
                survey__organization=organization, type__in=types
            ).values("pk"),
            number__isnull=False,
        ),
        time,
        periods,
    )
    named = dict(enumerate(periods))  # aliases the database accepts, whatever the names
    counted = {
        f"n_{i}": (
            Count("*")
            if len(periods) == 1
            else Count("pk", filter=Q(**{f"{time}__gte": since, f"{time}__lt": until}))
        )
        for i, (since, until) in enumerate(periods.values())
    }
    tallies: dict[tuple[str, str | None], dict[int, int]] = {}
    for row in rows.values("question__type", "number").annotate(**counted).order_by():
        for i, when in named.items():
            tally = tallies.setdefault((when, row["question__type"]), {})
            tally[row["number"]] = row[f"n_{i}"]
    return {
        (when, metric): metrics.tally_counts(
            metric, tallies.get((when, DEFINITIONS[metric].question_type), {})
        )
        for when in periods
        for metric in listed
    }


def metric_rows(
    *,
    organization: Organization,
    metric: Metric | str,
    group_by: Sequence[str],
    since: datetime | None = None,
    until: datetime | None = None,
    filters: Mapping[str, object] | None = None,
) -> list[MetricRow]:
    """Return ``metric`` per group of ``group_by`` over [since, until), in one query.

    Without ``group_by`` there is one row, of the totals.
    ``filters`` narrows the rows by dimension (``{"touchpoint": 3, "channel": "chat"}``).
    Names of touchpoints, segments… are read in the same query, by subqueries that run
    once per group rather than joins that run once per answer.
    """
    metric = Metric(metric)
    errors = metrics.group_by_errors(metric, group_by)
    if errors:
        raise ValueError(" ".join(errors))
    rows, paths, response = _base(organization, metric, since, until)
    rows = _filtered(rows, paths, response, filters or {}, group_by)
    keys: dict[str, Any] = {}
    labels: dict[str, Any] = {}
    for name in group_by:
        if name in metrics.TIME_DIMENSIONS:
            keys[f"g_{name}"] = Trunc(paths["time"], name, output_field=DateField())
        else:
            keys[f"g_{name}"] = F(paths[name])
        if name == "segment":
            keys["g_segment_key"] = F(paths["segment"].replace("segment_id", "key"))
        if name in _NAMED:
            named = (
                _NAMED[name]
                ._default_manager.filter(pk=OuterRef(f"g_{name}"))
                .order_by()
            )
            labels[f"l_{name}"] = Subquery(named.values("name")[:1])
    if not keys:
        # Ungrouped: one row of totals, even when there is nothing to count.
        grouped: Any = [rows.aggregate(**_counters(metric))]
    else:
        grouped = (
            rows.annotate(**keys)
            .values(*keys)
            .annotate(**_counters(metric))
            .annotate(**labels)
            .order_by()
        )
    threshold = min_sample()
    found = []
    for row in grouped:
        counts = Counts(
            n=row["n"],
            successes=row.get("successes") or 0,
            failures=row.get("failures") or 0,
            total=float(row.get("total") or 0),
            total_of_squares=float(row.get("total_of_squares") or 0),
        )
        found.append(
            MetricRow.of(
                {name: _label(name, row) for name in group_by},
                counts,
                metrics.evaluate(metric, counts, threshold),
            )
        )
    found.sort(key=lambda found_row: [_sort_key(found_row.groups[n]) for n in group_by])
    return found


def _label(name: str, row: dict[str, Any]) -> Label | date | None:
    value = row[f"g_{name}"]
    if name in metrics.TIME_DIMENSIONS:
        return value
    if name == "channel":
        return (
            None if value is None else {"key": value, "name": str(Channel(value).label)}
        )
    if name == "segment":
        key = row["g_segment_key"]
        if key is None:
            return None  # the response was in no segment
        # A deleted segment keeps its key in the snapshot, but loses its name.
        return {"id": value, "key": key, "name": row["l_segment"] or key}
    if value is None:
        return None
    return {"id": value, "name": row[f"l_{name}"]}


def _sort_key(label: Label | date | None) -> tuple[bool, Any]:
    if label is None:
        return (True, "")  # "none" groups last
    if isinstance(label, date):
        return (False, label)
    return (False, str(label["name"]).casefold())
