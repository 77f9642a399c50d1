"""The answer page as a customer walks it: progress, Back, thank-you, unsubscribe, 404."""

from __future__ import annotations

import re

from surveys.models import Response
from tests.surveys.test_answer_page import (  # noqa: F401 (the fixture)
    answer,
    invitation,
    url,
)


def progress(page) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    found = re.search(r'max="(\d+)" value="(\d+)"', page.content.decode())
    assert found, "no progress bar"
    return int(found.group(2)), int(found.group(1))


def test_progress_counts_the_conditional_question_up_front_and_never_goes_back(
    client, invitation
):
    seen = [progress(client.get(url(invitation)))]
    answer(client, invitation, "csat", "2")  # brings the conditional question
    seen.append(progress(client.get(url(invitation))))
    answer(client, invitation, "resolved", "1")
    seen.append(progress(client.get(url(invitation))))

    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_a_happy_customer_skips_ahead_but_the_total_stays(client, invitation):
    first = client.get(url(invitation), {"lang": "en"}).content.decode()
    answer(client, invitation, "csat", "5")
    second = client.get(url(invitation), {"lang": "en"}).content.decode()

    assert "Question 1 of 3" in first and "Question 2 of 3" in second
    assert ">Next<" in first
    # The conditional third question may still come: the button says Next, not Send.
    assert ">Next<" in second


def test_back_shows_the_earlier_answer_and_changing_it_keeps_one_answer(
    client, invitation
):
    answer(client, invitation, "csat", "4")
    second = client.get(url(invitation)).content.decode()
    assert 'href="?lang=fi&amp;q=csat"' in second and "Takaisin" in second

    back = client.get(url(invitation), {"lang": "fi", "q": "csat"}).content.decode()
    assert "Kuinka tyytyväinen olit?" in back
    assert re.search(r'value="4" checked', back)
    assert "Takaisin" not in back  # nothing before the first question

    changed = answer(client, invitation, "csat", "5")
    assert changed["Location"].endswith("q=resolved")
    response = Response.objects.get()
    assert list(response.answers.values_list("question__key", "number")) == [
        ("csat", 5)
    ]
    assert response.state == Response.State.STARTED


def test_back_cannot_open_a_question_not_yet_reached(client, invitation):
    page = client.get(url(invitation), {"q": "resolved"}).content.decode()

    assert "Kuinka tyytyväinen olit?" in page  # still the first question


def test_a_detractor_is_told_what_happens_next_and_thanked_once(client, invitation):
    answer(client, invitation, "csat", "1")
    answer(client, invitation, "resolved", "0")
    done = answer(client, invitation, "what_went_wrong", "Jono oli pitkä")

    thanks = client.get(done["Location"]).content.decode()

    assert "Mitä seuraavaksi tapahtuu" in thanks
    assert "Aurora Bank lukee vastauksesi" in thanks
    assert thanks.count("Kiitos!") == 2  # the <title> and the heading, nothing more
    assert Response.objects.get().followup is not None


def test_a_promoter_is_not_promised_a_call(client, invitation):
    answer(client, invitation, "csat", "5")
    done = answer(client, invitation, "resolved", "1")

    thanks = client.get(done["Location"]).content.decode()

    assert "Vastauksesi on tallennettu." in thanks
    assert "Mitä seuraavaksi tapahtuu" not in thanks


def test_unsubscribe_asks_before_it_says_anything_is_done(client, invitation):
    link = f"{url(invitation)}unsubscribe/"

    asked = client.get(link).content.decode()
    done = client.post(link).content.decode()

    assert "Mikään ei muutu ennen kuin vahvistat." in asked
    assert "ei lähetä sinulle enää" not in asked
    assert "Kyllä, lopeta kyselyt" in asked
    assert "Aurora Bank ei lähetä sinulle enää palautekyselyitä." in done


def test_a_wrong_link_speaks_the_browsers_language(client, db):
    finnish = client.get("/s/not-a-token/", HTTP_ACCEPT_LANGUAGE="fi-FI,fi;q=0.9")
    swedish = client.get("/s/not-a-token/", HTTP_ACCEPT_LANGUAGE="sv-SE")
    chosen = client.get("/s/not-a-token/", {"lang": "sv"})

    assert finnish.status_code == 404
    assert '<html lang="fi">' in finnish.content.decode()
    assert '<html lang="sv">' in swedish.content.decode()
    assert '<html lang="sv">' in chosen.content.decode()
    assert "We could not find" not in finnish.content.decode()
