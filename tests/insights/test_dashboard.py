"""The journey dashboard: what a CX owner sees, scoped to the organisation, escaped."""

from __future__ import annotations

from django.utils import timezone

from cx.models import Touchpoint
from followups.models import FollowUp
from insights import charts
from tests.followups.conftest import answered  # noqa: F401
from tests.surveys.conftest import chat_rule, chat_survey  # noqa: F401


def test_the_owner_sees_journeys_charts_and_the_open_queue(
    client, aino, answered, settings
):
    settings.CX_MIN_SAMPLE = 3
    for n, score in enumerate(["5", "4", "2", "5"], start=1):
        answered(n, csat=score, resolved="1")
    Touchpoint.objects.filter(name="Advisor chat").update(
        name="Chat <script>x</script>"
    )
    client.force_login(aino)

    page = client.get("/dashboard/").content.decode()

    assert "Mortgage" in page
    assert "Chat &lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    assert page.count("<svg") == 6  # heatmap, trend, funnel: for a desktop and a phone
    assert "From events to answers" in page
    case = FollowUp.objects.get()
    assert f"/followups/{case.pk}/" in page and "CSAT 2" in page
    assert 'hx-trigger="every 10s"' in page


def test_the_panels_refresh_alone_and_show_a_new_case(client, aino, answered):
    client.force_login(aino)
    before = client.get("/dashboard/panels/").content.decode()
    assert "No open cases." in before and "<html" not in before

    answered(1, csat="1", resolved="0")

    after = client.get("/dashboard/panels/").content.decode()
    assert "CSAT 1" in after


def test_another_organisation_sees_none_of_it(client, olli, answered):
    answered(1, csat="1", resolved="1")
    client.force_login(olli)

    page = client.get("/dashboard/").content.decode()

    assert "Mortgage" not in page and "CSAT 1" not in page


def test_charts_escape_labels_and_mark_missing_values():
    svg = charts.heatmap(
        ["<b>Web</b>"], ["Valuable"], {("<b>Web</b>", "Valuable"): charts.Cell(None, 2)},
        title="t & t", scale=(-100, 100), no_data="not enough answers",
    )  # fmt: skip

    assert "&lt;b&gt;Web&lt;/b&gt;" in svg and "<b>" not in svg
    assert "t &amp; t" in svg
    assert "not enough answers" in svg  # in the description for screen readers
    assert charts.score_colour(-100, -100, 100) == "#d55e00"
    assert charts.score_colour(100, -100, 100) == "#0072b2"


def test_the_snapshot_keeps_the_nps_given_and_the_heatmap_reads_it(
    aurora, client, aino, mortgage, settings
):
    from cx.models import Customer, Segment
    from insights.dashboard import segment_heatmap
    from surveys.models import ResponseSegment
    from surveys.services.snapshots import response_segments_snapshot
    from tests.insights.conftest import make_response, make_survey

    settings.CX_MIN_SAMPLE = 2
    valuable = Segment.objects.create(
        organization=aurora, key="valuable", name="Valuable",
        rule={"all": [{"attribute": "value", "operator": "gte", "value": 10}]},
    )  # fmt: skip
    survey = make_survey(aurora)
    pages = mortgage.touchpoints.get(name="Loan pages")
    for n, score in enumerate([10, 9, 3]):
        customer = Customer.objects.create(
            organization=aurora, external_id=f"v{n}", attributes={"value": 50}
        )
        response = make_response(
            survey, pages, {"nps": score}, completed_at=timezone.now()
        )
        response.customer = customer
        response.save()
        response_segments_snapshot(response=response)

    assert sorted(ResponseSegment.objects.values_list("nps", flat=True)) == [3, 9, 10]
    svg = segment_heatmap(organization=aurora)
    assert (
        "Loan pages × Valuable: 33 (n=3)" in svg
    )  # (2 − 1) / 3 promoters minus detractors
    assert valuable.pk
