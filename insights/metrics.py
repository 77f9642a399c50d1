"""Metric definitions and the minimum-sample rule (DESIGN.md §6). Pure: no ORM.

The database counts (``insights.selectors``); this module names the metrics, says which
answers each one counts, checks how results may be grouped, and turns one row of counts
into a value with its 95 % interval through ``cx.statistics``. The API, journey
scores and rankings share these definitions, so a number means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cx import statistics

DEFAULT_MIN_SAMPLE = 30
# Used when the organisation has set no target of its own (insights.MetricTarget).
DEFAULT_TARGETS: dict[str, float] = {"nps": 30.0}


class Metric(StrEnum):
    NPS = "nps"
    CSAT = "csat"
    CES = "ces"
    CES_EASY = "ces_easy"
    FCR = "fcr"
    RESPONSE_RATE = "response_rate"
    COUNT = "count"


class Source(StrEnum):
    """What one counted unit is: a numeric answer, a completed response, a sent invitation."""

    ANSWERS = "answers"
    RESPONSES = "responses"
    INVITATIONS = "invitations"


class Kind(StrEnum):
    """Which interval applies (DESIGN.md §6)."""

    NPS = "nps"  # adjusted Wald on promoters − detractors
    PROPORTION = "proportion"  # Wilson
    MEAN = "mean"  # t interval
    COUNT = "count"  # exact: no interval


@dataclass(frozen=True)
class MetricDefinition:
    """One metric: what it counts, which answers are successes, how it is estimated.

    ``success`` (and, for NPS, ``failure``) are inclusive ranges of the answer's number:
    promoters 9–10 and detractors 0–6, satisfied 4–5, easy 5–7, yes = 1.
    """

    metric: Metric
    label: Promise
    source: Source
    kind: Kind
    question_type: str | None = None
    success: tuple[int, int] | None = None
    failure: tuple[int, int] | None = None


DEFINITIONS: dict[Metric, MetricDefinition] = {
    definition.metric: definition
    for definition in (
        MetricDefinition(
            Metric.NPS, gettext_lazy("Net Promoter Score"), Source.ANSWERS, Kind.NPS,
            question_type="nps", success=(9, 10), failure=(0, 6),
        ),
        MetricDefinition(
            Metric.CSAT, gettext_lazy("Customer satisfaction (% satisfied)"),
            Source.ANSWERS, Kind.PROPORTION, question_type="csat", success=(4, 5),
        ),
        MetricDefinition(
            Metric.CES, gettext_lazy("Customer effort (mean, 1–7)"), Source.ANSWERS,
            Kind.MEAN, question_type="ces",
        ),
        MetricDefinition(
            Metric.CES_EASY, gettext_lazy("Customer effort (% easy)"), Source.ANSWERS,
            Kind.PROPORTION, question_type="ces", success=(5, 7),
        ),
        MetricDefinition(
            Metric.FCR, gettext_lazy("First-contact resolution (% yes)"),
            Source.ANSWERS, Kind.PROPORTION, question_type="fcr", success=(1, 1),
        ),
        MetricDefinition(
            Metric.RESPONSE_RATE, gettext_lazy("Response rate (% of sent)"),
            Source.INVITATIONS, Kind.PROPORTION,
        ),
        MetricDefinition(
            Metric.COUNT, gettext_lazy("Responses"), Source.RESPONSES, Kind.COUNT
        ),
    )
}  # fmt: skip

# Grouping dimensions. Segments come from the snapshot taken when a response was
# completed, so invitations that were never answered have none.
OBJECT_DIMENSIONS = ("touchpoint", "journey", "process", "segment", "survey")
TIME_DIMENSIONS = ("day", "week", "month")
DIMENSIONS = (*OBJECT_DIMENSIONS, "channel", *TIME_DIMENSIONS)
MAX_GROUP_BY = 3


@dataclass(frozen=True)
class Counts:
    """What the database counted for one group.

    ``n`` is the sample (answers, responses or sent invitations); ``successes`` the
    promoters, satisfied, easy, yes or completed; ``failures`` the NPS detractors;
    ``total`` and ``total_of_squares`` the sums behind a mean.
    """

    n: int = 0
    successes: int = 0
    failures: int = 0
    total: float = 0.0
    total_of_squares: float = 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.n + other.n,
            self.successes + other.successes,
            self.failures + other.failures,
            self.total + other.total,
            self.total_of_squares + other.total_of_squares,
        )


def tally_counts(metric: Metric, tally: Mapping[int, int]) -> Counts:
    """Return a scored metric's counts from a tally of its answers (number → answers).

    The same counts as the database's filtered aggregates (``insights.selectors``), from
    a histogram instead: several metrics and periods are then counted in one pass.
    """
    definition = DEFINITIONS[metric]

    def within(bounds: tuple[int, int] | None) -> int:
        if bounds is None:
            return 0
        low, high = bounds
        return sum(n for number, n in tally.items() if low <= number <= high)

    mean = definition.kind is Kind.MEAN
    return Counts(
        n=sum(tally.values()),
        successes=within(definition.success),
        failures=within(definition.failure),
        total=float(sum(number * n for number, n in tally.items())) if mean else 0.0,
        total_of_squares=(
            float(sum(number * number * n for number, n in tally.items()))
            if mean
            else 0.0
        ),
    )


@dataclass(frozen=True)
class Result:
    """A metric value with its 95 % interval, or None and the reason it is withheld."""

    n: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    reason: str | None = None


def group_by_errors(metric: Metric, group_by: Sequence[str]) -> list[str]:
    """Return what is wrong with grouping ``metric`` by ``group_by`` (empty when fine)."""
    errors = []
    unknown = [name for name in group_by if name not in DIMENSIONS]
    if unknown:
        errors.append(
            _("Unknown dimension(s): %(unknown)s. Use: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(DIMENSIONS)}
        )
    if len(set(group_by)) != len(group_by):
        errors.append(_("Name each dimension once."))
    if len(group_by) > MAX_GROUP_BY:
        errors.append(_("Group by at most %(n)d dimensions.") % {"n": MAX_GROUP_BY})
    if sum(1 for name in group_by if name in TIME_DIMENSIONS) > 1:
        errors.append(_("Group by one of day, week or month, not several."))
    if "segment" in group_by and DEFINITIONS[metric].source is Source.INVITATIONS:
        errors.append(
            _(
                "The response rate cannot be split by segment: segments are recorded "
                "when a response is completed."
            )
        )
    return errors


def sample_rule(min_sample: int) -> statistics.SampleRule:
    """Return the statistics' tiers with everything below ``min_sample`` hidden.

    At least one answer is always needed, so that no value divides by zero.
    """
    hidden_below = max(1, min_sample)
    return statistics.SampleRule(
        hidden_below=hidden_below,
        interval_from=max(hidden_below, statistics.SampleRule.interval_from),
        full_from=max(hidden_below, statistics.SampleRule.full_from),
    )


def not_enough(metric: Metric, n: int, min_sample: int) -> str:
    """Return the reason a value is withheld, in the request's language."""
    if DEFINITIONS[metric].source is Source.INVITATIONS:
        return _("not enough invitations sent: %(n)d of the %(min)d needed") % {
            "n": n,
            "min": min_sample,
        }
    return _("not enough answers: %(n)d of the %(min)d needed") % {
        "n": n,
        "min": min_sample,
    }


def evaluate(metric: Metric, counts: Counts, min_sample: int) -> Result:
    """Return ``metric``'s value and 95 % interval for ``counts``.

    Below the minimum sample the value and interval are None and ``reason`` says why;
    a count is exact, so it is always shown and has no interval.
    """
    definition = DEFINITIONS[metric]
    n = counts.n
    if definition.kind is Kind.COUNT:
        return Result(n, float(n), None, None)
    rule = sample_rule(min_sample)
    if n < rule.hidden_below:
        return Result(n, None, None, None, not_enough(metric, n, rule.hidden_below))
    if definition.kind is Kind.NPS:
        estimate = statistics.nps(counts.successes, counts.failures, n, rule)
    elif definition.kind is Kind.MEAN:
        estimate = statistics.mean(counts.total, counts.total_of_squares, n, rule)
    else:
        estimate = statistics.proportion(counts.successes, n, rule)
    return Result(n, estimate.value, estimate.ci_low, estimate.ci_high)


def combine(parts: Iterable[Counts]) -> Counts:
    """Return the pooled counts of several groups.

    A volume-weighted mean of group scores equals the score of the pooled counts (for
    NPS: Σ nᵢ·NPSᵢ / Σ nᵢ = 100·(ΣPᵢ − ΣDᵢ)/Σnᵢ), so pooling gives the weighted score
    and, unlike averaging values, also its interval.
    """
    pooled = Counts()
    for part in parts:
        pooled = pooled + part
    return pooled


def shortfall(target: float, score: float, volume: int) -> float:
    """Return how much a score below target weighs: (target − score) × volume.

    A small gap on a busy journey can matter more than a large one on a quiet journey.
    """
    return (target - score) * volume
