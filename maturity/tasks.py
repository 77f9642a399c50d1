"""Celery entry points of the maturity app: ids in, one service call."""

from __future__ import annotations

from celery import shared_task

from maturity import services


@shared_task(acks_late=True)
def assessment_compute_task(assessment_id: int) -> None:
    services.assessment_compute(assessment_id=assessment_id)


@shared_task(acks_late=True)
def assessments_monthly_task() -> None:
    services.assessments_schedule_monthly()


@shared_task(acks_late=True, ignore_result=True)
def assessments_sweep_task() -> None:
    for assessment_id in services.assessments_sweep():
        assessment_compute_task.delay(assessment_id)
