"""Scale wording: the email's one-click row and the answer page say the same thing.

Every question type's end labels are rendered in the invitation email and on the answer
page, in Finnish, Swedish and English, and must match word for word — and fit the
question (likelihood for NPS, satisfaction for CSAT, agreement for a CES statement).
"""

from __future__ import annotations

import re

import pytest

from surveys.emails import invitation_message
from surveys.models import Invitation, Question
from tests.surveys.conftest import chat_event

EXPECTED = {
    ("nps", "en"): ("not at all likely", "extremely likely"),
    ("nps", "fi"): ("ei lainkaan todennäköisesti", "erittäin todennäköisesti"),
    ("nps", "sv"): ("inte alls troligt", "mycket troligt"),
    ("csat", "en"): ("very dissatisfied", "very satisfied"),
    ("csat", "fi"): ("erittäin tyytymätön", "erittäin tyytyväinen"),
    ("csat", "sv"): ("mycket missnöjd", "mycket nöjd"),
    ("ces", "en"): ("strongly disagree", "strongly agree"),
    ("ces", "fi"): ("täysin eri mieltä", "täysin samaa mieltä"),
    ("ces", "sv"): ("instämmer inte alls", "instämmer helt"),
    ("fcr", "en"): ("No", "Yes"),
    ("fcr", "fi"): ("Ei", "Kyllä"),
    ("fcr", "sv"): ("Nej", "Ja"),
    ("rating", "en"): ("not at all", "very much"),
    ("rating", "fi"): ("ei lainkaan", "erittäin paljon"),
    ("rating", "sv"): ("inte alls", "mycket"),
}


@pytest.fixture
def invite(api, chat_rule, chat_survey):
    def make(n: int, question_type: str, language: str) -> Invitation:
        chat_survey.questions.filter(key="csat").update(
            type=question_type, scale_min=1, scale_max=5
        )
        api.post("/api/v1/events/", chat_event(n, language=language), format="json")
        return Invitation.objects.get(customer__external_id=f"c-{n}")

    return make


def email_ends(html: str, question_type: str) -> tuple[str, str]:
    if question_type == "fcr":  # the two links are the labels: yes first, then no
        yes, no = re.findall(r'\?score=\d"[^>]*>([^<]+)</a>', html)
        return no, yes
    low = re.search(r'class="scale-low"[^>]*>-?\d+ = ([^<]+)<', html)
    high = re.search(r'class="scale-high"[^>]*>-?\d+ = ([^<]+)<', html)
    assert low and high, "the email has no one-click row"
    return low.group(1), high.group(1)


def page_ends(html: str, question_type: str) -> tuple[str, str]:
    if question_type == "fcr":
        labels = dict(re.findall(r'value="(\d)"[^>]*><span>([^<]+)</span>', html))
        return labels["0"], labels["1"]
    low = re.search(r'class="scale-low">-?\d+ = ([^<]+)<', html)
    high = re.search(r'class="scale-high">-?\d+ = ([^<]+)<', html)
    assert low and high, "the page shows no scale ends"
    return low.group(1), high.group(1)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("question_type", ["nps", "csat", "ces", "fcr", "rating"])
def test_the_email_and_the_page_give_each_scale_the_same_end_labels(
    invite, client, question_type, language
):
    invitation = invite(1, question_type, language)

    email = invitation_message(invitation).alternatives[0][0]
    page = client.get(f"/s/{invitation.token()}/").content.decode()

    assert email_ends(email, question_type) == page_ends(page, question_type)
    assert page_ends(page, question_type) == EXPECTED[question_type, language]


def test_a_survey_may_word_a_scales_ends_itself_in_email_and_page(
    invite, client, chat_survey
):
    chat_survey.questions.filter(key="csat").update(
        scale_low_label={"fi": "huono", "en": "poor"},
        scale_high_label={"fi": "erinomainen", "en": "excellent"},
    )
    finnish = invite(1, "csat", "fi")
    swedish = invite(2, "csat", "sv")

    for invitation, expected in (
        (finnish, ("huono", "erinomainen")),
        (swedish, ("mycket missnöjd", "mycket nöjd")),  # no Swedish given: the default
    ):
        email = invitation_message(invitation).alternatives[0][0]
        page = client.get(f"/s/{invitation.token()}/").content.decode()
        assert email_ends(email, "csat") == page_ends(page, "csat") == expected


def test_the_survey_api_takes_a_questions_own_end_labels(api):
    created = api.post(
        "/api/v1/surveys/",
        {
            "name": "Branch visit",
            "languages": ["fi", "en"],
            "questions": [
                {
                    "key": "csat",
                    "position": 1,
                    "type": "csat",
                    "text": {"fi": "Miten onnistui?", "en": "How did it go?"},
                    "scale_low_label": {"fi": "huonosti", "en": "badly"},
                    "scale_high_label": {"fi": "hyvin", "en": "well"},
                }
            ],
        },
        format="json",
    )

    assert created.status_code == 201, created.json()
    question = Question.objects.get(survey__name="Branch visit")
    assert question.scale_low_label == {"fi": "huonosti", "en": "badly"}
    assert created.json()["questions"][0]["scale_high_label"]["en"] == "well"

    bad = api.post(
        "/api/v1/surveys/",
        {
            "name": "Bad labels",
            "languages": ["en"],
            "questions": [
                {
                    "key": "csat",
                    "position": 1,
                    "type": "csat",
                    "text": {"en": "How did it go?"},
                    "scale_low_label": {"xx": "?"},
                }
            ],
        },
        format="json",
    )
    assert bad.status_code == 400
