"""Deviation alerts: tell a touchpoint's owner, once a day, that its score really fell."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cx.emails import render
from cx.models import Organization, Touchpoint
from insights.deviations import deviations
from insights.models import DeviationAlert


def recipient_of(
    organization: Organization, touchpoint: Touchpoint | None
) -> tuple[str, int | None]:
    """Return the address and user id of whoever answers for ``touchpoint``.

    The touchpoint's owner, else its process's, else its journey's; without any of
    them (or without a touchpoint), the organisation's CX owner; ("", None) when
    nobody is named.
    """
    if touchpoint is not None:
        for holder in (touchpoint, touchpoint.process, touchpoint.journey):
            if holder is not None and holder.owner is not None and holder.owner.email:
                return holder.owner.email, holder.owner.pk
    owner = organization.cx_owner
    return (owner.email, owner.pk) if owner is not None else ("", None)


def deviation_alerts_send(*, organization: Organization) -> list[DeviationAlert]:
    """Record today's deviations of ``organization`` and email each new one once."""
    today = timezone.localdate(timezone=organization.tzinfo)
    sent = []
    for deviation in deviations(organization=organization):
        touchpoint = Touchpoint.objects.select_related(
            "owner", "process__owner", "journey__owner", "organization__cx_owner"
        ).get(pk=cast(int, deviation.touchpoint["id"]), organization=organization)
        recipient, user_id = recipient_of(organization, touchpoint)
        try:
            with transaction.atomic():
                alert = DeviationAlert.objects.create(
                    organization=organization,
                    touchpoint=touchpoint,
                    metric=deviation.metric.value,
                    day=today,
                    recent_value=deviation.recent.value or 0.0,
                    baseline_value=deviation.baseline.value or 0.0,
                    recipient=recipient,
                )
        except IntegrityError:
            continue  # told today already
        if recipient:
            language = organization.language_of(user_id)
            _message(alert, deviation.recent.n, deviation.baseline.n, language).send()
        sent.append(alert)
    return sent


def _message(
    alert: DeviationAlert, recent_n: int, baseline_n: int, language: str
) -> EmailMultiAlternatives:
    """Return the alert email, in the recipient's language."""
    email = render(
        "deviation",
        {
            "alert": alert,
            "metric": alert.metric.upper(),
            "recent_n": recent_n,
            "baseline_n": baseline_n,
            "url": settings.SITE_URL + reverse("insights:dashboard"),
        },
        language=language,
        folder="insights/emails",
    )
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text, to=[alert.recipient]
    )
    message.attach_alternative(email.html, "text/html")
    return message
