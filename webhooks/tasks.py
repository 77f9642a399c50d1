"""Celery entry points of the webhooks app: ids in, one service call each.

Safe to run twice: the delivery claims its row with a conditional update, so a duplicate
or redelivered message does nothing. Waits longer than a minute never sit in the broker:
the row's ``due_at`` holds them and the sweeper (beat, every CX_SWEEP_SECONDS) dispatches
what is due.
"""

from __future__ import annotations

from celery import shared_task

from webhooks import services


@shared_task(acks_late=True, ignore_result=True)
def webhook_deliver_task(delivery_id: int) -> None:
    result = services.webhook_deliver(delivery_id=delivery_id)
    if result.retry_in is not None and result.retry_in <= services.COUNTDOWN_LIMIT:
        webhook_deliver_task.apply_async(
            (delivery_id,), countdown=result.retry_in.total_seconds()
        )


@shared_task(acks_late=True, ignore_result=True)
def webhook_deliveries_sweep_task() -> None:
    for delivery_id in services.webhook_deliveries_sweep():
        webhook_deliver_task.delay(delivery_id)
