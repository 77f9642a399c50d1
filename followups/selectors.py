"""Follow-up reads for the staff pages and the dashboard."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from cx.models import Organization
from followups.models import FollowUp


def followup_queue(
    *, organization: Organization, state: str = "", mine_of: object | None = None
) -> QuerySet[FollowUp]:
    """Return the organisation's cases, unresolved first by due time, then closed."""
    cases = FollowUp.objects.for_organization(organization).select_related(
        "touchpoint", "owner", "customer"
    )
    if state == "unresolved":
        cases = cases.unresolved()
    elif state in FollowUp.State.values:
        cases = cases.filter(state=state)
    if mine_of is not None:
        cases = cases.filter(owner=mine_of)
    return cases.order_by("closed_at", "due_at")


def followup_counts(*, organization: Organization) -> dict[str, int | float | None]:
    """Return open, overdue and closed counts and the recovery rate, in one query."""
    now = timezone.now()
    unresolved = ~Q(state=FollowUp.State.CLOSED)
    counts = FollowUp.objects.for_organization(organization).aggregate(
        open=Count("pk", filter=unresolved),
        overdue=Count("pk", filter=unresolved & Q(due_at__lt=now)),
        closed=Count("pk", filter=Q(state=FollowUp.State.CLOSED)),
        recovery_sent=Count("pk", filter=Q(recovery_invitation__isnull=False)),
        recovered=Count("pk", filter=Q(recovered=True)),
    )
    sent = counts["recovery_sent"]
    counts["recovery_rate"] = counts["recovered"] / sent if sent else None
    return counts


def followup_sla(
    *, organization: Organization, since: datetime, until: datetime
) -> dict[str, int]:
    """Return how the cases opened in [since, until) met their deadline, in one query.

    Two measures, because the queue and a report must not seem to disagree: *first
    action within SLA* (the case was started — or closed — by its due time) and *closed
    within SLA* (closed by its due time). A case counts in a measure once it can be
    judged: it has been acted on (or closed), or its due time has passed. ``overdue`` is
    what the queue shows as overdue today among these cases.
    """
    now = timezone.now()
    first_action = Coalesce("started_at", "closed_at")
    due_passed = Q(due_at__lt=now)
    closed = Q(state=FollowUp.State.CLOSED)
    cases = FollowUp.objects.for_organization(organization).filter(
        opened_at__gte=since, opened_at__lt=until
    )
    return cases.annotate(first_action_at=first_action).aggregate(
        cases=Count("pk"),
        closed=Count("pk", filter=closed),
        first_action_judged=Count(
            "pk", filter=Q(first_action_at__isnull=False) | due_passed
        ),
        first_action_in_time=Count("pk", filter=Q(first_action_at__lte=F("due_at"))),
        closed_judged=Count("pk", filter=closed | due_passed),
        closed_in_time=Count("pk", filter=closed & Q(closed_at__lte=F("due_at"))),
        overdue=Count("pk", filter=~closed & due_passed),
    )
