"""Writes of trigger rules made by other apps (a proactive rule on a risk segment)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from cx.models import Organization, Segment
from surveys.models import Survey, TriggerRule


@transaction.atomic
def trigger_rule_create(
    *,
    organization: Organization,
    name: str,
    survey: Survey,
    event_type: str,
    segments_all: Sequence[Segment] = (),
    holdout_percent: int = 0,
    priority: int = 0,
) -> TriggerRule:
    """Create a trigger rule sending ``survey`` after ``event_type`` to customers in
    every one of ``segments_all``, keeping ``holdout_percent`` of them back."""
    if survey.organization_id != organization.pk or any(
        segment.organization_id != organization.pk for segment in segments_all
    ):
        raise ValueError("The survey and segments must be the organisation's own.")
    rule = TriggerRule.objects.create(
        organization=organization,
        name=name,
        survey=survey,
        event_type=event_type,
        holdout_percent=holdout_percent,
        priority=priority,
    )
    rule.segments_all.set(segments_all)
    return rule
