"""Celery entry points of the closed loop: ids in, one service call each."""

from __future__ import annotations

from celery import shared_task

from cx.plugins import plugins
from followups import emails, services
from followups.models import FollowUp
from followups.payloads import followup_payload

# What the organisation's webhooks hear of; a handover is internal.
WEBHOOK_EVENTS = ("followup.opened", "followup.closed")


@shared_task(acks_late=True, ignore_result=True)
def followup_announce_task(followup_id: int, event_type: str) -> None:
    """Email the owner of a new case; publish the event to the organisation's webhooks."""
    followup = (
        FollowUp.objects.select_related("organization", "owner", "touchpoint")
        .filter(pk=followup_id)
        .first()
    )
    if followup is None:
        return
    if event_type in ("followup.opened", "followup.assigned"):
        message = emails.owner_message(
            followup, assigned=event_type == "followup.assigned"
        )
        if message is not None:
            message.send()
    if event_type in WEBHOOK_EVENTS:
        for receiver in plugins("CX_FOLLOWUP_EVENT_RECEIVERS"):
            receiver(
                organization=followup.organization,
                event_type=event_type,
                payload=followup_payload(followup),
            )


@shared_task(acks_late=True, ignore_result=True)
def followups_remind_task() -> None:
    """Remind owners of cases whose SLA is about to pass (each case once)."""
    for followup_id in services.followups_to_remind():
        followup = FollowUp.objects.select_related("organization", "owner").get(
            pk=followup_id
        )
        message = emails.owner_message(followup, reminder=True)
        if message is not None:
            message.send()
