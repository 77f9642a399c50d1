"""Celery entry points of the surveys app: ids in, one service call each.

Every task is safe to run twice: the services claim their row with a conditional
update, so a duplicate or redelivered message does nothing. Waits longer than a minute
are never left in the broker: the row's ``due_at`` holds them and the sweeper (beat,
every CX_SWEEP_SECONDS) dispatches what is due.
"""

from __future__ import annotations

from celery import shared_task

from surveys.services import delivery


@shared_task(acks_late=True, ignore_result=True)
def invitation_send_task(invitation_id: int) -> None:
    result = delivery.invitation_send(invitation_id=invitation_id)
    if result.retry_in is not None and result.retry_in <= delivery.COUNTDOWN_LIMIT:
        invitation_send_task.apply_async(
            (invitation_id,), countdown=result.retry_in.total_seconds()
        )


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
