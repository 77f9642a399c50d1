"""Reads of the maturity app."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet

from cx.models import Organization
from maturity.method import SELF_ASSESSMENT_ITEMS
from maturity.models import Assessment, DimensionImportance, SelfAssessmentAnswer

DIMENSION_OF_ITEM = {key: dimension for key, dimension, _ in SELF_ASSESSMENT_ITEMS}


def self_assessment_answers(*, organization: Organization) -> dict[str, int]:
    """Return the organisation's current answers: item key → step 1–4."""
    return dict(
        SelfAssessmentAnswer.objects.for_organization(organization).values_list(
            "item", "step"
        )
    )


def self_assessment_levels(*, organization: Organization) -> dict[str, float]:
    """Return the self-assessed level per dimension: the mean step of its items."""
    steps: dict[str, list[int]] = defaultdict(list)
    for item, step in self_assessment_answers(organization=organization).items():
        steps[DIMENSION_OF_ITEM[item]].append(step)
    return {dimension: sum(values) / len(values) for dimension, values in steps.items()}


def importance_of(*, organization: Organization) -> dict[str, int]:
    return dict(
        DimensionImportance.objects.for_organization(organization).values_list(
            "dimension", "importance"
        )
    )


def assessments_of(*, organization: Organization) -> QuerySet[Assessment]:
    return Assessment.objects.for_organization(organization).order_by("-created_at")


def previous_assessment(*, assessment: Assessment) -> Assessment | None:
    """Return the last finished assessment before ``assessment``, for the trend."""
    return (
        Assessment.objects.for_organization(assessment.organization_id)
        .filter(status=Assessment.Status.DONE, created_at__lt=assessment.created_at)
        .order_by("-created_at")
        .first()
    )
