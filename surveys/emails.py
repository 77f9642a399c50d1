"""Survey emails: each is three templates (subject, text, HTML) rendered in one language.

``templates/surveys/emails/<name>_subject.txt``, ``<name>_body.txt``,
``<name>_body.html``. The personal link, the one-click score row and the unsubscribe
headers are built here, so every email of the product carries them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from surveys.models import Invitation, Question
from surveys.models.surveys import translate

ONE_CLICK_TYPES = (Question.Type.NPS, Question.Type.CSAT)


@dataclass(frozen=True)
class ScoreLink:
    score: int
    url: str


def survey_url(invitation: Invitation) -> str:
    return f"{settings.SITE_URL}/s/{invitation.token()}/"


def unsubscribe_url(invitation: Invitation) -> str:
    return f"{survey_url(invitation)}unsubscribe/"


def score_links(invitation: Invitation) -> tuple[Question | None, list[ScoreLink]]:
    """Return the first question and its one-click links, when it is NPS or CSAT."""
    first = invitation.survey.questions.order_by("position").first()
    if first is None or first.type not in ONE_CLICK_TYPES:
        return None, []
    low, high = first.scale() or (0, 0)
    base = survey_url(invitation)
    return first, [ScoreLink(n, f"{base}?score={n}") for n in range(low, high + 1)]


def invitation_message(
    invitation: Invitation, *, reminder: bool = False
) -> EmailMultiAlternatives:
    """Return the invitation (or reminder) email for ``invitation``, ready to send."""
    organization = invitation.organization
    survey = invitation.survey
    language = invitation.language or organization.default_language
    with translation.override(language):
        question, links = score_links(invitation)
        context = {
            "organization": organization,
            "survey_title": translate(survey.title, language) or survey.name,
            "intro": translate(survey.intro, language),
            "first_name": invitation.customer.first_name if invitation.customer else "",
            "survey_url": survey_url(invitation),
            "unsubscribe_url": unsubscribe_url(invitation),
            "question": translate(question.text, language) if question else "",
            "score_links": links,
            "scale_low": links[0].score if links else None,
            "scale_high": links[-1].score if links else None,
            "reminder": reminder,
            "expires_at": invitation.expires_at,
        }
        subject = " ".join(
            render_to_string("surveys/emails/invitation_subject.txt", context).split()
        )
        text = render_to_string("surveys/emails/invitation_body.txt", context)
        html = render_to_string("surveys/emails/invitation_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=f"{organization.name} <{_address(settings.DEFAULT_FROM_EMAIL)}>",
        to=[invitation.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-CX-Invitation": str(invitation.pk),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _address(sender: str) -> str:
    """Return the bare address of ``Name <address>``."""
    return (
        sender.split("<", 1)[1].rstrip(">").strip() if "<" in sender else sender.strip()
    )
