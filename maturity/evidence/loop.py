"""D5 closed loop: scored on what people did with the cases, not on what the product did.

The product opens a case by itself for every negative answer its policy names: the share
of negative answers with a case shows the policy (level 2 at most). The practice shows in
what staff did: negative answers whose case staff started or closed, cases started
within the SLA, cases past their SLA closed with a root
cause, cases closed within the SLA, and recovery measured. A case is *judged* once its
SLA has passed by the period's end or staff acted on it; a case still inside its SLA
and untouched is not yet late. Answers nobody can follow up (anonymous, or from no
known customer) are not counted as negative answers waiting for a case.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, Min, OuterRef, Q

from cx.models import Organization
from followups.models import FollowUp
from maturity.evidence.listening import completed
from maturity.evidence.period import Period
from maturity.scoring import Observation
from surveys.models import Answer, Question

LOOP_SAMPLE = 20000

NEGATIVE = (
    Q(question__type=Question.Type.NPS, number__lte=6)
    | Q(question__type=Question.Type.CSAT, number__lte=2)
    | Q(question__type=Question.Type.CES, number__lte=3)
    | Q(question__type=Question.Type.FCR, number=0)
)


def closed_loop(organization: Organization, period: Period) -> dict[str, Observation]:
    """D5: did staff work the cases, in time, with a root cause, and measure recovery.

    The share of negative answers with a case is measured on the period's latest
    ``LOOP_SAMPLE`` live answers of known customers (a bounded sample, read backwards
    along the primary key), so it costs the same for a thousand responses or a million;
    the cases' own figures count every case opened in the period.

    The sample is every response of the period from the oldest of those on, so the
    database reads their answers by one range of response ids, not one lookup each.
    """
    known = completed(organization, period).filter(
        customer__isnull=False, is_anonymous=False
    )
    oldest = known.order_by("-pk")[:LOOP_SAMPLE].aggregate(oldest=Min("pk"))["oldest"]
    answered = {"total": 0, "with_case": 0, "followed": 0}
    if oldest is not None:
        negative_answers = Answer.objects.filter(
            NEGATIVE, response=OuterRef("pk"), response_id__gte=oldest
        )
        answered = (
            known.filter(pk__gte=oldest)
            .filter(Exists(negative_answers))
            .aggregate(
                total=Count("pk"),
                with_case=Count("pk", filter=Q(followup__isnull=False)),
                followed=Count(
                    "pk",
                    filter=Q(followup__started_at__isnull=False)
                    | Q(followup__closed_by__isnull=False),
                ),
            )
        )
    cases = FollowUp.objects.for_organization(organization).filter(
        opened_at__gte=period.start, opened_at__lt=period.end
    )
    # What staff did: started a case (a person's action in the queue), or closed it.
    started = Q(started_at__isnull=False)
    closed_by_staff = Q(state=FollowUp.State.CLOSED, closed_by__isnull=False)
    past_sla = Q(due_at__lt=period.end)
    counts = cases.aggregate(
        worked=Count("pk", filter=started | closed_by_staff),
        judged=Count("pk", filter=past_sla | started | closed_by_staff),
        started_in_time=Count(
            "pk",
            filter=Q(started_at__lte=F("due_at"))
            | (Q(started_at__isnull=True) & closed_by_staff & Q(closed_at__lte=F("due_at"))),
        ),
        judged_for_closing=Count("pk", filter=past_sla | closed_by_staff),
        closed_in_time=Count("pk", filter=closed_by_staff & Q(closed_at__lte=F("due_at"))),
        with_cause=Count("pk", filter=closed_by_staff & ~Q(root_cause="")),
        closed_known=Count("pk", filter=closed_by_staff & Q(customer__isnull=False)),
        recovery_measured=Count(
            "pk",
            filter=closed_by_staff
            & Q(customer__isnull=False, recovery_invitation__isnull=False)
            & Q(recovered__isnull=False),
        ),
    )  # fmt: skip
    return {
        "d5_staff_worked": Observation.flag(
            counts["worked"] > 0, context=f"{counts['worked']} cases worked by staff"
        ),
        "d5_case_share": Observation.share(answered["with_case"], answered["total"]),
        "d5_followed_up": Observation.share(answered["followed"], answered["total"]),
        "d5_within_sla": Observation.share(counts["started_in_time"], counts["judged"]),
        "d5_root_cause": Observation.share(
            counts["with_cause"], counts["judged_for_closing"]
        ),
        "d5_closed_within_sla": Observation.share(
            counts["closed_in_time"], counts["judged_for_closing"]
        ),
        "d5_recovery_measured": Observation.share(
            counts["recovery_measured"], counts["closed_known"]
        ),
    }
