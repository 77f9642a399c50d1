"""Reads of the core domain that span relations."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils.module_loading import import_string

from cx.models import Event, Journey, Organization, TouchpointEventType


def touchpoint_ids_by_event_type(*, organization: Organization) -> dict[str, int]:
    """Return the touchpoint each event type identifies."""
    return dict(
        TouchpointEventType.objects.for_organization(organization).values_list(
            "event_type", "touchpoint_id"
        )
    )


def journeys_with_touchpoints(*, organization: Organization) -> QuerySet[Journey]:
    """Return the organisation's journeys with touchpoints and event types prefetched."""
    return (
        Journey.objects.for_organization(organization)
        .prefetch_related("touchpoints__event_types")
        .annotate(touchpoint_count=Count("touchpoints"))
    )


@cache
def _detail_providers() -> tuple[Any, ...]:
    return tuple(
        import_string(path) for path in getattr(settings, "CX_EVENT_DETAILS", ())
    )


def event_details(events: Sequence[Event]) -> dict[int, dict[str, Any]]:
    """Return extra output fields per event from the apps that act on events.

    The apps are named in ``CX_EVENT_DETAILS`` (the surveys app adds the invitations an
    event scheduled), so that cx shows them without importing those apps.
    """
    details: dict[int, dict[str, Any]] = {event.pk: {} for event in events}
    for provider in _detail_providers():
        for pk, fields in provider(events).items():
            details[pk].update(fields)
    return details
