"""Emails to the owner of a case: a new or handed-over case, and a reminder before its SLA.

Each is in the owner's own language (their membership's, else the organisation's), every
part of it: the reason ("CSAT 2; not resolved on first contact") and the answers, which
are shown as asked (``surveys.presentation``), the questions in the customer's words.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from cx.emails import render
from followups.models import FollowUp
from followups.rules import reason_text
from surveys import presentation


def owner_message(
    followup: FollowUp, *, reminder: bool = False, assigned: bool = False
) -> EmailMultiAlternatives | None:
    """Return the email telling the case's owner about it, or None without an address."""
    owner = followup.owner
    if owner is None or not owner.email:
        return None
    language = followup.organization.language_of(followup.owner_id)
    response = followup.response
    with translation.override(language):
        shown = presentation.response_answers(
            response, response.answers.select_related("question")
        )
        context = {
            "followup": followup,
            "reason": reason_text(followup.reason),
            "reminder": reminder,
            "assigned": assigned,
            "scores": presentation.scores_of(shown),
            "comments": presentation.comments_of(shown),
            "url": settings.SITE_URL + reverse("followups:detail", args=[followup.pk]),
        }
    email = render("opened", context, language=language, folder="followups/emails")
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text, to=[owner.email]
    )
    message.attach_alternative(email.html, "text/html")
    return message
