"""Reads behind the metrics, journey scores and the funnel: aggregate queries only.

The database does the counting (DESIGN.md §5: metrics are computed in the database) and
``insights.metrics`` turns counts into values and intervals. Every query starts from the
organisation's own rows, so no other tenant's data is read.
"""

from insights.selectors.funnel import FunnelRow, funnel
from insights.selectors.journeys import (
    JourneyScore,
    Target,
    Underperformer,
    journey_scores,
    target_for,
    targets_of,
    underperforming_journeys,
)
from insights.selectors.rows import (
    FILTERS,
    Label,
    MetricRow,
    metric_counts,
    metric_rows,
    metric_total,
    metric_totals,
    min_sample,
)

__all__ = [
    "FILTERS",
    "FunnelRow",
    "JourneyScore",
    "Label",
    "MetricRow",
    "Target",
    "Underperformer",
    "funnel",
    "journey_scores",
    "metric_counts",
    "metric_rows",
    "metric_total",
    "metric_totals",
    "min_sample",
    "target_for",
    "targets_of",
    "underperforming_journeys",
]
