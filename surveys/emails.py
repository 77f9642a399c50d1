"""Survey emails: each is three templates (subject, text, HTML) rendered in one language.

``templates/surveys/emails/<name>_subject.txt``, ``<name>_body.txt`` and
``<name>_body.html``, rendered by :func:`cx.emails.render` (the HTML one autoescaped, so
names typed by customers stay text). The personal link, the one-click score row and the
unsubscribe headers are built here, so every email of the product carries them the
same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from cx.emails import render
from surveys import presentation
from surveys.models import Invitation, Question
from surveys.models.surveys import translate

# A first question of these types is answered with one click in the email.
ONE_CLICK_TYPES = (
    Question.Type.NPS, Question.Type.CSAT, Question.Type.CES, Question.Type.FCR,
    Question.Type.RATING,
)  # fmt: skip


@dataclass(frozen=True)
class ScoreLink:
    score: int
    url: str
    label: str  # what a screen reader says for the link
    text: str = ""  # what the link shows: the number, or "Yes" / "No"


def survey_url(invitation: Invitation) -> str:
    return f"{settings.SITE_URL}/s/{invitation.token()}/"


def unsubscribe_url(invitation: Invitation) -> str:
    return f"{survey_url(invitation)}unsubscribe/"


def score_row(invitation: Invitation) -> dict[str, Any] | None:
    """Return the one-click row when the first question is a scale or yes/no.

    Call with the email's language active. Each score is a link that opens the answer
    page with it preselected; the page, not the GET, records it. The end labels are
    the answer page's (``surveys.presentation.scale_ends``), word for word.
    """
    first = invitation.survey.first_question
    if first is None or first.type not in ONE_CLICK_TYPES:
        return None
    language = translation.get_language()
    low, high = first.scale() or (0, 0)
    low_label, high_label = presentation.scale_ends(first, language)
    base = survey_url(invitation)
    is_yes_no = first.type == Question.Type.FCR

    def link(n: int) -> ScoreLink:
        if is_yes_no:
            word = high_label if n == high else low_label
            return ScoreLink(score=n, url=f"{base}?score={n}", label=word, text=word)
        end = f" – {low_label}" if n == low else f" – {high_label}" if n == high else ""
        label = _("%(score)s out of %(high)s") % {"score": n, "high": high} + end
        return ScoreLink(score=n, url=f"{base}?score={n}", label=label, text=str(n))

    scores = range(high, low - 1, -1) if is_yes_no else range(low, high + 1)
    return {
        "question": translate(first.text, language),
        "links": [link(n) for n in scores],
        "low": low,
        "high": high,
        "low_label": low_label,
        "high_label": high_label,
        "is_yes_no": is_yes_no,
    }


def invitation_message(
    invitation: Invitation, *, reminder: bool = False
) -> EmailMultiAlternatives:
    """Return the invitation (or reminder) email for ``invitation``, ready to send."""
    organization = invitation.organization
    survey = invitation.survey
    language = invitation.language or organization.default_language
    with translation.override(language):
        context = {
            "organization": organization,
            "survey_title": translate(survey.title, language) or survey.name,
            "intro": translate(survey.intro, language),
            "first_name": invitation.customer.first_name if invitation.customer else "",
            "survey_url": survey_url(invitation),
            "unsubscribe_url": unsubscribe_url(invitation),
            "score_row": score_row(invitation),
            "reminder": reminder,
            "expires_at": invitation.expires_at,
        }
    email = render("invitation", context, language=language, folder="surveys/emails")
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=formataddr(
            (organization.name, _address(settings.DEFAULT_FROM_EMAIL))
        ),
        to=[invitation.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-CX-Invitation": str(invitation.pk),
        },
    )
    message.attach_alternative(email.html, "text/html")
    # django-anymail sends this to the provider and hands it back in tracking events,
    # so a bounce or complaint finds its invitation (and organisation).
    message.metadata = {"cx_invitation": str(invitation.pk)}  # type: ignore[attr-defined]
    return message


def _address(sender: str) -> str:
    """Return the bare address of ``Name <address>``."""
    return (
        sender.split("<", 1)[1].rstrip(">").strip() if "<" in sender else sender.strip()
    )
