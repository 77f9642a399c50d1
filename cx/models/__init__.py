"""The core CX domain: tenants, customers, segments, journeys and business events."""

from cx.models.customers import Customer, Segment
from cx.models.events import Event
from cx.models.journeys import Journey, Process, Touchpoint, TouchpointEventType
from cx.models.tenancy import ApiKey, Language, Membership, Organization, Role

__all__ = [
    "ApiKey",
    "Customer",
    "Event",
    "Journey",
    "Language",
    "Membership",
    "Organization",
    "Process",
    "Role",
    "Segment",
    "Touchpoint",
    "TouchpointEventType",
]
