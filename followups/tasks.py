"""Celery entry points of the closed loop: ids in, one service call each."""

from __future__ import annotations

from celery import shared_task

from followups import announcements, emails, services
from followups.models import FollowUp


@shared_task(acks_late=True, ignore_result=True)
def announcement_send_task(announcement_id: int) -> None:
    """Email the owner of a new case; publish the event to the organisation's webhooks."""
    announcements.announcement_send(announcement_id=announcement_id)


@shared_task(acks_late=True, ignore_result=True)
def announcements_sweep_task() -> None:
    for announcement_id in announcements.announcements_sweep():
        announcement_send_task.delay(announcement_id)


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
