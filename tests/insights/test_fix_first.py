"""The dashboard's "journeys to fix first": a journey with one clear cause moves up.

Claims and Mortgage are both below the default NPS target 30, and by shortfall ×
volume alone Claims comes first. Mortgage's low score has one cause, a planted driver
(every answer at its loan pages is a detractor, every answer at its advisor chat a
promoter); Claims' low scores are spread evenly over its touchpoints.
"""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from cx.models import Journey, Touchpoint
from insights import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_journeys_below_target(aurora, answer, mortgage, pages, chat, settings):
    settings.CX_MIN_SAMPLE = 5
    when = timezone.now() - timedelta(days=3)
    claims = Journey.objects.create(organization=aurora, name="Claims")
    for position, name in enumerate(["Claim call", "Claim letter"], start=1):
        touchpoint = Touchpoint.objects.create(
            organization=aurora, journey=claims, position=position, name=name
        )
        # NPS 0 at both: the same spread of promoters and detractors everywhere.
        answer(touchpoint, nps=[10, 9, 0, 3, 8] * 24, completed_at=when)
    # Mortgage, 200 answers at NPS 0: −100 at the loan pages, +100 at the chat.
    answer(pages, nps=[0, 2, 4, 6, 3] * 20, completed_at=when)
    answer(chat, nps=[10, 9, 10, 9, 10] * 20, completed_at=when)
    return claims


def _ranked(client) -> list[dict]:  # type: ignore[type-arg]
    response = client.get("/dashboard/", {"period": 30})
    assert response.status_code == 200
    return response.context["underperforming"]


def test_a_planted_driver_moves_its_journey_up_and_is_named(
    client, aino, aurora, two_journeys_below_target
):
    by_shortfall = selectors.underperforming_journeys(organization=aurora)
    # (30 − 0) × 240 = 7200 before (30 − 0) × 200 = 6000.
    assert [j.journey["name"] for j in by_shortfall] == ["Claims", "Mortgage"]
    client.force_login(aino)

    ranked = _ranked(client)

    assert [item["journey"]["name"] for item in ranked] == ["Mortgage", "Claims"]
    mortgage, claims = ranked
    assert mortgage["because"].startswith("Driven by the touchpoint “Loan pages”")
    assert "NPS −100 over its 100 answers" in mortgage["because"]
    assert claims["because"] == ""  # spread thin: no driver stands out
    page = client.get("/dashboard/", {"period": 30}).content.decode()
    assert "Driven by the touchpoint “Loan pages”" in page
    listed = client.get(unescape(mortgage["because_href"]))
    assert listed.context["page"].paginator.count == 100


def test_drivers_read_only_the_latest_answers(
    aurora, answer, mortgage, pages, chat, monkeypatch
):
    """A driver analysis reads its scope's latest DRIVER_SAMPLE answers (the dashboard
    ranks every journey on each view, over any volume): the loan pages' old detractors
    are past; today they make promoters and the chat detractors."""
    from insights.text import selectors as text

    monkeypatch.setattr(text, "DRIVER_SAMPLE", 100)
    now = timezone.now()
    answer(pages, nps=[0] * 100, completed_at=now - timedelta(days=5))
    answer(pages, nps=[10, 9] * 25, completed_at=now - timedelta(days=1))
    answer(chat, nps=[0, 2] * 25, completed_at=now - timedelta(days=1))

    rows = {
        row.name: row for row in text.key_drivers(organization=aurora, journey=mortgage)
    }

    assert (rows["Loan pages"].n, rows["Loan pages"].performance) == (50, 100)
    assert (rows["Advisor chat"].n, rows["Advisor chat"].performance) == (50, -100)
