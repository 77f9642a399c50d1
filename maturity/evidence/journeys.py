"""D3 journey coverage and D4 segmentation: the map, and results split by it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from cx.models import Organization, Segment, Touchpoint
from maturity.evidence.listening import ResponseSummary
from maturity.evidence.period import Period
from maturity.method import REPORTABLE_N
from maturity.scoring import Observation
from predictions.effects import prediction_evidence
from surveys.models import Question, ResponseSegment, Survey, TriggerRule


@dataclass(frozen=True)
class Step:
    """One touchpoint of a mapped journey, as the evidence reads it."""

    pk: int
    name: str
    live: bool  # an active trigger rule asks there
    owned: bool  # the touchpoint, its process or its journey has an owner


def touchpoint_map(organization: Organization) -> dict[str, list[Step]]:
    """Return each journey's touchpoints in order: one query over the map."""
    live_rules = TriggerRule.objects.filter(touchpoint=OuterRef("pk"), is_active=True)
    journeys: dict[str, list[Step]] = {}
    rows = (
        Touchpoint.objects.for_organization(organization)
        .annotate(live=Exists(live_rules))
        .order_by("journey__name", "journey_id", "position")
        .values_list(
            "pk", "journey__name", "name", "live",
            "owner_id", "process__owner_id", "journey__owner_id",
        )
    )  # fmt: skip
    for pk, journey, name, live, *owners in rows:
        journeys.setdefault(journey, []).append(
            Step(pk, name, live, any(owner is not None for owner in owners))
        )
    return journeys


def coverage(
    journeys: dict[str, list[Step]], summary: ResponseSummary
) -> dict[str, Observation]:
    """D3: how much of each mapped journey has a live trigger with answers."""
    if not journeys:
        empty = Observation(None)
        return {
            "d3_touchpoints_exist": Observation.flag(False),
            "d3_best_journey_coverage": empty,
            "d3_all_journeys_coverage": empty,
        }

    def journey_share(journey: str) -> Observation:
        steps = journeys[journey]
        missing = [
            s.name for s in steps if not (s.live and s.pk in summary.touchpoints)
        ]
        context = (
            f"{journey}: not instrumented: {', '.join(missing)}" if missing else journey
        )
        return Observation.share(
            len(steps) - len(missing), len(steps), context, sampled=False
        )

    shares = [journey_share(journey) for journey in journeys]
    return {
        "d3_touchpoints_exist": Observation.flag(True),
        "d3_best_journey_coverage": max(shares, key=lambda o: o.value or 0.0),
        "d3_all_journeys_coverage": min(shares, key=lambda o: o.value or 0.0),
    }


def segment_counts(
    organization: Organization, period: Period
) -> list[Mapping[str, Any]]:
    """Return the period's segment snapshots counted by key × touchpoint × segment.

    Each group also counts its NPS answers, promoters (9–10) and detractors (0–6), so
    that one scan of the snapshots serves both D4 (``segmentation``, live answers only)
    and the report's NPS heatmap (``nps_cells``, imported history too, as the
    dashboard's).
    """
    return list(
        ResponseSegment.objects.for_organization(organization)
        .filter(completed_at__gte=period.start, completed_at__lt=period.end)
        .values("key", "touchpoint_id", "segment_id", "imported")
        .annotate(
            n=Count("*"),
            scored=Count("nps"),
            promoters=Count("pk", filter=Q(nps__gte=9)),
            detractors=Count("pk", filter=Q(nps__lte=6)),
        )
        .order_by()
    )


def nps_cells(counts: list[Mapping[str, Any]]) -> list[list[int]]:
    """Return [touchpoint, segment, answers, promoters, detractors] per heatmap cell.

    The cells of ``insights.dashboard.segment_heatmap``: NPS answers with a touchpoint
    and a segment, here over the assessment's period.
    """
    cells: dict[tuple[int, int], list[int]] = {}
    for row in counts:
        where = (row["touchpoint_id"], row["segment_id"])
        if None in where or not row["scored"]:
            continue
        cell = cells.setdefault(where, [0, 0, 0])
        cell[0] += row["scored"]
        cell[1] += row["promoters"]
        cell[2] += row["detractors"]
    return [[*where, *counted] for where, counted in sorted(cells.items())]


def segmentation(
    organization: Organization,
    period: Period,
    counts: list[Mapping[str, Any]] | None = None,
) -> dict[str, Observation]:
    """D4: are results split by segment and touchpoint, and used for targeting.

    Only live answers count: imported history proves no segmentation in the product.
    """
    if counts is None:
        counts = segment_counts(organization, period)
    per_segment: dict[str, int] = {}
    per_cell: dict[tuple[str, int], int] = {}
    for row in counts:
        if row.get("imported"):
            continue
        key, touchpoint = row["key"], row["touchpoint_id"]
        per_segment[key] = per_segment.get(key, 0) + row["n"]
        if touchpoint is not None:
            per_cell[(key, touchpoint)] = per_cell.get((key, touchpoint), 0) + row["n"]
    cell_ns = list(per_cell.values())
    targeting = (
        TriggerRule.objects.for_organization(organization)
        .filter(is_active=True)
        .filter(Q(segments_all__isnull=False) | Q(segments_none__isnull=False))
        .exists()
        or Question.objects.filter(
            survey__organization=organization,
            survey__status=Survey.Status.ACTIVE,
            condition__isnull=False,
        ).exists()
    )
    segments_defined = Segment.objects.for_organization(organization).exists()
    reportable = sum(1 for n in per_segment.values() if n >= REPORTABLE_N)
    return {
        "d4_segments_reportable": Observation(
            float(reportable) if segments_defined else 0.0
        ),
        "d4_cells_reportable": Observation.share(
            sum(1 for n in cell_ns if n >= REPORTABLE_N), len(cell_ns), sampled=False
        ),
        "d4_targeting": Observation.flag(targeting),
        "d4_predictions": _predictions_used(organization, period),
    }


def _predictions_used(organization: Organization, period: Period) -> Observation:
    """D4 level 4: a prediction that passed its gate, acted on by an active rule."""
    found = prediction_evidence(organization, now=period.end)
    return Observation.flag(found.in_use, context=found.context)


def segments(
    organization: Organization, period: Period
) -> tuple[dict[str, Observation], list[Mapping[str, Any]]]:
    """Return the D4 markers and the segment counts they come from."""
    counts = segment_counts(organization, period)
    return segmentation(organization, period, counts), counts
