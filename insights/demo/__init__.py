"""Demo history: the last 90 days of customers, events, invitations, answers and cases.

The numbers tell the story of DESIGN.md §1 (seed 002): the mortgage *application* is the
friction point (low effort and NPS scores, many "what would have made applying easier"
comments), the advisor chat does well, claims handling is middling, valuable customers
are a little happier, and the application's scores fall over the last three weeks as a
new application form is rolled out, so that trends and deviation alerts show something.

Rows are made in Python from one seeded ``random.Random`` and written with
``bulk_create``, as the product itself would have written them: customers and events;
per event and matching trigger rule an invitation or a suppression (decided in event
order by the product's own ``surveys.trigger_decision``; an address that bounces is
undeliverable from then on); responses with their answers, context copies and segment
snapshots; and a follow-up case wherever the policy calls for one. Nothing is sent: the
invitations are history, with their reminders done. The step does nothing when history
exists already, and ``CX_DEMO_HISTORY_DAYS = 0`` skips it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import models, transaction

from cx.demo import Progress
from cx.models import Customer, Event, Journey, Organization, Touchpoint
from insights.demo.content import EVENT_PREFIX, HISTORY_RULES, HISTORY_SURVEYS
from insights.demo.history import History
from insights.metrics import Metric
from insights.models import MetricTarget
from insights.targets import metric_targets_set
from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    Suppression,
    Survey,
    TriggerRule,
    UndeliverableAddress,
)
from surveys.models.surveys import new_public_token


@contextmanager
def _past_timestamps() -> Iterator[None]:
    """Let history rows keep their past dates instead of ``auto_now(_add)``'s "now".

    ``bulk_create`` stamps these fields with the current time whatever the row says, so
    they are switched off while the history is written (the loader runs alone in its
    process; they are switched back on however the step ends).
    """
    stamped = [
        f
        for model in (
            Customer,
            Invitation,
            Suppression,
            UndeliverableAddress,
            Response,
            Answer,
        )
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]
    for f in stamped:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def load_history(organization: Organization, progress: Progress) -> None:
    """Create ``CX_DEMO_HISTORY_DAYS`` days of demo history, unless it exists already."""
    days = int(getattr(settings, "CX_DEMO_HISTORY_DAYS", 90))
    if days <= 0:
        progress("history skipped")
        return
    if (
        Event.objects.for_organization(organization)
        .filter(event_id__startswith=EVENT_PREFIX)
        .exists()
    ):
        progress("history exists")
        return
    with transaction.atomic(), _past_timestamps():
        _history_surveys(organization)
        History(organization, days, progress).write()


def _history_surveys(organization: Organization) -> None:
    """Create the offer, claim and public-link surveys and the offer and claim rules."""
    surveys = {}
    for name, public, title, questions in HISTORY_SURVEYS:
        survey, _ = Survey.objects.update_or_create(
            organization=organization,
            name=name,
            defaults={
                "status": Survey.Status.ACTIVE,
                "languages": ["fi", "sv", "en"],
                "title": title,
                "is_anonymous": public,
            },
        )
        if public and not survey.public_token:
            survey.public_token = new_public_token()
            survey.save(update_fields=["public_token"])
        for position, (key, type_, text, required, condition) in enumerate(
            questions, start=1
        ):
            Question.objects.update_or_create(
                survey=survey,
                key=key,
                defaults={
                    "position": position,
                    "type": type_,
                    "text": text,
                    "required": required,
                    "condition": condition,
                },
            )
        surveys[name] = survey
    for rule_name, (
        event_type,
        survey_name,
        priority,
        sampling,
    ) in HISTORY_RULES.items():
        TriggerRule.objects.update_or_create(
            organization=organization,
            name=rule_name,
            defaults={
                "survey": surveys[survey_name],
                "touchpoint": Touchpoint.objects.for_organization(organization).get(
                    event_types__event_type=event_type
                ),
                "sampling_percent": sampling,
                "expiry_days": 14,
                "reminder_count": 1,
                "reminder_interval_days": 3,
                "priority": priority,
                "is_active": True,
            },
        )


# What Demo Bank's CX team aims at: a bank's realistic goals, above today's scores on the
# mortgage journey (so it ranks first to fix) and met by the advisor chat; each main
# journey has its own NPS and CSAT targets.
DEMO_TARGETS: dict[Metric, float] = {
    Metric.NPS: 10.0,
    Metric.CSAT: 80.0,
    Metric.CES: 5.0,
    Metric.FCR: 85.0,
    Metric.RESPONSE_RATE: 40.0,
}
DEMO_JOURNEY_TARGETS: dict[str, dict[Metric, float]] = {
    "Mortgage": {Metric.NPS: 0.0, Metric.CSAT: 75.0},
    "Insurance claim": {Metric.NPS: 10.0, Metric.CSAT: 80.0},
}


def load_targets(organization: Organization, progress: Progress) -> None:
    """Set the demo's metric targets, unless the organisation has set its own."""
    if MetricTarget.objects.for_organization(organization).exists():
        progress("targets exist")
        return
    metric_targets_set(organization=organization, values=dict(DEMO_TARGETS))
    for name, values in DEMO_JOURNEY_TARGETS.items():
        journey = Journey.objects.for_organization(organization).get(name=name)
        metric_targets_set(
            organization=organization, values=dict(values), journey=journey
        )
    progress("targets set")
