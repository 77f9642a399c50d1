"""Celery entry points of insights: thin, one service call each."""

from __future__ import annotations

from celery import shared_task

from cx.models import Organization
from insights.alerts import deviation_alerts_send


@shared_task(acks_late=True, ignore_result=True)
def deviation_alerts_task() -> None:
    """Check every organisation's touchpoints for deviations and alert their owners."""
    for organization in Organization.objects.all():
        deviation_alerts_send(organization=organization)


# Comment understanding's tasks, registered with the app's (Celery finds insights.tasks).
from insights.text.tasks import (  # noqa: E402, F401
    comment_analyse_task,
    text_model_train_task,
    text_models_train_task,
    theme_alerts_task,
)
