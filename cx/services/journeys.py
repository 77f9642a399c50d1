"""Journeys and touchpoints: the map that events are resolved onto."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cx.models import Organization, Touchpoint, TouchpointEventType


@transaction.atomic
def touchpoint_save(
    *,
    organization: Organization,
    fields: dict[str, Any],
    event_types: Iterable[str] | None = None,
    touchpoint: Touchpoint | None = None,
) -> Touchpoint:
    """Create or update a touchpoint and, when given, replace the event types naming it."""
    touchpoint = touchpoint or Touchpoint(organization=organization)
    for name, value in fields.items():
        setattr(touchpoint, name, value)
    touchpoint.save()
    if event_types is not None:
        wanted = sorted(set(event_types))
        taken = dict(
            TouchpointEventType.objects.for_organization(organization)
            .filter(event_type__in=wanted)
            .exclude(touchpoint=touchpoint)
            .values_list("event_type", "touchpoint__name")
        )
        if taken:
            raise ValidationError(
                {
                    "event_types": [
                        f"'{event_type}' already identifies touchpoint '{name}'."
                        for event_type, name in sorted(taken.items())
                    ]
                }
            )
        touchpoint.event_types.exclude(event_type__in=wanted).delete()
        existing = set(touchpoint.event_types.values_list("event_type", flat=True))
        TouchpointEventType.objects.bulk_create(
            TouchpointEventType(
                organization=organization, touchpoint=touchpoint, event_type=event_type
            )
            for event_type in wanted
            if event_type not in existing
        )
    return touchpoint
