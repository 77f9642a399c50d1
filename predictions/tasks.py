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
