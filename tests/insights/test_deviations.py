"""Deviation alerts over stored responses: a real drop at one touchpoint, noise at another."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from insights.deviations import deviations
from insights.metrics import Metric


def test_the_touchpoint_that_really_dropped_is_the_only_one_flagged(
    aurora, answer, pages, chat, settings
):
    settings.CX_MIN_SAMPLE = 10
    now = timezone.now()
    weeks_ago = now - timedelta(days=30)
    yesterday = now - timedelta(days=1)
    # Loan pages: NPS 50 for a month, then −40 this week.
    answer(pages, nps=[10] * 60 + [9] * 15 + [3] * 15, completed_at=weeks_ago)
    answer(pages, nps=[10] * 5 + [2] * 25 + [7] * 10, completed_at=yesterday)
    # Chat: NPS 50 for a month, then a few points lower on a small week.
    answer(chat, nps=[10] * 60 + [9] * 15 + [3] * 15, completed_at=weeks_ago)
    answer(chat, nps=[10] * 7 + [3] * 3 + [8] * 2, completed_at=yesterday)

    found = deviations(organization=aurora, now=now)

    assert [(d.touchpoint["name"], d.metric) for d in found] == [
        ("Loan pages", Metric.NPS)
    ]
    assert found[0].recent.value < found[0].baseline.value


def test_the_owner_is_alerted_once_a_day(
    aurora, aino, answer, pages, settings, mailoutbox
):
    from insights.alerts import deviation_alerts_send
    from insights.models import DeviationAlert

    settings.CX_MIN_SAMPLE = 10
    aurora.cx_owner = aino
    aurora.save()
    now = timezone.now()
    answer(
        pages,
        nps=[10] * 60 + [9] * 15 + [3] * 15,
        completed_at=now - timedelta(days=30),
    )
    answer(
        pages, nps=[10] * 5 + [2] * 25 + [7] * 10, completed_at=now - timedelta(days=1)
    )

    deviation_alerts_send(organization=aurora)
    deviation_alerts_send(organization=aurora)

    alert = DeviationAlert.objects.get()
    assert (alert.touchpoint, alert.metric, alert.recipient) == (
        pages,
        "nps",
        "aino@aurora.example",
    )
    (message,) = mailoutbox
    assert message.to == ["aino@aurora.example"]
    assert "Loan pages" in message.subject and "NPS" in message.subject
    assert "/dashboard/" in message.body
    assert "laski kohtaamispisteessä" in message.subject  # Aurora speaks Finnish


def test_the_alert_is_in_the_owners_own_language(
    aurora, aino, answer, pages, settings, mailoutbox
):
    from cx.models import Membership
    from insights.alerts import deviation_alerts_send

    settings.CX_MIN_SAMPLE = 10
    aurora.cx_owner = aino
    aurora.save()
    Membership.objects.filter(user=aino).update(language="en")
    now = timezone.now()
    answer(pages, nps=[10] * 75 + [3] * 15, completed_at=now - timedelta(days=30))
    answer(pages, nps=[10] * 5 + [2] * 35, completed_at=now - timedelta(days=1))

    deviation_alerts_send(organization=aurora)

    (message,) = mailoutbox
    assert message.subject == "NPS fell at Loan pages"
