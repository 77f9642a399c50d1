"""Reads of the core domain that span relations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils.module_loading import import_string

from cx.models import Event, Journey, Organization, Touchpoint, TouchpointEventType
from cx.versioning import versioned


@dataclass(frozen=True)
class TouchpointMap:
    """The organisation's touchpoints as event ingestion needs them."""

    by_event_type: dict[str, int]
    by_id: dict[int, Touchpoint]  # with the journey attached, for the answer


def touchpoint_map(*, organization: Organization) -> TouchpointMap:
    """Return the organisation's touchpoints, compiled once per config version."""
    return versioned(organization, "touchpoints", lambda: _touchpoints(organization))


def _touchpoints(organization: Organization) -> TouchpointMap:
    return TouchpointMap(
        by_event_type=dict(
            TouchpointEventType.objects.for_organization(organization).values_list(
                "event_type", "touchpoint_id"
            )
        ),
        by_id={
            touchpoint.pk: touchpoint
            for touchpoint in Touchpoint.objects.for_organization(
                organization
            ).select_related("journey")
        },
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
