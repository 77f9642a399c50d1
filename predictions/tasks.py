"""Celery entry points of the predictions app: ids in, one service call."""

from __future__ import annotations

from celery import shared_task

from predictions import services


@shared_task(acks_late=True)
def training_run_task(version_id: int) -> None:
    services.training_run(version_id=version_id)


@shared_task(acks_late=True)
def trainings_schedule_task() -> None:
    services.trainings_schedule()


@shared_task(acks_late=True)
def trainings_sweep_task() -> None:
    services.trainings_sweep()


@shared_task(acks_late=True)
def customers_score_task(organization_id: int, customer_ids: list[int]) -> None:
    services.customers_rescore(
        organization_id=organization_id, customer_ids=customer_ids
    )
