"""A customer answers the demo's loan-application survey from the email, in a real browser.

From the email's one-click score row to the thank-you page: the score is preselected
(not recorded by the GET), a low score brings the "what would have made it easier?"
question, a half-answered survey is saved and its link resumes where it stopped.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail

from surveys.models import Answer, Invitation, Response
from tests.browser.conftest import (
    application_submitted,
    axe_violations,
    email_links,
    on_live_server,
    survey_link,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fi": {
        "nps": "Kuinka todennäköisesti suosittelisit meitä ystävällesi?",
        "ces": "Lainahakemuksen jättäminen oli helppoa.",
        "easier": "Mikä olisi tehnyt hakemisesta helpompaa?",
        "next": "Seuraava",
        "send": "Lähetä",
        "skip": "Ohita",
        "comment": "Haluatko kertoa vielä jotain?",
        "saved": "Vastauksesi on tallennettu.",
        "next_steps": "Mitä seuraavaksi tapahtuu",
        "thanks_text": "Kiitos vastauksistasi!",
        "progress": "Kysymys 2/4",
    },
    "en": {
        "nps": "How likely are you to recommend us to a friend?",
        "ces": "Submitting my loan application was easy.",
        "easier": "What would have made applying easier?",
        "next": "Next",
        "send": "Send",
        "skip": "Skip",
        "comment": "Anything else you would like to tell us?",
        "saved": "Your answers have been saved.",
        "next_steps": "What happens next",
        "thanks_text": "Thank you for your answers!",
        "progress": "Question 2 of 4",
    },
}


def score_link(message, score: int) -> str:  # type: ignore[no-untyped-def]
    return next(link for link in email_links(message) if f"?score={score}" in link)


@pytest.mark.parametrize("language", ["fi", "en"])
def test_a_detractor_answers_from_the_email_resumes_and_finishes(
    page, live_server, demo_api, language
):
    text = TEXTS[language]
    application_submitted(demo_api, 1, language)
    (message,) = mail.outbox

    # One click on "3" in the email: the page opens with 3 chosen, nothing recorded.
    page.goto(on_live_server(score_link(message, 3), live_server))
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("group", name=text["nps"]).is_visible()
    assert page.get_by_role("radio", name="3", exact=True).is_checked()
    assert Answer.objects.count() == 0

    page.get_by_role("button", name=text["next"]).click()
    page.get_by_text(text["ces"]).wait_for()
    assert page.get_by_text(text["progress"]).is_visible()
    assert Answer.objects.get(question__key="nps").number == 3

    # The customer leaves halfway; the link brings them back to the open question.
    page.get_by_role("radio", name="2", exact=True).check()
    page.get_by_role("button", name=text["next"]).click()
    follow_up = page.get_by_label(text["easier"])  # asked because NPS ≤ 6
    follow_up.wait_for()
    response = Response.objects.get()
    assert response.completed_at is None
    assert sorted(response.answers.values_list("question__key", flat=True)) == [
        "ces",
        "nps",
    ]

    page.goto(on_live_server(survey_link(message), live_server))
    page.get_by_label(text["easier"]).fill("Fewer attachments, please <b>now</b>")
    page.get_by_role("button", name=text["next"]).click()
    page.get_by_label(text["comment"]).wait_for()
    page.get_by_role("button", name=text["skip"]).click()  # the last, optional one

    page.get_by_role("heading", name=text["thanks_text"]).wait_for()
    assert page.get_by_text(text["saved"]).is_visible()
    assert page.get_by_text(text["next_steps"]).is_visible()  # NPS 3 opened a case
    response.refresh_from_db()
    assert response.completed_at is not None
    assert response.answers.get(question__key="what_went_wrong").text == (
        "Fewer attachments, please <b>now</b>"
    )
    assert Invitation.objects.get().state == Invitation.State.ANSWERED


def test_a_promoter_is_not_asked_what_went_wrong(page, live_server, demo_api):
    application_submitted(demo_api, 2, "en")
    (message,) = mail.outbox

    page.goto(on_live_server(score_link(message, 10), live_server))
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Submitting my loan application was easy.").wait_for()
    page.get_by_role("radio", name="7", exact=True).check()
    page.get_by_role("button", name="Next").click()

    page.get_by_label("Anything else you would like to tell us?").wait_for()
    assert page.get_by_text("Question 4 of 4").is_visible()  # its total never moves
    assert page.get_by_label("What would have made applying easier?").count() == 0


def test_the_page_works_with_javascript_off(page_without_js, live_server, demo_api):
    page = page_without_js
    application_submitted(demo_api, 3, "fi")
    (message,) = mail.outbox

    page.goto(on_live_server(score_link(message, 9), live_server))
    page.get_by_role("button", name="Seuraava").click()  # a plain form post
    page.get_by_text("Lainahakemuksen jättäminen oli helppoa.").wait_for()
    page.get_by_role("radio", name="6", exact=True).check()
    page.get_by_role("button", name="Seuraava").click()
    page.get_by_label("Haluatko kertoa vielä jotain?").wait_for()
    page.get_by_role("button", name="Ohita").click()

    page.get_by_role("heading", name="Kiitos vastauksistasi!").wait_for()
    assert Response.objects.get().completed_at is not None
    assert dict(
        Answer.objects.filter(number__isnull=False).values_list(
            "question__key", "number"
        )
    ) == {
        "nps": 9,
        "ces": 6,
    }


def test_the_question_error_thank_you_and_expired_pages_have_no_axe_violations(
    browser, page, live_server, demo_api
):
    application_submitted(demo_api, 4, "fi")
    (message,) = mail.outbox
    link = on_live_server(survey_link(message), live_server)
    pages = {"question": link, "question (en)": link + "?lang=en"}

    # The error state: "Next" without choosing a score. Saved as a document for axe.
    page.goto(link)
    page.get_by_role("button", name="Seuraava").click()
    page.get_by_role("alert").wait_for()
    error_state = page.content()

    page.get_by_role("radio", name="8", exact=True).check()
    page.get_by_role("button", name="Seuraava").click()
    page.get_by_text("Lainahakemuksen jättäminen oli helppoa.").wait_for()
    page.get_by_role("radio", name="5", exact=True).check()
    page.get_by_role("button", name="Seuraava").click()
    page.get_by_label("Haluatko kertoa vielä jotain?").wait_for()
    page.get_by_role("button", name="Ohita").click()
    page.get_by_role("heading", name="Kiitos vastauksistasi!").wait_for()
    pages["thank-you"] = link + "?done=1"
    pages["link used already"] = link

    application_submitted(demo_api, 5, "en")
    expired = Invitation.objects.get(email="browser5@example.com")
    Invitation.objects.filter(pk=expired.pk).update(state=Invitation.State.EXPIRED)
    pages["expired"] = on_live_server(survey_link(mail.outbox[1]), live_server)
    pages["unknown link"] = live_server.url + "/s/not-a-real-token/"

    found = {name: axe_violations(browser, url) for name, url in pages.items()}
    found["question with an error"] = axe_violations(browser, link, error_state)

    assert found == {name: [] for name in found}


@pytest.mark.parametrize("width", [320, 390])
def test_the_nps_scale_is_one_row_on_a_small_phone(
    browser, live_server, demo_api, width
):
    application_submitted(demo_api, 6, "fi")
    (message,) = mail.outbox
    context = browser.new_context(viewport={"width": width, "height": 640})
    page = context.new_page()
    page.goto(on_live_server(survey_link(message), live_server))

    boxes = [
        page.get_by_role("radio", name=str(n), exact=True)
        .locator("xpath=..")
        .bounding_box()
        for n in range(11)
    ]
    screens = Path("/work/notes/screens/answers")
    if screens.parent.exists():  # for people to look at; not asserted
        screens.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screens / f"answer-nps-{width}.png"))
    context.close()

    tops = {round(box["y"]) for box in boxes if box}
    assert len(boxes) == 11 and len(tops) == 1, f"NPS wraps at {width} px: {tops}"
    assert all(box and box["width"] >= 24 and box["height"] >= 24 for box in boxes)
    assert all(box and box["x"] + box["width"] <= width for box in boxes)
    lefts = [box["x"] for box in boxes if box]
    assert lefts == sorted(lefts)  # 0 … 10 from left to right


def test_back_returns_to_the_last_answer_without_losing_it(page, live_server, demo_api):
    application_submitted(demo_api, 7, "en")
    (message,) = mail.outbox
    page.goto(on_live_server(score_link(message, 8), live_server))
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Submitting my loan application was easy.").wait_for()

    page.get_by_role("link", name="Back").click()
    page.get_by_text("Question 1 of 4").wait_for()
    assert page.get_by_role("radio", name="8", exact=True).is_checked()
    page.get_by_role("radio", name="9", exact=True).check()
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Submitting my loan application was easy.").wait_for()

    assert Answer.objects.get(question__key="nps").number == 9
