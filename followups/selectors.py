"""Follow-up reads for the staff pages and the dashboard."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
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
