"""Celery entry points of the surveys app: ids in, one service call each.

Every task is safe to run twice: the services claim their row with a conditional
update, so a duplicate or redelivered message does nothing. Waits longer than a minute
are never left in the broker: the row's ``due_at`` holds them and the sweeper (beat,
every CX_SWEEP_SECONDS) dispatches what is due.
"""

from __future__ import annotations

from collections.abc import Sequence

from celery import shared_task

from surveys.services import delivery, reminders, retention


def invitations_dispatch(invitation_ids: Sequence[int]) -> None:
    """Queue the sending of ``invitation_ids``, a few per task."""
    size = delivery.SEND_BATCH
    for start in range(0, len(invitation_ids), size):
        invitations_send_task.delay(list(invitation_ids[start : start + size]))


@shared_task(acks_late=True, ignore_result=True)
def invitations_send_task(invitation_ids: list[int]) -> None:
    results = delivery.invitations_send(invitation_ids=invitation_ids)
    for invitation_id, result in results.items():
        if result.retry_in is not None and result.retry_in <= delivery.COUNTDOWN_LIMIT:
            invitations_send_task.apply_async(
                ([invitation_id],), countdown=result.retry_in.total_seconds()
            )


@shared_task(acks_late=True, ignore_result=True)
def invitation_send_task(invitation_id: int) -> None:
    invitations_send_task([invitation_id])


@shared_task(acks_late=True, ignore_result=True)
def reminder_send_task(invitation_id: int) -> None:
    reminders.reminder_send(invitation_id=invitation_id)


@shared_task(acks_late=True, ignore_result=True)
def invitations_sweep_task() -> None:
    work = delivery.invitations_sweep()
    invitations_dispatch(work["due"])
    for invitation_id in work["reminders"]:
        reminder_send_task.delay(invitation_id)


@shared_task(acks_late=True)
def responses_retention_task() -> dict[str, dict[str, int]]:
    """Anonymise responses past each organisation's retention period (beat, daily)."""
    return retention.responses_retention_apply()
