"""Follow-up reads for the staff pages and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from cx.digits import is_digits
from cx.models import Membership, Organization
from followups.models import FollowUp
from followups.rules import reason_text
from surveys import presentation
from surveys.models import Answer

# How the queue may be sorted: query value → (label, order_by).
SORTS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "due": (_("Due first"), ("closed_at", "due_at")),
    "newest": (_("Newest first"), ("-opened_at",)),
    "oldest": (_("Oldest first"), ("opened_at",)),
    "touchpoint": (_("By touchpoint"), ("touchpoint__name", "due_at")),
}
SORT_LABELS = {key: label for key, (label, _order) in SORTS.items()}


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters from a query string; what does not parse is ignored."""

    state: str = "unresolved"
    mine: bool = False
    overdue: bool = False
    touchpoint: int | None = None
    journey: int | None = None
    sort: str = "due"
    # Opened on these days (the organisation's), as the dashboard's loop counts them.
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_query(cls, query: Any) -> QueueFilters:
        def number(key: str) -> int | None:
            raw = query.get(key, "").strip()
            return int(raw) if is_digits(raw) and len(raw) < 9 else None

        def day(key: str) -> date | None:
            try:
                return parse_date(query.get(key, "").strip()[:10])
            except ValueError:
                return None

        sort = query.get("sort", "due")
        return cls(
            state=query.get("state", "unresolved")[:20],
            mine=query.get("mine") == "1",
            overdue=query.get("overdue") == "1",
            touchpoint=number("touchpoint"),
            journey=number("journey"),
            sort=sort if sort in SORTS else "due",
            since=day("since"),
            until=day("until"),
        )


def followup_queue(
    *,
    organization: Organization,
    state: str = "",
    mine_of: User | None = None,
    filters: QueueFilters | None = None,
) -> QuerySet[FollowUp]:
    """Return the organisation's cases, unresolved first by due time, then closed.

    ``state`` is a case state, "unresolved", or a step of the loop: "recovery_sent"
    (closed with a recovery survey) or "recovered" (its answer was positive).
    """
    filters = filters or QueueFilters(state=state)
    cases = FollowUp.objects.for_organization(organization).select_related(
        "touchpoint", "journey", "owner", "customer", "response"
    )
    if state == "unresolved":
        cases = cases.unresolved()
    elif state in FollowUp.State.values:
        cases = cases.filter(state=state)
    elif state == "recovery_sent":
        cases = cases.filter(recovery_invitation__isnull=False)
    elif state == "recovered":
        cases = cases.filter(recovered=True)
    if filters.since:
        start = datetime.combine(filters.since, time.min, organization.tzinfo)
        cases = cases.filter(opened_at__gte=start)
    if filters.until:
        end = datetime.combine(
            filters.until + timedelta(days=1), time.min, organization.tzinfo
        )
        cases = cases.filter(opened_at__lt=end)
    if mine_of is not None:
        cases = cases.filter(owner=mine_of)
    if filters.overdue:
        cases = cases.overdue()
    if filters.touchpoint:
        cases = cases.filter(touchpoint_id=filters.touchpoint)
    if filters.journey:
        cases = cases.filter(journey_id=filters.journey)
    return cases.order_by(*SORTS[filters.sort][1])


@dataclass(frozen=True)
class QueueRow:
    """A case as the queue lists it: who, where, why, what they said, when due."""

    case: FollowUp
    customer: str
    reason: str
    scores: list[presentation.ShownAnswer]
    comment: str
    category: str


def queue_rows(cases: list[FollowUp]) -> list[QueueRow]:
    """Return the queue's rows, with the answers of all ``cases`` read in one query."""
    answers: dict[int, list[Answer]] = {}
    for answer in Answer.objects.filter(
        response_id__in=[case.response_id for case in cases]
    ).select_related("question"):
        answers.setdefault(answer.response_id, []).append(answer)
    rows = []
    for case in cases:
        shown = presentation.response_answers(
            case.response, answers.get(case.response_id, [])
        )
        scores = presentation.scores_of(shown)
        comments = presentation.comments_of(shown)
        customer = case.customer
        rows.append(
            QueueRow(
                case=case,
                customer=(
                    ""
                    if case.response.is_anonymous or customer is None
                    else customer.name or customer.external_id
                ),
                reason=reason_text(case.reason),
                scores=scores,
                comment=comments[0].value if comments else "",
                category=presentation.headline_category(scores),
            )
        )
    return rows


def colleagues(*, organization: Organization) -> list[User]:
    """Return the organisation's active staff, whom a case may be given to."""
    return [
        membership.user
        for membership in Membership.objects.for_organization(organization)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__username")
    ]


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


def closed_loop_counts(
    *,
    organization: Organization,
    since: datetime,
    until: datetime,
    journey: int | None = None,
) -> dict[str, int]:
    """Return the cases opened in [since, until): opened, closed, recovery sent, recovered.

    One query; the dashboard shows them as the loop's steps for its period.
    """
    cases = FollowUp.objects.for_organization(organization).filter(
        opened_at__gte=since, opened_at__lt=until
    )
    if journey is not None:
        cases = cases.filter(journey_id=journey)
    return cases.aggregate(
        opened=Count("pk"),
        closed=Count("pk", filter=Q(state=FollowUp.State.CLOSED)),
        recovery_sent=Count("pk", filter=Q(recovery_invitation__isnull=False)),
        recovered=Count("pk", filter=Q(recovered=True)),
    )


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
