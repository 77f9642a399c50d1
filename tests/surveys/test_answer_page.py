"""The answer page: fast, resumable, one response per invitation, nothing recorded on GET."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cx.models import Segment
from surveys.emails import invitation_message
from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    ResponseSegment,
    Survey,
)
from tests.surveys.conftest import chat_event


@pytest.fixture
def invitation(api, chat_rule, chat_survey) -> Invitation:
    Question.objects.create(
        survey=chat_survey,
        key="what_went_wrong",
        position=3,
        type=Question.Type.TEXT,
        required=False,
        text={
            "fi": "Mikä meni pieleen, {first_name}?",
            "en": "What went wrong, {first_name}?",
        },
        condition={"any": [{"question": "csat", "operator": "lte", "value": 3}]},
    )
    api.post("/api/v1/events/", chat_event(1), format="json")
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(state=Invitation.State.SENT)
    return invitation


def url(invitation: Invitation) -> str:
    return f"/s/{invitation.token()}/"


def answer(client, invitation, key, *values, **extra):
    return client.post(
        url(invitation), {"question": key, "answer": list(values), **extra}
    )


def test_first_visit_shows_the_first_question_in_finnish_and_marks_opened(
    client, invitation
):
    page = client.get(url(invitation))

    assert page.status_code == 200
    assert "Kuinka tyytyväinen olit?" in page.content.decode()
    assert (
        "Kysymys 1/3" in page.content.decode()
    )  # the conditional follow-up is counted up front
    assert 'lang="fi"' in page.content.decode()
    assert Invitation.objects.get().state == Invitation.State.OPENED
    assert Response.objects.count() == 0  # a GET records nothing


def test_language_switch(client, invitation):
    english = client.get(url(invitation), {"lang": "en"}).content.decode()
    swedish = client.get(url(invitation), {"lang": "sv"}).content.decode()

    assert "How satisfied were you?" in english and "Question 1 of 3" in english
    assert "Fråga 1 av 3" in swedish and 'lang="sv"' in swedish


def test_one_click_score_is_preselected_but_not_recorded(client, invitation):
    page = client.get(url(invitation), {"score": "2"})

    assert re.search(r'value="2"\s+checked', page.content.decode())
    assert Answer.objects.count() == 0


def test_every_link_of_the_email_fetched_with_get_records_nothing(client, invitation):
    message = invitation_message(invitation)
    links = set(re.findall(r'href="(http[^"]+)"', message.alternatives[0][0]))
    assert len(links) >= 7  # five scores, the survey, unsubscribe

    for link in links:
        path = link.split("://", 1)[1].split("/", 1)[1]
        assert client.get("/" + path).status_code == 200

    assert Response.objects.count() == 0
    assert Answer.objects.count() == 0
    assert not invitation.customer.__class__.objects.get(
        pk=invitation.customer_id
    ).opted_out


def test_low_score_asks_what_went_wrong_then_completes(client, invitation):
    assert answer(client, invitation, "csat", "2").status_code == 302
    assert answer(client, invitation, "resolved", "0").status_code == 302
    follow_up = client.get(url(invitation))
    assert "Mikä meni pieleen, Maija?" in follow_up.content.decode()

    done = answer(client, invitation, "what_went_wrong", "Jono oli pitkä")
    thanks = client.get(done["Location"])

    assert thanks.status_code == 200
    assert "Kiitos!" in thanks.content.decode()
    response = Response.objects.get()
    assert response.state == Response.State.COMPLETED
    assert Invitation.objects.get().state == Invitation.State.ANSWERED
    assert dict(response.answers.values_list("question__key", "number")) == {
        "csat": 2,
        "resolved": 0,
        "what_went_wrong": None,
    }


def test_high_score_skips_the_follow_up(client, invitation):
    answer(client, invitation, "csat", "5")
    answer(client, invitation, "resolved", "1")

    assert Response.objects.get().state == Response.State.COMPLETED
    assert not Answer.objects.filter(question__key="what_went_wrong").exists()


def test_partial_answers_are_kept_and_the_link_resumes(client, invitation):
    answer(client, invitation, "csat", "4")

    again = client.get(url(invitation))

    assert "Saitko asiasi hoidettua?" in again.content.decode()
    response = Response.objects.get()
    assert response.state == Response.State.STARTED
    assert response.answers.get().number == 4


def test_bad_values_show_an_error_tied_to_the_field(client, invitation):
    for bad in ("9", "abc", ""):
        page = answer(client, invitation, "csat", bad)
        assert page.status_code == 400
        assert 'role="alert"' in page.content.decode()
        assert 'aria-describedby="error"' in page.content.decode()
    assert Answer.objects.count() == 0


def test_tampered_form_never_crashes(client, invitation):
    assert (
        client.post(url(invitation), {"question": "nope", "answer": "1"}).status_code
        == 302
    )
    assert client.post(url(invitation), {}).status_code == 302
    assert Answer.objects.count() == 0


def test_double_submission_stores_one_response_and_one_answer(client, invitation):
    answer(client, invitation, "csat", "3")
    answer(client, invitation, "csat", "3")

    assert Response.objects.count() == 1
    assert Answer.objects.count() == 1


def test_completed_link_is_410_and_cannot_write(client, invitation):
    answer(client, invitation, "csat", "5")
    answer(client, invitation, "resolved", "1")

    assert client.get(url(invitation)).status_code == 410
    assert answer(client, invitation, "csat", "1").status_code == 410
    assert Answer.objects.get(question__key="csat").number == 5


def test_expired_link_is_410(client, invitation):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    page = client.get(url(invitation))

    assert page.status_code == 410
    assert answer(client, invitation, "csat", "1").status_code == 410


def test_closed_survey_is_410(client, invitation):
    Survey.objects.update(status=Survey.Status.CLOSED)

    assert client.get(url(invitation)).status_code == 410


@pytest.mark.django_db
def test_unknown_and_tampered_tokens_are_a_friendly_404(client):
    for token in ("nope", "A" * 27, "x" * 400, "%00"):
        page = client.get(f"/s/{token}/")
        assert page.status_code == 404
        assert b"<h1>" in page.content


def test_completion_snapshots_segments_and_the_journey(
    client, invitation, aurora, mortgage
):
    Segment.objects.create(
        organization=aurora,
        key="everyone",
        name="Everyone",
        rule={"all": []},
    )
    answer(client, invitation, "csat", "5")
    answer(client, invitation, "resolved", "1")

    response = Response.objects.get()
    assert response.touchpoint.name == "Advisor chat"
    assert response.journey == mortgage
    assert list(ResponseSegment.objects.values_list("key", flat=True)) == ["everyone"]
    Segment.objects.all().delete()  # later changes do not rewrite history
    assert ResponseSegment.objects.get().key == "everyone"


def test_htmx_post_returns_just_the_next_step(client, invitation):
    page = client.post(
        url(invitation),
        {"question": "csat", "answer": "4"},
        headers={"hx-request": "true"},
    )

    assert page.status_code == 200
    assert "<html" not in page.content.decode()
    assert "Saitko asiasi hoidettua?" in page.content.decode()


def test_the_answer_page_costs_few_queries(
    client, invitation, django_assert_max_num_queries
):
    client.get(url(invitation))  # the first visit marks the invitation opened
    answer(client, invitation, "csat", "4")

    # The invitation with all it shows; the response; its answers; the questions.
    with django_assert_max_num_queries(5):
        page = client.get(url(invitation))

    # The customer sees the next question, and what they answered is stored.
    assert page.status_code == 200
    assert "Saitko asiasi hoidettua?" in page.content.decode()
    assert "Kuinka tyytyväinen olit?" not in page.content.decode()
    response = Response.objects.get(invitation=invitation)
    assert response.state == Response.State.STARTED
    assert dict(response.answers.values_list("question__key", "number")) == {"csat": 4}
