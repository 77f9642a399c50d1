"""Staff review feedback: filter and search, tag, note, and see the customer's timeline."""

from __future__ import annotations

from datetime import timedelta

from cx.models import Customer, Event
from insights.models import ResponseNote, ResponseTag
from tests.insights.conftest import WHEN


def test_the_list_filters_by_score_comment_search_and_segment(
    client, aino, answer, pages, chat, valuable
):
    answer(
        pages, nps=[2], comment=["The form lost my data =SUM(A1)"], segments=[valuable]
    )
    answer(pages, nps=[10], comment=["Great"])
    answer(chat, nps=[5])
    client.force_login(aino)

    everything = client.get("/feedback/").content.decode()
    low = client.get("/feedback/", {"score_max": "6"}).content.decode()
    searched = client.get("/feedback/", {"q": "lost my"}).content.decode()
    valuable_only = client.get("/feedback/", {"segment": "valuable"}).content.decode()
    commented = client.get("/feedback/", {"has_comment": "1"}).content.decode()

    assert "3 responses" in everything
    assert "2 responses" in low and "Great" not in low
    assert "1 response" in searched and "The form lost my data =SUM(A1)" in searched
    assert "1 response" in valuable_only
    assert "2 responses" in commented
    odd = client.get(
        "/feedback/", {"score_max": "x", "since": "yesterday", "survey": "9" * 20}
    )
    assert odd.status_code == 200  # filters that do not parse are ignored


def test_tags_and_notes_on_a_response_are_kept_and_escaped(client, aino, answer, pages):
    (response,) = answer(pages, nps=[3])
    client.force_login(aino)
    url = f"/feedback/{response.pk}/"

    client.post(url, {"tag": "  form   bug "})
    client.post(url, {"tag": "form bug"})  # once only
    client.post(url, {"note": "Called back. <script>alert(1)</script>"})
    empty = client.post(url, {"note": "  "})

    assert empty.status_code == 400 and 'aria-invalid="true"' in empty.content.decode()
    assert list(ResponseTag.objects.values_list("tag__name", flat=True)) == ["form bug"]
    assert ResponseNote.objects.get().author == aino
    page = client.get(url).content.decode()
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    )
    assert "form bug" in client.get("/feedback/", {"tag": "form bug"}).content.decode()

    client.post(url, {"tag": "form bug", "remove": "1"})
    assert ResponseTag.objects.count() == 0


def test_the_customer_timeline_shows_events_and_other_responses(
    client, aino, aurora, answer, pages, chat
):
    customer = Customer.objects.create(
        organization=aurora, external_id="c-9", email="c9@x.fi"
    )
    (first,) = answer(pages, nps=[3], completed_at=WHEN - timedelta(days=2))
    (second,) = answer(chat, nps=[9])
    for response in (first, second):
        response.customer = customer
        response.save()
    Event.objects.create(
        organization=aurora, event_id="e1", type="web.loan_pages_viewed",
        customer=customer, touchpoint=pages, occurred_at=WHEN - timedelta(days=3),
        received_at=WHEN - timedelta(days=3),
    )  # fmt: skip
    client.force_login(aino)

    page = client.get(f"/feedback/{second.pk}/").content.decode()

    assert "web.loan_pages_viewed" in page
    assert f"/feedback/{first.pk}/" in page  # the earlier response, linked
    assert page.index("NPS 9") < page.index("web.loan_pages_viewed")  # newest first


def test_the_timeline_names_the_touchpoint_in_the_readers_language(
    client, aino, aurora, answer, pages
):
    pages.name_translations = {"fi": "Lainasivut"}
    pages.save()
    customer = Customer.objects.create(organization=aurora, external_id="c-9")
    (response,) = answer(pages, nps=[3])
    response.customer = customer
    response.save()
    Event.objects.create(
        organization=aurora, event_id="e1", type="web.loan_pages_viewed",
        customer=customer, touchpoint=pages, occurred_at=WHEN - timedelta(days=1),
        received_at=WHEN - timedelta(days=1),
    )  # fmt: skip
    client.force_login(aino)

    client.cookies["django_language"] = "fi"
    finnish = client.get(f"/feedback/{response.pk}/").content.decode()
    client.cookies["django_language"] = "sv"  # no Swedish name: the organisation's
    swedish = client.get(f"/feedback/{response.pk}/").content.decode()

    assert "web.loan_pages_viewed · Lainasivut" in finnish
    assert "web.loan_pages_viewed · Loan pages" in swedish


def test_another_organisation_sees_nothing(client, olli, answer, pages):
    (response,) = answer(pages, nps=[3], comment=["secret"])
    client.force_login(olli)

    assert "secret" not in client.get("/feedback/").content.decode()
    assert client.get(f"/feedback/{response.pk}/").status_code == 404
    assert client.post(f"/feedback/{response.pk}/", {"tag": "x"}).status_code == 404
    assert ResponseTag.objects.count() == 0


def test_scores_are_filtered_per_metric_on_its_own_scale(client, aino, answer, pages):
    answer(pages, nps=[6, 9], ces=[2, 6])
    answer(pages, csat=[2])
    client.force_login(aino)

    def count(**query: str) -> str:
        page = client.get("/feedback/", query).content.decode()
        return page.split(" response")[0].rsplit(">", 1)[-1].strip()

    assert count(nps_max="6") == "1"  # a detractor, not the CSAT 2 nor CES 2
    assert count(nps_min="9", nps_max="10") == "1"
    assert count(ces_max="3") == "1"
    assert count(csat_max="2") == "1"
    assert count(nps_min="0", ces_min="5") == "1"  # both must hold
    assert count(nps_max="x", ces_min="") == "3"  # what does not parse is ignored


def test_dates_are_typed_and_shown_in_the_users_locale(client, aino, answer, pages):
    answer(pages, nps=[3], completed_at=WHEN)
    answer(pages, nps=[9], completed_at=WHEN - timedelta(days=10))
    client.force_login(aino)
    client.cookies["django_language"] = "fi"

    finnish = client.get("/feedback/", {"since": "1.3.2026"}).content.decode()
    iso = client.get("/feedback/", {"since": "2026-03-01", "until": "2026-03-04"})

    assert "1 response" in finnish or "1 vastaus" in finnish
    assert 'value="1.3.2026"' in finnish  # the input echoes the Finnish date
    assert "4.3.2026" in finnish  # the row's date, Finnish style
    assert "1 vastaus" in iso.content.decode() or "1 response" in iso.content.decode()


def test_each_row_shows_its_scores_as_read_every_comment_and_its_colour(
    client, aino, answer, pages, survey
):
    survey.questions.create(
        key="more", position=9, type="text", text={"en": "more"}, required=False
    )
    (response,) = answer(pages, nps=[2], ces=[6], comment=["Slow form"], more=["Rude"])
    client.force_login(aino)

    page = client.get("/feedback/").content.decode()

    assert "NPS 2 / 10 · detractor" in page and "CES 6 / 7 · easy" in page
    assert "Slow form" in page and "Rude" in page
    assert 'class="row-detractor"' in page
    detail = client.get(f"/feedback/{response.pk}/").content.decode()
    assert "2 / 10 · detractor" in detail and "cat-detractor" in detail


def test_bulk_tagging_tags_the_ticked_responses_of_this_organisation_only(
    client, aino, olli, answer, pages, other_org
):
    first, second, third = answer(pages, nps=[1, 2, 10])
    client.force_login(aino)

    done = client.post(
        "/feedback/?nps_max=6",
        {"response": [str(first.pk), str(second.pk)], "bulk_tag": "onboarding"},
    )
    empty = client.post("/feedback/", {"response": [str(third.pk)], "bulk_tag": ""})

    assert done.status_code == 302 and done["Location"].endswith("?nps_max=6")
    assert empty.status_code == 400
    tagged = set(ResponseTag.objects.values_list("response_id", flat=True))
    assert tagged == {first.pk, second.pk}
    page = client.get("/feedback/", {"tag": "onboarding"}).content.decode()
    assert "2 responses" in page and "?tag=onboarding" in page

    client.force_login(olli)  # another organisation cannot tag Aurora's responses
    client.post("/feedback/", {"response": [str(third.pk)], "bulk_tag": "x"})
    assert not ResponseTag.objects.filter(response=third).exists()


def test_english_dates_cannot_be_read_the_american_way(client, aino, answer, pages):
    """2 March is "4 Mar 2026" in a row and 2026-03-01 in an input, never 03/01/2026."""
    answer(pages, nps=[3], completed_at=WHEN)
    client.force_login(aino)
    client.cookies["django_language"] = "en"

    page = client.get("/feedback/", {"since": "2026-03-01"}).content.decode()
    american = client.get("/feedback/", {"since": "03/05/2026"})  # 5 March, or 3 May?

    assert 'value="2026-03-01"' in page  # the input: ISO, typed back as it is shown
    assert ">4 Mar 2026 12:00</a>" in page  # the row
    assert "/2026" not in page
    assert american.context["filters"].since is None  # ignored, not guessed

    client.cookies["django_language"] = "sv"
    swedish = client.get("/feedback/", {"since": "2026-03-01"}).content.decode()
    assert "2026-03-04 12:00" in swedish  # Swedish keeps Django's own (ISO) format
