"""The invitation funnel per touchpoint: where customers drop out between event and answer.

events → matched (an invitation or a suppression per rule that matched) → suppressed,
by reason → sent → opened → started → completed. Everything counted follows the events
that occurred in [since, until), so every step is a subset of the cohort's earlier step
(except ``matched``, which can exceed ``events`` when several rules match one event).
Three aggregate queries (events, invitations, suppressions) and one for the names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from cx.models import Event, Organization, Touchpoint
from followups.models import FollowUp
from insights.selectors.rows import Label
from surveys.models import Invitation, Response, Suppression


@dataclass
class FunnelRow:
    """One touchpoint's funnel; ``touchpoint`` is None for events no touchpoint names."""

    touchpoint: Label | None
    events: int = 0
    matched: int = 0
    suppressed: dict[str, int] = field(default_factory=dict)
    sent: int = 0
    opened: int = 0
    started: int = 0
    completed: int = 0
    # The closed loop: cases opened for this touchpoint's responses, and those whose
    # recovery survey came back positive.
    followup_opened: int = 0
    recovered: int = 0

    @property
    def suppressed_total(self) -> int:
        return sum(self.suppressed.values())


def _in_period(
    rows: QuerySet[Any], path: str, since: datetime | None, until: datetime | None
) -> QuerySet[Any]:
    if since is not None:
        rows = rows.filter(**{f"{path}__gte": since})
    if until is not None:
        rows = rows.filter(**{f"{path}__lt": until})
    return rows


def funnel(
    *,
    organization: Organization,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[FunnelRow]:
    """Return the funnel of every touchpoint (in journey order) for events in the period.

    Touchpoints with no events are listed with zeros: a silent touchpoint is a finding.
    """
    touchpoints = Touchpoint.objects.for_organization(organization).order_by(
        "journey__name", "position"
    )
    rows: dict[int | None, FunnelRow] = {
        touchpoint.pk: FunnelRow({"id": touchpoint.pk, "name": touchpoint.name})
        for touchpoint in touchpoints.only("pk", "name")
    }

    def row_of(touchpoint_id: int | None) -> FunnelRow:
        if touchpoint_id not in rows:
            rows[touchpoint_id] = FunnelRow(None)
        return rows[touchpoint_id]

    events = _in_period(
        Event.objects.for_organization(organization), "occurred_at", since, until
    )
    for found in events.values("touchpoint_id").annotate(n=Count("*")).order_by():
        row_of(found["touchpoint_id"]).events = found["n"]

    invitations = _in_period(
        Invitation.objects.for_organization(organization).filter(event__isnull=False),
        "event__occurred_at",
        since,
        until,
    )
    opened = Q(opened_at__isnull=False) | Q(answered_at__isnull=False)
    steps = (
        invitations.values("event__touchpoint_id")
        .annotate(
            invited=Count("*"),
            sent=Count("pk", filter=Q(sent_at__isnull=False)),
            opened=Count("pk", filter=opened),
            started=Count("pk", filter=Q(response__isnull=False)),
            completed=Count("pk", filter=Q(response__state=Response.State.COMPLETED)),
        )
        .order_by()
    )
    for found in steps:
        row = row_of(found["event__touchpoint_id"])
        row.matched += found["invited"]
        row.sent, row.opened = found["sent"], found["opened"]
        row.started, row.completed = found["started"], found["completed"]

    suppressions = _in_period(
        Suppression.objects.for_organization(organization),
        "event__occurred_at",
        since,
        until,
    )
    by_reason: dict[int | None, dict[str, int]] = defaultdict(dict)
    for found in (
        suppressions.values("event__touchpoint_id", "reason")
        .annotate(n=Count("*"))
        .order_by("reason")
    ):
        by_reason[found["event__touchpoint_id"]][found["reason"]] = found["n"]
    for touchpoint_id, reasons in by_reason.items():
        row = row_of(touchpoint_id)
        row.suppressed = reasons
        row.matched += sum(reasons.values())

    cases = _in_period(
        FollowUp.objects.for_organization(organization),
        "response__event__occurred_at",
        since,
        until,
    )
    for found in (
        cases.values("touchpoint_id")
        .annotate(opened=Count("pk"), recovered=Count("pk", filter=Q(recovered=True)))
        .order_by()
    ):
        row = row_of(found["touchpoint_id"])
        row.followup_opened, row.recovered = found["opened"], found["recovered"]

    return list(rows.values())
