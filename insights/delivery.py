"""What happened to the period's events: the rows behind the dashboard's funnel.

The funnel (``insights.selectors.funnel``) counts events, the invitations made for them
(and how far each got: sent, opened, answered) and the suppressions (an event a rule
matched but did not invite, by reason), all by when the *event* occurred. This module
lists exactly those rows for the staff page that the funnel's numbers open, with the
same filters, so that a page's count is the number the dashboard showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cx.digits import is_digits
from cx.models import Event, Organization
from insights.feedback import parse_date
from surveys.models import Invitation, Response, Suppression

KINDS = ("events", "invitations", "suppressions")
# How far an invitation got; each step is a subset of the one before.
STEPS = {
    "invited": _("Invited"),
    "sent": _("Sent"),
    "opened": _("Opened"),
    "answered": _("Answered"),
}


@dataclass(frozen=True)
class DeliveryFilters:
    """The page's filters as read from a query string; empty means "any".

    ``since`` and ``until`` are days (``until`` included) in the organisation's time
    zone, compared with when the event occurred, as the dashboard's funnel counts.
    """

    kind: str = "invitations"
    since: date | None = None
    until: date | None = None
    journey: int | None = None
    touchpoint: int | None = None
    step: str = ""  # invitations: how far they got
    reason: str = ""  # suppressions: why not invited

    @classmethod
    def from_query(cls, query: Any) -> DeliveryFilters:
        """Read the filters, ignoring values that do not parse (a form never 500s)."""

        def number(key: str) -> int | None:
            raw = str(query.get(key, "")).strip()
            return int(raw) if is_digits(raw) and len(raw) < 12 else None

        kind = query.get("kind", "")
        step = query.get("step", "")
        reason = query.get("reason", "")
        return cls(
            kind=kind if kind in KINDS else "invitations",
            since=parse_date(query.get("since", "")),
            until=parse_date(query.get("until", "")),
            journey=number("journey"),
            touchpoint=number("touchpoint"),
            step=step if step in STEPS else "",
            reason=reason if reason in Suppression.Reason.values else "",
        )


def _scoped(
    rows: QuerySet[Any],
    *,
    organization: Organization,
    filters: DeliveryFilters,
    event: str,
) -> QuerySet[Any]:
    """Return ``rows`` narrowed by the period, journey and touchpoint of their event.

    ``event`` is the path from a row to its event ("" for events themselves).
    """
    path = f"{event}__" if event else ""
    if filters.since is not None:
        start = datetime.combine(filters.since, time.min, organization.tzinfo)
        rows = rows.filter(**{f"{path}occurred_at__gte": start})
    if filters.until is not None:
        end = datetime.combine(
            filters.until + timedelta(days=1), time.min, organization.tzinfo
        )
        rows = rows.filter(**{f"{path}occurred_at__lt": end})
    if filters.journey is not None:
        rows = rows.filter(**{f"{path}touchpoint__journey_id": filters.journey})
    if filters.touchpoint is not None:
        rows = rows.filter(**{f"{path}touchpoint_id": filters.touchpoint})
    return rows


def delivery_events(
    *, organization: Organization, filters: DeliveryFilters
) -> QuerySet[Event]:
    """Return the organisation's events matching ``filters``, newest first."""
    events = _scoped(
        Event.objects.for_organization(organization),
        organization=organization,
        filters=filters,
        event="",
    )
    return events.select_related("touchpoint", "customer").order_by(
        "-occurred_at", "-pk"
    )


def delivery_invitations(
    *, organization: Organization, filters: DeliveryFilters
) -> QuerySet[Invitation]:
    """Return the invitations made for the events ``filters`` select, newest first.

    ``step`` keeps those that got at least that far, as the funnel counts them.
    """
    invitations = _scoped(
        Invitation.objects.for_organization(organization).filter(event__isnull=False),
        organization=organization,
        filters=filters,
        event="event",
    )
    if filters.step == "sent":
        invitations = invitations.filter(sent_at__isnull=False)
    elif filters.step == "opened":
        invitations = invitations.filter(
            Q(opened_at__isnull=False) | Q(answered_at__isnull=False)
        )
    elif filters.step == "answered":
        invitations = invitations.filter(response__state=Response.State.COMPLETED)
    return invitations.select_related(
        "event__touchpoint", "customer", "survey", "response"
    ).order_by("-event__occurred_at", "-pk")


def delivery_suppressions(
    *, organization: Organization, filters: DeliveryFilters
) -> QuerySet[Suppression]:
    """Return the suppressions of the events ``filters`` select, newest first."""
    suppressions = _scoped(
        Suppression.objects.for_organization(organization),
        organization=organization,
        filters=filters,
        event="event",
    )
    if filters.reason:
        suppressions = suppressions.filter(reason=filters.reason)
    return suppressions.select_related(
        "event__touchpoint", "customer", "rule"
    ).order_by("-event__occurred_at", "-pk")


def delivery_rows(
    *, organization: Organization, filters: DeliveryFilters
) -> QuerySet[Any]:
    """Return the rows of ``filters.kind`` matching ``filters``."""
    if filters.kind == "events":
        return delivery_events(organization=organization, filters=filters)
    if filters.kind == "suppressions":
        return delivery_suppressions(organization=organization, filters=filters)
    return delivery_invitations(organization=organization, filters=filters)
