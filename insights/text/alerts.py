"""Rising-theme alerts: tell the touchpoint's owner once a week that a theme is rising."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cx.emails import render
from cx.models import Organization, Touchpoint
from insights.alerts import recipient_of  # one rule for who is told
from insights.text import rising
from insights.text.models import CommentAnalysis, ResponseTheme, Theme, ThemeAlert


def week_start(organization: Organization, now: datetime | None = None) -> date:
    """Return the Monday of the organisation's current week."""
    today = timezone.localdate(now or timezone.now(), timezone=organization.tzinfo)
    return today - timedelta(days=today.weekday())


def week_counts(
    *, organization: Organization, monday: date, now: datetime | None = None
) -> list[rising.WeekCount]:
    """Return each active theme's count this week and over the baseline weeks."""
    now = now or timezone.now()
    start = datetime.combine(monday, time.min, organization.tzinfo)
    base_start = start - timedelta(weeks=rising.BASELINE_WEEKS)
    analyses = CommentAnalysis.objects.for_organization(organization)
    n = analyses.filter(
        response__completed_at__gte=start, response__completed_at__lt=now
    ).count()
    baseline_n = analyses.filter(
        response__completed_at__gte=base_start, response__completed_at__lt=start
    ).count()
    tagged = ResponseTheme.objects.for_organization(organization)
    this_week = Counter(
        tagged.filter(
            response__completed_at__gte=start, response__completed_at__lt=now
        ).values_list("theme_id", flat=True)
    )
    before = Counter(
        tagged.filter(
            response__completed_at__gte=base_start, response__completed_at__lt=start
        ).values_list("theme_id", flat=True)
    )
    themes = Theme.objects.for_organization(organization).filter(active=True)
    return [
        rising.WeekCount(theme.pk, this_week[theme.pk], n, before[theme.pk], baseline_n)
        for theme in themes
    ]


def theme_alerts_send(
    *, organization: Organization, now: datetime | None = None
) -> list[ThemeAlert]:
    """Record this week's rising themes of ``organization`` and email each new one once."""
    now = now or timezone.now()
    monday = week_start(organization, now)
    start = datetime.combine(monday, time.min, organization.tzinfo)
    sent = []
    for rise in rising.rising(
        week_counts(organization=organization, monday=monday, now=now)
    ):
        theme = Theme.objects.get(pk=rise.theme)
        # The touchpoint where most of this week's comments of the theme were given.
        where = Counter(
            ResponseTheme.objects.filter(
                theme=theme,
                response__completed_at__gte=start,
                response__completed_at__lt=now,
                response__touchpoint__isnull=False,
            ).values_list("response__touchpoint_id", flat=True)
        ).most_common(1)
        touchpoint = (
            Touchpoint.objects.select_related(
                "owner", "process__owner", "journey__owner", "organization__cx_owner"
            ).get(pk=where[0][0])
            if where
            else None
        )
        recipient, user_id = recipient_of(organization, touchpoint)
        try:
            with transaction.atomic():
                alert = ThemeAlert.objects.create(
                    organization=organization,
                    theme=theme,
                    week=monday,
                    touchpoint=touchpoint,
                    count=rise.count,
                    n=rise.n,
                    baseline_share=rise.baseline_share,
                    p_value=rise.adjusted,
                    recipient=recipient,
                )
        except IntegrityError:
            continue  # told this week already
        if recipient:
            _message(alert, organization.language_of(user_id)).send()
        sent.append(alert)
    return sent


def _message(alert: ThemeAlert, language: str) -> EmailMultiAlternatives:
    """Return the alert email, in the recipient's language."""
    email = render(
        "theme_rising",
        {
            "alert": alert,
            "share": round(100 * alert.count / alert.n, 1) if alert.n else 0,
            "baseline": round(100 * alert.baseline_share, 1),
            "url": settings.SITE_URL + reverse("insights:themes"),
        },
        language=language,
        folder="insights/emails",
    )
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text, to=[alert.recipient]
    )
    message.attach_alternative(email.html, "text/html")
    return message
