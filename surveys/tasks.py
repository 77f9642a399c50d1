"""Celery entry points of the surveys app: ids in, one service call each."""

from __future__ import annotations

from celery import shared_task

from surveys.services import delivery


@shared_task(acks_late=True, ignore_result=True)
def invitation_send_task(invitation_id: int) -> None:
    # The claim inside is a conditional UPDATE: a duplicate or redelivered task is a no-op.
    delivery.invitation_send(invitation_id=invitation_id)


@shared_task(acks_late=True, ignore_result=True)
def reminder_send_task(invitation_id: int) -> None:
    delivery.reminder_send(invitation_id=invitation_id)


@shared_task(acks_late=True, ignore_result=True)
def invitations_sweep_task() -> None:
    work = delivery.invitations_sweep()
    for invitation_id in work["due"]:
        invitation_send_task.delay(invitation_id)
    for invitation_id in work["reminders"]:
        reminder_send_task.delay(invitation_id)
