"""Invitation emails: language, the personal link, one-click scores, unsubscribe."""

from __future__ import annotations

import re

import pytest

from cx.models import Customer
from surveys.emails import invitation_message
from surveys.models import Invitation, Question
from tests.surveys.conftest import chat_event


@pytest.fixture
def invite(api, chat_rule):
    def make(n: int = 1, **customer) -> Invitation:
        api.post("/api/v1/events/", chat_event(n, **customer), format="json")
        return Invitation.objects.get(customer__external_id=f"c-{n}")

    return make


def test_finnish_email_with_link_scores_and_unsubscribe(invite, settings):
    settings.SITE_URL = "https://feedback.example.com"
    invitation = invite(1, language="fi")

    message = invitation_message(invitation)
    html = message.alternatives[0][0]
    token = invitation.token()

    assert message.to == ["c1@example.com"]
    assert "Aurora Bank" in message.subject
    assert "Hei Maija," in message.body
    assert "Vastaa kyselyyn" in html
    assert "Kuinka tyytyväinen olit?" in message.body
    assert f"https://feedback.example.com/s/{token}/" in message.body
    links = re.findall(rf"https://feedback.example.com/s/{token}/\?score=(\d+)", html)
    assert links == ["1", "2", "3", "4", "5"]
    assert message.extra_headers["List-Unsubscribe"] == (
        f"<https://feedback.example.com/s/{token}/unsubscribe/>"
    )
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )


def test_english_email(invite):
    invitation = invite(2, language="en")
    message = invitation_message(invitation)
    html = message.alternatives[0][0]

    assert message.subject == "How did it go? Aurora Bank would like to know"
    assert message.body.startswith("Hello Maija,")
    assert "How satisfied were you?" in message.body
    assert "Answer the survey" in html
    assert '<html lang="en">' in html
    assert "No more surveys from us" in html  # the visible unsubscribe link
    assert f"/s/{invitation.token()}/unsubscribe/" in message.body
    assert 'aria-label="5 out of 5 – very satisfied"' in html  # not a bare number
    assert "1 = very dissatisfied" in message.body


def test_the_email_goes_out_in_the_invitations_language(invite):
    message = invitation_message(invite(2, language="fi"))

    assert message.subject == "Miten meni? Aurora Bank haluaa kuulla"
    assert '<html lang="fi">' in message.alternatives[0][0]
    assert "How satisfied" not in message.body


def test_a_reminder_says_so(invite):
    message = invitation_message(invite(2, language="en"), reminder=True)

    assert message.subject.startswith("Reminder:")
    assert "There is still time to answer." in message.body


def test_nps_first_question_gives_eleven_one_click_scores(invite, chat_survey):
    chat_survey.questions.filter(key="csat").update(
        type=Question.Type.NPS, text={"en": "Would you recommend us?"}
    )
    invitation = invite(2, language="en")

    html = invitation_message(invitation).alternatives[0][0]

    scores = re.findall(rf"/s/{invitation.token()}/\?score=(\d+)", html)
    assert scores == [str(n) for n in range(11)]
    assert "0 = not at all likely" in html and "10 = extremely likely" in html


def test_a_yes_no_first_question_is_answered_with_one_click_yes_or_no(
    invite, chat_survey
):
    Question.objects.filter(survey=chat_survey, key="csat").update(position=3)
    Question.objects.filter(survey=chat_survey, key="resolved").update(position=1)
    invitation = invite(3, language="en")

    html = invitation_message(invitation).alternatives[0][0]

    assert re.findall(
        rf"/s/{invitation.token()}/\?score=(\d)\"[^>]*>(\w+)</a>", html
    ) == [
        ("1", "Yes"),
        ("0", "No"),
    ]


def test_no_score_row_when_the_first_question_is_free_text(invite, chat_survey):
    Question.objects.filter(survey=chat_survey, key="csat").update(
        position=3, type=Question.Type.TEXT
    )
    Question.objects.filter(survey=chat_survey, key="resolved").update(position=1)
    Question.objects.filter(survey=chat_survey, key="resolved").update(
        type=Question.Type.TEXT
    )

    html = invitation_message(invite(3)).alternatives[0][0]

    assert "?score=" not in html


def test_customer_names_are_escaped_in_html(invite):
    html = invitation_message(
        invite(4, name="<script>alert(1)</script> Evil")
    ).alternatives[0][0]

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_unsubscribe_get_asks_and_post_opts_out(invite, client):
    invitation = invite(5)
    url = f"/s/{invitation.token()}/unsubscribe/"

    page = client.get(url)
    assert page.status_code == 200
    assert not Customer.objects.get(external_id="c-5").opted_out

    done = client.post(url)  # what a one-click mail client does: no CSRF token
    assert done.status_code == 200
    assert Customer.objects.get(external_id="c-5").opted_out


@pytest.mark.django_db
def test_unsubscribe_with_a_tampered_token_is_a_friendly_404(client):
    for token in ("nope", "x" * 500, "äö"):
        response = client.post(f"/s/{token}/unsubscribe/")
        assert response.status_code == 404
        assert b"<h1>" in response.content
