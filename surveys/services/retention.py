"""Retention: anonymise the responses an organisation keeps no longer (GDPR art. 5(1)(e)).

An organisation that sets ``response_retention_months`` keeps identified feedback that
long. Every day (beat: ``surveys.tasks.responses_retention_task``) the responses older
than that — completed before the cutoff, or started before it and never completed —
are anonymised:

* the response no longer names its customer and is marked anonymous;
* free-text answers are blanked (scores and choices stay);
* its invitation's address, delivery error and customer are blanked, and so are those
  of invitations from before the cutoff that were never answered and have expired;
* the business event behind it loses its customer, properties and id (the event and
  its touchpoint stay for the funnel), and its suppressions their customer and detail;
* every app in ``CX_RESPONSE_ANONYMISERS`` removes what it holds about those responses
  (follow-up actions, internal notes, webhook payloads);
* the admin history pictures those rows by id only.

Scores, states, times and the touchpoint, journey, process and segment snapshots stay,
so every metric is the same before and after. Each step is one UPDATE per organisation
that changes only rows not yet anonymised, so a second run changes nothing, and the
counts returned say what changed. The customer rows themselves stay: an organisation
erases a person with ``cx.services.customers.customer_erase``.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cx.models import Event, Organization
from cx.plugins import plugins
from cx.services.privacy import (
    ERASED_EVENT_ID_PREFIX,
    admin_history_redact,
    events_renamed,
)
from surveys.models import Answer, Invitation, Response, Suppression

logger = logging.getLogger(__name__)

Counts = dict[str, int]


def _anonymisers() -> tuple[Callable[..., Counts], ...]:
    return plugins("CX_RESPONSE_ANONYMISERS")


def months_before(moment: datetime, months: int) -> datetime:
    """Return ``moment`` moved back ``months`` calendar months (31 March − 1 → 28/29 Feb)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def responses_older_than(
    *, organization: Organization, cutoff: datetime
) -> QuerySet[Response]:
    """Return the organisation's responses completed (or, unfinished, started) before ``cutoff``."""
    return Response.objects.for_organization(organization).filter(
        Q(completed_at__lt=cutoff) | Q(completed_at__isnull=True, started_at__lt=cutoff)
    )


def organization_responses_anonymise(
    *, organization: Organization, now: datetime | None = None, dry_run: bool = False
) -> Counts:
    """Anonymise the organisation's responses older than its retention period.

    Return the number of rows changed per kind (empty when no period is set). With
    ``dry_run`` the same statements run and are rolled back, so the counts are exact.
    """
    months = organization.response_retention_months
    if not months:
        return {}
    now = now or timezone.now()
    cutoff = months_before(now, months)
    with transaction.atomic():
        counts = _anonymise(organization, cutoff, now)
        if dry_run:
            transaction.set_rollback(True)
    logger.info(
        "Retention%s: organisation %s, %d months, before %s: %s",
        " (dry run)" if dry_run else "",
        organization.pk,
        months,
        cutoff.isoformat(),
        counts,
    )
    return counts


def responses_retention_apply(
    *, now: datetime | None = None, dry_run: bool = False
) -> dict[str, Counts]:
    """Apply every organisation's retention period; return the counts by organisation slug.

    Each organisation commits on its own, so one that fails holds up no other.
    """
    now = now or timezone.now()
    report: dict[str, Counts] = {}
    organizations = Organization.objects.filter(response_retention_months__gt=0)
    for organization in organizations.order_by("pk"):
        try:
            report[organization.slug] = organization_responses_anonymise(
                organization=organization, now=now, dry_run=dry_run
            )
        except Exception:
            logger.exception("Retention failed for organisation %s", organization.pk)
    return report


def _anonymise(organization: Organization, cutoff: datetime, now: datetime) -> Counts:
    responses = responses_older_than(organization=organization, cutoff=cutoff)
    answers = Answer.objects.filter(response__in=responses)
    invitations = Invitation.objects.for_organization(organization).filter(
        Q(response__in=responses)
        | Q(response__isnull=True, created_at__lt=cutoff, expires_at__lt=now)
    )
    events = Event.objects.for_organization(organization).filter(
        Q(pk__in=responses.values("event_id"))
        | Q(pk__in=invitations.values("event_id"))
    )
    suppressions = Suppression.objects.for_organization(organization).filter(
        event__in=events
    )
    for rows in (responses, answers, invitations, events, suppressions):
        admin_history_redact(objects=rows)
    counts: Counts = {}
    # The other apps first: they may look through the responses at what these blank.
    for anonymiser in _anonymisers():
        counts.update(anonymiser(organization=organization, responses=responses))
    counts["responses_anonymised"] = responses.filter(
        Q(customer__isnull=False) | Q(is_anonymous=False)
    ).update(customer=None, is_anonymous=True)
    counts["answers_blanked"] = answers.exclude(text="").update(text="")
    counts["invitations_blanked"] = invitations.filter(
        ~Q(email="") | ~Q(last_error="") | Q(customer__isnull=False)
    ).update(email="", last_error="", customer=None)
    counts["events_detached"] = events.filter(
        Q(customer__isnull=False)
        | ~Q(properties={})
        | ~Q(event_id__startswith=ERASED_EVENT_ID_PREFIX)
    ).update(customer=None, properties={}, event_id=events_renamed())
    counts["suppressions_blanked"] = suppressions.filter(
        Q(customer__isnull=False) | ~Q(detail="")
    ).update(customer=None, detail="")
    return counts
