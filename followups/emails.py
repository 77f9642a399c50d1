"""Emails to the owner of a case: a new case, and a reminder before its SLA passes."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from followups.models import FollowUp
from surveys.emails import render


def owner_message(
    followup: FollowUp, *, reminder: bool = False
) -> EmailMultiAlternatives | None:
    """Return the email telling the case's owner about it, or None without an address."""
    owner = followup.owner
    if owner is None or not owner.email:
        return None
    comment = (
        followup.response.answers.filter(question__type="text")
        .exclude(text="")
        .values_list("text", flat=True)
        .first()
    )
    email = render(
        "opened",
        {
            "followup": followup,
            "reminder": reminder,
            "comment": comment or "",
            "url": settings.SITE_URL + reverse("followups:detail", args=[followup.pk]),
        },
        language=followup.organization.default_language,
        folder="followups/emails",
    )
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text, to=[owner.email]
    )
    message.attach_alternative(email.html, "text/html")
    return message
