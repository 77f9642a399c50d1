"""Numbers typed into a URL, a form or a header: ASCII digits, or not a number.

``str.isdigit`` is true of "²" and of other scripts' digits, which ``int`` refuses (a
500) or reads (another number than the one a reader sees). Every page, filter and API
parameter that takes a whole number reads it with ``cx.digits.is_digits``; each of them,
sent a superscript two, answers as it answers any other word — never with a 500.
"""

from __future__ import annotations

import pytest

from cx.digits import MAX_ID, as_id, is_digits

pytestmark = pytest.mark.django_db

ODD = "²"  # isdigit() is True, int() raises ValueError
HUGE = "9" * 30  # past any id column: an overflow in the database
VAST = "9" * 5000  # past what int() reads from text


@pytest.mark.parametrize(
    ("raw", "digits"),
    [("0", True), ("042", True), ("", False), ("²", False), ("١", False),
     ("-1", False), ("+1", False), (" 1", False), ("1.0", False)],
)  # fmt: skip
def test_only_ascii_digits_are_digits(raw, digits):
    assert is_digits(raw) is digits


@pytest.mark.parametrize(
    ("raw", "read"),
    [("0", 0), ("17", 17), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None),
     (HUGE, None), (VAST, None), (ODD, None), ("", None), (None, None), ("-1", None)],
)  # fmt: skip
def test_an_id_is_a_number_the_database_can_compare(raw, read):
    assert as_id(raw) == read


@pytest.mark.parametrize(
    "url",
    [
        f"/dashboard/?period={ODD}",
        f"/dashboard/?journey={ODD}",
        f"/dashboard/themes/?journey={ODD}",
        f"/feedback/?journey={ODD}",
        f"/feedback/?score_max={ODD}",
        f"/feedback/delivery/?touchpoint={ODD}",
        f"/followups/?journey={ODD}",
        f"/predictions/?prediction={ODD}",
        f"/predictions/?prediction={HUGE}",
        f"/predictions/?segment={VAST}",
        "/feedback/?score_max=--5",
    ],
)
def test_staff_pages_take_an_odd_digit_as_any_other_word(client, aino, url):
    client.force_login(aino)

    assert client.get(url).status_code in (200, 400)


def test_staff_forms_take_an_odd_digit_as_any_other_word(client, aino):
    client.force_login(aino)

    assert (
        client.post("/feedback/", {"response": ODD, "bulk_tag": "x"}).status_code < 500
    )
    assert client.post("/dashboard/targets/", {"journey": ODD}).status_code < 500
    for number in (HUGE, VAST):
        assert (
            client.post("/feedback/", {"response": number, "bulk_tag": "x"}).status_code
            < 500
        )
        assert client.post("/dashboard/targets/", {"journey": number}).status_code < 500


@pytest.mark.parametrize(
    ("url", "field"),
    [
        (f"/api/v1/responses/?page_size={ODD}", "page_size"),
        (f"/api/v1/themes/?journey={ODD}", "journey"),
    ],
)
def test_the_api_refuses_an_odd_digit_naming_the_parameter(api, url, field):
    response = api.get(url)

    assert response.status_code == 400
    assert field in response.json()["errors"]
