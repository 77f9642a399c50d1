"""Reads of the surveys app that span relations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from cx.models import Event
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
                "due_at": row["due_at"].isoformat().replace("+00:00", "Z"),
            }
        )
    return {event.pk: {"invitations": found.get(event.pk, [])} for event in events}
