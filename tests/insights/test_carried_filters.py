"""A list opened from a dashboard number keeps its filters when its form is submitted.

The dashboard's links add filters the lists' forms do not show (the metric, the
journey on the feedback list; the opening dates on the follow-up queue). Submitting
the form must not widen the list behind the manager's back: those filters travel as
hidden inputs and show as "Filtered by" chips, each with a link that drops it.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from tests.insights.conftest import WHEN


def _form(page: str, css_class: str) -> tuple[list[tuple[str, str]], str]:
    """The hidden inputs of the filter form, and the chips' text."""
    form = re.search(
        rf'<form method="get" class="filters {css_class}".*?</form>', page, re.S
    )
    assert form, css_class
    hidden = re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(0)
    )
    chips = re.search(r'<p class="carried-filters">.*?</p>', page, re.S)
    return hidden, unescape(chips.group(0)) if chips else ""


def _clear_links(page: str) -> dict[str, dict[str, list[str]]]:
    return {
        unescape(label): parse_qs(urlsplit(unescape(href)).query)
        for label, href in re.findall(
            r'<span class="chip">([^<]+) <a href="([^"]+)"', page
        )
    }


def test_the_feedback_form_keeps_the_dashboards_metric_and_journey(
    client, aino, answer, chat, pages, mortgage
):
    answer(chat, nps=[9, 3], comment="Slow")
    answer(pages, csat=[5])  # the same journey, no NPS answer
    client.force_login(aino)
    day = WHEN.date().isoformat()
    linked = {"metric": "nps", "journey": mortgage.pk, "since": day, "until": day}

    page = client.get("/feedback/", linked).content.decode()
    hidden, chips = _form(page, "feedback-filters")
    assert sorted(hidden) == [("journey", str(mortgage.pk)), ("metric", "nps")]
    assert "Answered the NPS question" in chips and "Journey: Mortgage" in chips

    # The manager narrows to answers with a comment and presses Filter: the form
    # sends its shown fields and the hidden ones.
    submitted = client.get(
        "/feedback/", {**dict(hidden), "since": day, "until": day, "has_comment": "1"}
    )
    assert submitted.context["filters"].metric == "nps"
    assert submitted.context["filters"].journey == mortgage.pk
    assert submitted.context["page"].paginator.count == 2  # not the CSAT answer

    clears = _clear_links(page)
    without_metric = clears["Answered the NPS question"]
    assert "metric" not in without_metric and without_metric["journey"] == [
        str(mortgage.pk)
    ]
    assert client.get("/feedback/", without_metric).context["page"].paginator.count == 3


def test_a_plain_feedback_list_has_no_chips(client, aino):
    client.force_login(aino)

    page = client.get("/feedback/").content.decode()

    assert 'class="carried-filters"' not in page
    assert _form(page, "feedback-filters")[0] == []


def test_the_queue_form_keeps_the_dashboards_opening_dates(client, aino):
    client.force_login(aino)
    linked = {"state": "recovered", "since": "2026-11-02", "until": "2026-12-01"}

    page = client.get("/followups/", linked).content.decode()
    hidden, chips = _form(page, "queue-filters")

    assert hidden == [("since", "2026-11-02"), ("until", "2026-12-01")]
    assert "Opened 2026-11-02 – 2026-12-01" in chips  # English dates as ISO
    submitted = client.get("/followups/", {**dict(hidden), "state": "all"})
    assert submitted.context["filters"].since.isoformat() == "2026-11-02"
    clear = next(iter(_clear_links(page).values()))
    assert clear == {"state": ["recovered"]}
