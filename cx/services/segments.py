"""Writes of segments: rule-based groups of customers."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cx import segmentation
from cx.models import Organization, Segment


@transaction.atomic
def segment_ensure(
    *, organization: Organization, key: str, name: str, rule: dict[str, Any]
) -> Segment:
    """Return the organisation's segment ``key``, created with ``name`` and ``rule``
    if it does not exist yet (an existing one is left as it is)."""
    segmentation.validate_rule(rule)
    segment, _created = Segment.objects.get_or_create(
        organization=organization, key=key, defaults={"name": name, "rule": rule}
    )
    return segment
