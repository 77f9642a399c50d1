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
