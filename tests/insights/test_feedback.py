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


def test_another_organisation_sees_nothing(client, olli, answer, pages):
    (response,) = answer(pages, nps=[3], comment=["secret"])
    client.force_login(olli)

    assert "secret" not in client.get("/feedback/").content.decode()
    assert client.get(f"/feedback/{response.pk}/").status_code == 404
    assert client.post(f"/feedback/{response.pk}/", {"tag": "x"}).status_code == 404
    assert ResponseTag.objects.count() == 0
