"""Reads of the core domain that span relations."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from cx.models import Journey, Organization, TouchpointEventType


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
