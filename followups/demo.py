"""The demo's follow-up policy: cases close with a short recovery survey to the customer."""

from __future__ import annotations

from cx.demo import Progress
from cx.models import Organization
from followups.services import followup_policy_recovery_set
from surveys.models import Survey


def load_followups(organization: Organization, progress: Progress) -> None:
    """Configure the demo's recovery survey in the follow-up policy."""
    recovery = (
        Survey.objects.for_organization(organization)
        .filter(purpose=Survey.Purpose.RECOVERY)
        .order_by("pk")
        .first()
    )
    followup_policy_recovery_set(organization=organization, survey=recovery)
    progress("follow-up policy")
