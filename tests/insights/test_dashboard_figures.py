"""The dashboard's numbers: each card equals the metrics API, each opens its own answers.

Aurora's CX manager reads a headline card, a touchpoint's score or a heatmap cell and
clicks it: the feedback list must show exactly the answers the number counted, and the
API must give the same number for the same period and filters.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.utils import timezone

from cx.models import Journey, Membership, Role, Segment
from insights import charts
from insights.models import MetricTarget
from surveys.models import Response
from tests.followups.conftest import answered  # noqa: F401
from tests.surveys.conftest import chat_rule, chat_survey  # noqa: F401

METRICS_API = "/api/v1/metrics/"
LINK = re.compile(r"<a href=\"([^\"]+)\" aria-label=\"([^\"]+)\">")


@pytest.fixture
def history(answer, chat, pages, valuable, returner, settings):
    """Answers now and in the 30 days before, in two segments, some out of both."""
    settings.CX_MIN_SAMPLE = 5
    now = timezone.now()
    last_week, last_month = now - timedelta(days=7), now - timedelta(days=40)
    answer(
        chat, nps=[10, 10, 9, 8, 3, 2, 10, 6], csat=[5, 4, 2, 5, 5, 1, 4, 4],
        ces=[7, 6, 2, 5, 4, 1, 6, 7], resolved=[1, 1, 0, 1, 1, 0, 1, 1],
        segments=[valuable], completed_at=last_week,
    )  # fmt: skip
    answer(
        pages, nps=[9, 3, 0, 7, 10, 10], csat=4, ces=3, resolved=0,
        segments=[returner], completed_at=last_week,
    )  # fmt: skip
    answer(
        chat, nps=[0, 1, 9, 10, 5, 6], csat=[2, 2, 5, 5, 3, 1], ces=4, resolved=1,
        segments=[valuable], completed_at=last_month,
    )  # fmt: skip
    answer(pages, nps=10, segments=[valuable], completed_at=now - timedelta(days=80))


def _dashboard(client, **params):  # type: ignore[no-untyped-def]
    response = client.get("/dashboard/", params)
    assert response.status_code == 200, response.content[:300]
    return response


def _api_total(api, metric: str, since, until, filters: dict) -> dict:  # type: ignore[no-untyped-def]
    response = api.get(
        METRICS_API,
        {
            "metric": metric,
            "since": since.isoformat(),
            "until": until.isoformat(),
            **filters,
        },
    )
    assert response.status_code == 200, response.content
    (row,) = response.json()["rows"]
    return row


def _listed(client, href: str) -> int:  # type: ignore[no-untyped-def]
    response = client.get(unescape(href))
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.mark.parametrize("filtered", [False, True])
def test_each_headline_card_equals_the_metrics_api(
    client, aino, api, history, mortgage, valuable, filtered
):
    client.force_login(aino)
    params = {"period": 30}
    filters: dict[str, int] = {}
    if filtered:
        params |= {"journey": mortgage.pk, "segment": valuable.pk}
        filters = {"journey": mortgage.pk, "segment": valuable.pk}

    page = _dashboard(client, **params)
    query = page.context["query"]
    cards = {card.metric: card for card in page.context["headlines"]}

    for metric in ("nps", "csat", "ces", "fcr"):
        figure = cards[metric].figure
        now = _api_total(api, metric, query.since, query.until, filters)
        before = _api_total(api, metric, query.previous_since, query.since, filters)
        for shown, expected in ((figure.current, now), (figure.previous, before)):
            assert shown.n == expected["n"]
            assert shown.value == pytest.approx(expected["value"])
            assert shown.ci_low == pytest.approx(expected["ci_low"])
            assert shown.ci_high == pytest.approx(expected["ci_high"])
        assert figure.value in page.content.decode()
    assert cards["nps"].figure.current.n == (8 if filtered else 14)
    assert cards["nps"].figure.previous.n == 6


def test_each_headline_number_opens_exactly_the_answers_it_counts(
    client, aino, history, mortgage, valuable
):
    client.force_login(aino)
    for params in ({"period": 30}, {"period": 90, "segment": valuable.pk}):
        cards = _dashboard(client, **params).context["headlines"]
        for card in cards:
            if card.unavailable:
                continue
            figure = card.figure
            assert _listed(client, figure.href) == figure.current.n, card.metric
            assert _listed(client, figure.previous_href) == figure.previous.n


def test_the_response_rate_card_equals_the_api_and_opens_the_answered(
    client, aino, api, answered, settings
):
    settings.CX_MIN_SAMPLE = 2
    for n in range(1, 5):
        answered(n, csat="5" if n % 2 else "2", resolved="1")
    with pytest.raises(Response.DoesNotExist):
        answered(5)  # invited and sent, never answered

    client.force_login(aino)
    page = _dashboard(client, period=7)
    query = page.context["query"]
    card = next(c for c in page.context["headlines"] if c.metric == "response_rate")
    expected = _api_total(api, "response_rate", query.since, query.until, {})

    assert (card.figure.current.n, card.figure.current.value) == (
        expected["n"],
        pytest.approx(expected["value"]),
    )
    assert card.figure.current.n == 5 and card.answered == 4
    assert "4 answered of 5 sent" in page.content.decode()
    assert _listed(client, card.figure.href) == 4


def test_a_heatmap_cell_opens_exactly_its_answers(
    client, aino, history, pages, valuable, returner
):
    client.force_login(aino)
    page = _dashboard(client, period=90).content.decode()

    cells = {
        unescape(label).split(":")[0]: (unescape(href), label)
        for href, label in LINK.findall(page)
        if "×" in unescape(label)
    }
    href, label = cells["Advisor chat × Valuable"]
    n = int(re.search(r"\(n=(\d+)\)", unescape(label)).group(1))

    assert n == 14  # this month's 8 and last month's 6; the returners are elsewhere
    assert _listed(client, href) == n
    href, label = cells["Loan pages × Valuable"]
    assert _listed(client, href) == 1 and "(n=1)" in label


def test_touchpoints_are_drawn_in_their_journey_order_with_their_links(
    client, aino, history, mortgage, chat, pages
):
    pages.position = 3
    pages.save()
    chat.position = 1
    chat.save()
    client.force_login(aino)

    (journey,) = _dashboard(client, period=30).context["journeys"]
    first, second = journey.touchpoints

    assert (first.name, second.name) == ("Advisor chat", "Loan pages")
    assert first.main.metric == "nps" and first.main.current.n == 8
    assert _listed(client, first.main.href) == 8


def test_every_panel_obeys_the_journey_and_segment(
    client, aino, history, aurora, returner
):
    other = Journey.objects.create(organization=aurora, name="Claims")
    client.force_login(aino)

    page = _dashboard(client, period=30, journey=other.pk)
    assert [j.name for j in page.context["journeys"]] == ["Claims"]
    assert all(card.figure.current.n == 0 for card in page.context["headlines"])

    page = _dashboard(client, period=30, segment=returner.pk)
    text = page.content.decode()
    assert "Advisor chat × Valuable" not in text and "Loan pages × Returner" in text
    rate = next(c for c in page.context["headlines"] if c.metric == "response_rate")
    assert "segments are recorded when a response is" in rate.unavailable
    # The htmx refresh asks for the same view.
    assert f"/dashboard/panels/?period=30&amp;segment={returner.pk}" in text


@pytest.mark.parametrize(
    "params",
    [{"period": "5"}, {"period": "x"}, {"journey": "abc"}, {"segment": "99999"}],
)
def test_filters_that_cannot_be_read_are_a_400(client, aino, history, params):
    client.force_login(aino)

    response = client.get("/dashboard/", params)

    assert response.status_code == 400
    assert "cannot be read" in response.content.decode()


def test_another_organisations_journey_is_a_400(client, olli, mortgage):
    client.force_login(olli)

    assert client.get("/dashboard/", {"journey": mortgage.pk}).status_code == 400


def test_targets_are_set_on_the_page_and_a_default_says_so(
    client, aino, aurora, history
):
    client.force_login(aino)
    assert "Target +30 (default)" in _dashboard(client).content.decode()

    response = client.post(
        "/dashboard/targets/",
        {"target_nps": "40", "target_csat": "80,5", "next": "?period=90"},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/dashboard/?period=90")
    assert dict(
        MetricTarget.objects.filter(organization=aurora).values_list("metric", "value")
    ) == {"nps": 40.0, "csat": 80.5}
    page = _dashboard(client).content.decode()
    assert "Target +40" in page and "Target +30 (default)" not in page
    assert "Target 80 %" in page or "Target 81 %" in page

    client.post("/dashboard/targets/", {"target_nps": "", "target_csat": "80.5"})
    assert "Target +30 (default)" in _dashboard(client).content.decode()


def test_a_target_off_the_scale_is_a_400_and_an_analyst_may_not_set_one(
    client, aino, aurora, history
):
    client.force_login(aino)
    assert client.post("/dashboard/targets/", {"target_ces": "9"}).status_code == 400
    assert client.post("/dashboard/targets/", {"target_fcr": "nan"}).status_code == 400
    assert not MetricTarget.objects.exists()

    Membership.objects.filter(user=aino).update(role=Role.ANALYST)
    assert client.post("/dashboard/targets/", {"target_nps": "10"}).status_code == 403
    assert "Save targets" not in _dashboard(client).content.decode()


def test_charts_label_at_12_px_or_more_fit_their_axis_and_have_legends(
    client, aino, history
):
    client.force_login(aino)
    page = _dashboard(client, period=90).content.decode()

    sizes = {int(size) for size in re.findall(r"font-size='(\d+)'", page)}
    assert sizes and min(sizes) >= 12
    assert "NPS colour scale" in page and "95 % interval" in page
    assert "Target 30 (default)" in page
    assert Segment.objects.count() == 2


def test_the_trend_axis_fits_a_30_point_swing_instead_of_100_to_100():
    points = [
        charts.Point(date(2026, 9, 7) + timedelta(weeks=i), value, value - 6, value + 6)
        for i, value in enumerate([12, 20, 42, 35, 18])
    ]

    svg = charts.trend(points, title="NPS", scale=(-100, 100), target=30)

    ticks = re.findall(r"text-anchor='end'[^>]*>(−?-?\d+)</text>", svg)
    assert ticks[0] in ("0", "5") and ticks[-1] in ("50", "55")
    assert "−100" not in ticks and "100" not in ticks


def test_figures_are_written_in_the_readers_language():
    from django.utils import translation

    from insights.dashboard.figures import change_shown, shown
    from insights.metrics import Metric

    with translation.override("fi"):
        assert (shown(Metric.CES, 4.25), change_shown(Metric.CES, -0.3)) == (
            "4,2",
            "−0,3",
        )
    with translation.override("en"):
        assert shown(Metric.NPS, -3.4) == "−3" and shown(Metric.CSAT, 81.6) == "82 %"


def test_a_journey_has_its_own_targets_on_its_cards_and_in_the_ranking(
    client, aino, aurora, history, mortgage
):
    client.force_login(aino)
    client.post("/dashboard/targets/", {"target_nps": "-50"})
    assert "Journeys to fix first" in _dashboard(client).content.decode()
    assert not _dashboard(client).context["underperforming"]  # all above −50

    response = client.post(
        "/dashboard/targets/",
        {"target_nps": "60", "journey": mortgage.pk, "next": f"?journey={mortgage.pk}"},
    )

    assert response.status_code == 302
    assert MetricTarget.objects.get(journey=mortgage).value == 60
    page = _dashboard(client, journey=mortgage.pk)
    nps = next(c for c in page.context["headlines"] if c.metric == "nps")
    assert (nps.target.value, nps.target.for_journey) == (60, True)
    assert "Target +60 (Mortgage)" in page.content.decode()
    (ranked,) = _dashboard(client).context["underperforming"]
    assert (ranked["journey"]["name"], ranked["target"]) == ("Mortgage", "+60")
    nps_answers = _dashboard(client, journey=mortgage.pk).context["headlines"][0]
    assert (
        _listed(client, ranked["href"]) == ranked["n"] == nps_answers.figure.current.n
    )
    # Everywhere else the organisation's target still holds.
    assert "Target −50" in _dashboard(client).content.decode()


def test_a_target_for_another_organisations_journey_is_a_400(client, olli, mortgage):
    client.force_login(olli)

    response = client.post(
        "/dashboard/targets/", {"target_nps": "10", "journey": mortgage.pk}
    )

    assert response.status_code == 400
    assert not MetricTarget.objects.exists()
