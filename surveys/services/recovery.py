"""Recovery invitations: the short survey a customer gets when their case is closed.

The follow-up app asks for one here, so that the rules for an invitation (its token,
expiry, language and dispatch) stay in the app that owns invitations.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cx.models import Customer, Organization
from cx.publish import publish_on_commit
from surveys.models import Invitation, Survey

RECOVERY_LINK_DAYS = 14


def recovery_invitation_create(
    *, organization: Organization, survey: Survey, customer: Customer
) -> Invitation:
    """Invite ``customer`` to ``survey`` now, in their language; send it after commit.

    Raises ValueError when the survey or customer is another organisation's, or the
    customer has no email address.
    """
    from surveys.tasks import invitations_dispatch

    if survey.organization_id != organization.pk or (
        customer.organization_id != organization.pk
    ):
        raise ValueError("A recovery invitation stays within one organisation.")
    if not customer.email:
        raise ValueError("A recovery invitation needs the customer's email address.")
    now = timezone.now()
    invitation = Invitation.objects.create(
        organization=organization,
        survey=survey,
        customer=customer,
        origin=Invitation.Origin.RECOVERY,
        email=customer.email,
        language=customer.language or organization.default_language,
        due_at=now,
        expires_at=now + timedelta(days=RECOVERY_LINK_DAYS),
    )
    publish_on_commit(invitations_dispatch, [invitation.pk])
    return invitation
