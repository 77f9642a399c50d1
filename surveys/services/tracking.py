"""What the email provider reports about a message we sent: bounces, complaints, opt-outs."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q

from cx.models import Customer
from surveys.models import Invitation, UndeliverableAddress

logger = logging.getLogger(__name__)

State = Invitation.State
DELIVERED = [State.SENT, State.OPENED, State.ANSWERED]


def tracking_event_record(
    *, kind: str, email: str, invitation_id: int | None, detail: str = ""
) -> UndeliverableAddress | None:
    """Record what the email provider reported about a message we sent.

    ``kind``: "bounced" (a hard bounce), "complained" (marked as spam), "rejected" (the
    provider refused the address) or "unsubscribed". The first three make the address
    undeliverable for the organisation that sent the message, so nothing more goes to
    it; a bounce also fails the invitation, which never arrived. "unsubscribed" opts
    the customer out. The organisation comes from the invitation the message carried;
    without one, from the latest invitation sent to the address.
    """
    candidates = Invitation.objects.filter(email__iexact=email)
    invitation = (
        candidates.filter(pk=invitation_id).first() if invitation_id else None
    ) or candidates.filter(state__in=DELIVERED).order_by("-sent_at").first()
    if invitation is None:
        logger.info(
            "Tracking event %s for an address we never sent to (invitation %s)",
            kind,
            invitation_id,
        )
        return None
    if kind == "unsubscribed":
        if invitation.customer_id is not None:
            Customer.objects.filter(pk=invitation.customer_id).update(opted_out=True)
        return None
    reason = {
        "bounced": UndeliverableAddress.Reason.BOUNCED,
        "complained": UndeliverableAddress.Reason.COMPLAINED,
    }.get(kind, UndeliverableAddress.Reason.REJECTED)
    with transaction.atomic():
        address = UndeliverableAddress.objects.filter(
            organization_id=invitation.organization_id, email__iexact=email
        ).first() or UndeliverableAddress.objects.create(
            organization_id=invitation.organization_id,
            email=email.lower(),
            reason=reason,
            detail=detail[:300],
        )
        if kind != "complained":  # a complaint means it did arrive
            Invitation.objects.filter(pk=invitation.pk, state=State.SENT).update(
                state=State.FAILED,
                next_reminder_at=None,
                last_error=f"{kind}: {detail}"[:2000],
            )
        Invitation.objects.filter(
            Q(organization_id=invitation.organization_id)
            & Q(email__iexact=email)
            & Q(next_reminder_at__isnull=False)
        ).update(next_reminder_at=None)
    return address
