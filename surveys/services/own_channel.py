"""Invitations delivered through the caller's own channel (SMS, an app, a chat window).

The product sends no email: the invitation is *sent* the moment it is made, and its
answer link goes back once, in the API answer that made it. The token stays derived
and stored only as its digest (``Invitation.token``), so no later read shows the link.
A trigger rule whose ``channel`` is ``own`` makes such invitations from events
(``surveys.services.triggers``); ``invitation_own_channel_create`` makes one on request.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cx.models import Customer, Organization
from surveys.models import DeliveryChannel, Invitation, Survey


@transaction.atomic
def invitation_own_channel_create(
    *,
    organization: Organization,
    survey: Survey,
    customer: Customer,
    expiry_days: int = 14,
) -> Invitation:
    """Make an invitation of ``survey`` for ``customer`` that the caller delivers.

    Refused (``ValidationError`` by field) when the survey is not active or the
    customer opted out. The contact-frequency limits do not apply: the caller asked
    for this one invitation.
    """
    errors: dict[str, list[str]] = {}
    if survey.organization_id != organization.pk or not survey.is_open:
        errors["survey"] = [_("The survey is not active.")]
    if customer.organization_id != organization.pk:
        errors["customer"] = [_("No customer has this external id.")]
    elif customer.opted_out:
        errors["customer"] = [_("The customer has opted out of surveys.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    invitation = Invitation(
        organization=organization,
        survey=survey,
        customer=customer,
        origin=Invitation.Origin.LIST,
        channel=DeliveryChannel.OWN,
        email="",
        language=survey.language_for(customer.preferred_language()),
        state=Invitation.State.SENT,
        due_at=now,
        sent_at=now,
        expires_at=now + timedelta(days=expiry_days),
    )
    invitation.save()
    return invitation
