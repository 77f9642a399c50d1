"""What the follow-up app forgets when a customer is erased or their responses grow old.

A case keeps what the recovery rate and the root-cause counts are made of (state,
times, root cause, recovered); the staff's own words about the person (the action
taken) are replaced, and an old case no longer names its customer. The reason a case
opened is kept: it is built from scores and the organisation's keywords, not from the
customer's text (``followups.rules.reasons``).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cx.models import Customer, Organization
from cx.services.privacy import REDACTED, admin_history_redact
from followups.models import CaseActivity, FollowUp
from surveys.models import Invitation, Response

_HAS_WORDS = ~Q(action_taken="") & ~Q(action_taken=REDACTED)
# The staff's own words in a case's history: its notes and what closing it said was done.
_WORDS_KINDS = (CaseActivity.Kind.NOTED, CaseActivity.Kind.CLOSED)


def _history_redact(cases: QuerySet[FollowUp]) -> int:
    """Replace the staff's words in the history of ``cases``; keep who did what when."""
    return (
        CaseActivity.objects.filter(followup__in=cases, kind__in=_WORDS_KINDS)
        .exclude(text="")
        .exclude(text=REDACTED)
        .update(text=REDACTED)
    )


def customer_erase_followups(*, customer: Customer) -> None:
    """Replace the action taken on the customer's cases; keep the cases for the counts."""
    cases = FollowUp.objects.filter(
        Q(customer=customer) | Q(response__customer=customer)
    )
    admin_history_redact(objects=cases)
    cases.filter(_HAS_WORDS).update(action_taken=REDACTED)
    _history_redact(cases)


def followups_anonymise(
    *, organization: Organization, responses: QuerySet[Response]
) -> dict[str, int]:
    """Detach the cases of ``responses`` from their customers and replace their texts.

    A retention step (``surveys.services.retention``): a few UPDATEs, whatever the number
    of cases, and nothing on a second run. The recovery survey a case sent goes with
    it, answered or not, since it names the same person.
    """
    cases = FollowUp.objects.for_organization(organization).filter(
        response__in=responses
    )
    admin_history_redact(objects=cases)
    detached = cases.filter(customer__isnull=False).update(customer=None)
    rewritten = cases.filter(_HAS_WORDS).update(action_taken=REDACTED)
    rewritten += _history_redact(cases)
    recoveries = Invitation.objects.filter(recovered_followup__in=cases).filter(
        ~Q(email="") | ~Q(last_error="") | Q(customer__isnull=False)
    )
    admin_history_redact(objects=recoveries)
    blanked = recoveries.update(email="", last_error="", customer=None)
    return {
        "followups_detached": detached,
        "followup_actions_removed": rewritten,
        "recovery_invitations_blanked": blanked,
    }
