"""Celery entry points of comment understanding: ids in, one service call each."""

from __future__ import annotations

from celery import shared_task

from cx.models import Organization
from insights.text import alerts, services


@shared_task(acks_late=True, ignore_result=True)
def comment_analyse_task(response_id: int) -> None:
    """Tag one completed response's comments (a no-op when already done)."""
    services.comment_analyse(response_id=response_id)


@shared_task(acks_late=True, ignore_result=True)
def text_models_train_task() -> None:
    """Retrain every organisation's themes and sentiment (edits are kept)."""
    for organization in Organization.objects.all():
        services.text_model_train(organization=organization)


@shared_task(acks_late=True, ignore_result=True)
def theme_alerts_task() -> None:
    """Alert touchpoint owners of this week's rising themes, once per theme and week."""
    for organization in Organization.objects.all():
        alerts.theme_alerts_send(organization=organization)


@shared_task(acks_late=True, ignore_result=True)
def text_model_train_task(organization_id: int) -> None:
    """Retrain one organisation's themes and sentiment (asked for by its manager)."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is not None:
        services.text_model_train(organization=organization)
