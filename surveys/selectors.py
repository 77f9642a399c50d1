"""Reads of the surveys app that span relations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from cx.models import Event, Organization
from surveys.models import Invitation


def event_invitations(events: Sequence[Event]) -> dict[int, dict[str, Any]]:
    """Return, per event, the invitations it scheduled (for the event API's answer)."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        Invitation.objects.filter(event__in=[event.pk for event in events])
        .order_by("pk")
        .values("pk", "event_id", "survey_id", "survey__name", "state", "due_at")
    )
    for row in rows:
        found[row["event_id"]].append(
            {
                "id": row["pk"],
                "survey": {"id": row["survey_id"], "name": row["survey__name"]},
                "state": row["state"],
                "due_at": _iso(row["due_at"]),
            }
        )
    return {event.pk: {"invitations": found.get(event.pk, [])} for event in events}


def invitations_listed(
    events: Sequence[Event], invitations: Sequence[Invitation]
) -> dict[int, dict[str, Any]]:
    """Return what ``event_invitations`` reads, for invitations just created in memory."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for invitation in sorted(invitations, key=lambda i: i.pk):
        found[invitation.event_id].append(
            {
                "id": invitation.pk,
                "survey": {"id": invitation.survey_id, "name": invitation.survey.name},
                "state": invitation.state,
                "due_at": _iso(invitation.due_at),
            }
        )
    return {event.pk: {"invitations": found.get(event.pk, [])} for event in events}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def undeliverable_among(*, organization: Organization, emails: set[str]) -> set[str]:
    """Return which of ``emails`` (lower case) the organisation may not write to.

    Plain SQL: it runs for every event a rule matches, and the ORM's building of the
    query cost more than the query.
    """
    if not emails:
        return set()
    marks = ", ".join(["%s"] * len(emails))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT LOWER(email) FROM surveys_undeliverableaddress "  # noqa: S608
            f"WHERE organization_id = %s AND LOWER(email) IN ({marks})",
            [organization.pk, *emails],
        )
        return {address for (address,) in cursor.fetchall()}
