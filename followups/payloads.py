"""The JSON shape of a follow-up in webhooks and the API."""

from __future__ import annotations

from typing import Any

from followups.models import FollowUp


def followup_payload(followup: FollowUp) -> dict[str, Any]:
    """Return the case as plain data (ids, names, times in ISO 8601)."""

    def named(thing: Any) -> dict[str, Any] | None:
        return {"id": thing.pk, "name": thing.name} if thing is not None else None

    return {
        "id": followup.pk,
        "state": followup.state,
        "reason": followup.reason,
        "response_id": followup.response_id,
        "customer_external_id": followup.customer.external_id
        if followup.customer
        else None,
        "touchpoint": named(followup.touchpoint),
        "journey": named(followup.journey),
        "process": named(followup.process),
        "owner": followup.owner.get_username() if followup.owner else None,
        "opened_at": followup.opened_at.isoformat(),
        "due_at": followup.due_at.isoformat(),
        "closed_at": followup.closed_at.isoformat() if followup.closed_at else None,
        "root_cause": followup.root_cause or None,
        "action_taken": followup.action_taken or None,
        "recovery_survey_sent": followup.recovery_invitation_id is not None,
        "recovered": followup.recovered,
    }
