"""Evidence: the maturity markers measured from the organisation's own data.

Read-only: this package queries cx, surveys, followups, insights and webhooks and
changes nothing. One module per group of dimensions:

- ``listening``: D1 listening and D2 identification (and imported history, apart);
- ``journeys``: D3 journey coverage and D4 segmentation;
- ``loop``: D5, the closed loop as staff worked it;
- ``organisation``: D6 sharing, D7 governance, D8 employees, D9 prediction;
- ``period``: the period, started at the organisation's first live data.

Each marker is one aggregate query (or a bounded sample, where said), so an assessment
over a million responses stays under a second. On PostgreSQL, outside a transaction,
the independent scans run side by side on connections of their own (``side_by_side``);
the markers are the same either way. A marker the product cannot measure yet returns an
observation with no value; it lowers the dimension's evidence coverage and lets the
self-assessment speak for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cx.models import Organization
from insights.metrics import Counts, Metric
from insights.selectors import metric_counts
from maturity.evidence.journeys import (
    coverage,
    nps_cells,
    segment_counts,
    segmentation,
    segments,
    touchpoint_map,
)
from maturity.evidence.listening import (
    CUSTOMER_SAMPLE,
    ImportedHistory,
    ResponseSummary,
    completed,
    heard,
    identification,
    identified,
    listening,
    response_summary,
)
from maturity.evidence.loop import LOOP_SAMPLE, NEGATIVE, closed_loop
from maturity.evidence.organisation import (
    api_integration,
    employees,
    governance,
    prediction,
    sharing,
)
from maturity.evidence.period import History, Period, period_from_first_data
from maturity.reads import side_by_side
from maturity.scoring import Observation

_completed = completed  # the name tests and older callers know

__all__ = [
    "CUSTOMER_SAMPLE",
    "LOOP_SAMPLE",
    "NEGATIVE",
    "Evidence",
    "History",
    "ImportedHistory",
    "Period",
    "ResponseSummary",
    "api_integration",
    "closed_loop",
    "collect",
    "completed",
    "coverage",
    "employees",
    "gather",
    "governance",
    "heard",
    "identification",
    "identified",
    "listening",
    "nps_cells",
    "period_from_first_data",
    "prediction",
    "response_summary",
    "segment_counts",
    "segmentation",
    "sharing",
    "touchpoint_map",
]


@dataclass(frozen=True)
class Evidence:
    """What the organisation's data shows over a period."""

    markers: dict[str, Observation]
    # [touchpoint, segment, answers, promoters, detractors]: the report's NPS heatmap
    nps_cells: list[list[int]]
    # The period's imported answers, counted apart from the markers.
    imported: ImportedHistory = field(default_factory=ImportedHistory)
    # The report's headline metrics over the period, counted beside the markers.
    headline_counts: dict[str, Counts] = field(default_factory=dict)


def collect(organization: Organization, period: Period) -> dict[str, Observation]:
    """Return every marker the product can measure for ``organization`` over ``period``."""
    return gather(organization, period).markers


# The report's headline metrics (maturity.figures), in its order, counted with the
# evidence so that the report reads them stored instead of scanning the answers again.
HEADLINE_WANTED = (
    Metric.NPS,
    Metric.CSAT,
    Metric.CES,
    Metric.FCR,
    Metric.RESPONSE_RATE,
)


def gather(organization: Organization, period: Period) -> Evidence:
    """Return the markers, the period's NPS by touchpoint × segment, imported history.

    The markers come in the method's order (the Monte Carlo draws in that order).
    """
    found = side_by_side(
        {
            "summary": lambda: response_summary(organization, period),
            "identification": lambda: identification(organization, period),
            "segments": lambda: segments(organization, period),
            "closed_loop": lambda: closed_loop(organization, period),
            "headlines": lambda: metric_counts(
                organization=organization,
                metrics_wanted=HEADLINE_WANTED,
                periods={"now": (period.start, period.end)},
            ),
            "set_up": lambda: (
                touchpoint_map(organization),
                [
                    read(organization, period)
                    for read in (governance, employees, api_integration, sharing)
                ],
            ),
        }
    )
    summary: ResponseSummary = found["summary"]
    segmented, counts = found["segments"]
    journeys, (governed, employed, integrated, shared) = found["set_up"]
    markers = {
        **listening(summary, period, journeys),
        **identified(summary),
        **found["identification"],
        **coverage(journeys, summary),
        **segmented,
        **found["closed_loop"],
        **integrated,
        **shared,
        **governed,
        **employed,
        **prediction(organization, period, summary, journeys),
    }
    headlines = {metric.value: c for (_now, metric), c in found["headlines"].items()}
    return Evidence(markers, nps_cells(counts), summary.imported, headlines)
