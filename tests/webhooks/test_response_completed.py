"""A completed response reaches the organisation's systems as one signed webhook."""

from __future__ import annotations

import pytest

from cx.models import Segment
from surveys.models import Invitation, Question, Response
from surveys.services import responses
from tests.surveys.conftest import chat_event
from tests.webhooks.conftest import signature_is_valid
from webhooks.models import WebhookDelivery


@pytest.fixture
def invitation(api, chat_rule, chat_survey) -> Invitation:
    Question.objects.create(
        survey=chat_survey,
        key="comment",
        position=3,
        type=Question.Type.TEXT,
        required=False,
        text={"fi": "Kerro lisää", "en": "Tell us more"},
    )
    api.post("/api/v1/events/", chat_event(1), format="json")
    invitation = Invitation.objects.get()
    Invitation.objects.filter(pk=invitation.pk).update(state=Invitation.State.SENT)
    return invitation


def answer(client, invitation: Invitation, key: str, *values: str):
    return client.post(
        f"/s/{invitation.token()}/", {"question": key, "answer": list(values)}
    )


def test_answering_the_survey_posts_one_signed_event_with_the_answers(
    client,
    aurora,
    invitation,
    endpoint,
    receiver,
    django_capture_on_commit_callbacks,
):
    Segment.objects.create(
        organization=aurora, key="everyone", name="Everyone", rule={"all": []}
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer(client, invitation, "csat", "5")
        answer(client, invitation, "resolved", "1")
        assert receiver.requests == []  # not complete yet
        answer(client, invitation, "comment", "Nopea & <b>ystävällinen</b>")

    response = Response.objects.get()
    assert response.state == Response.State.COMPLETED
    (request,) = receiver.requests
    assert signature_is_valid(endpoint.secret, request)
    body = request.json()
    assert body["type"] == "response.completed"
    data = body["data"]
    assert data["response_id"] == response.pk
    assert data["survey"] == {"id": invitation.survey_id, "name": "Chat satisfaction"}
    assert data["touchpoint"]["name"] == "Advisor chat"
    assert data["journey"]["name"] == "Mortgage"
    assert data["process"] is None
    assert data["customer"] == {"external_id": "c-1"}
    assert data["language"] == "fi"
    assert data["completed_at"].startswith(response.completed_at.strftime("%Y-%m-%dT"))
    assert data["answers"] == [
        {"question": "csat", "type": "csat", "number": 5, "choices": [], "text": ""},
        {"question": "resolved", "type": "fcr", "number": 1, "choices": [], "text": ""},
        {
            "question": "comment",
            "type": "text",
            "number": None,
            "choices": [],
            "text": "Nopea & <b>ystävällinen</b>",
        },
    ]
    assert data["segments"] == ["everyone"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.event_type) == ("delivered", "response.completed")
    assert request.headers["webhook-id"] == delivery.message_id


def test_an_anonymous_survey_does_not_name_the_customer(
    invitation, endpoint, chat_survey
):
    chat_survey.is_anonymous = True
    chat_survey.save()
    invitation.refresh_from_db()
    response = responses.response_for(invitation=invitation)
    for question in chat_survey.ordered_questions[:2]:
        responses.answer_save(
            response=response,
            question=question,
            answer=responses.ParsedAnswer(number=1),
        )

    responses.response_complete(response=response)

    data = WebhookDelivery.objects.get().payload["data"]
    assert data["customer"] is None
    assert data["segments"] == []
    assert [a["question"] for a in data["answers"]] == ["csat", "resolved"]


def test_completing_twice_publishes_once_and_nobody_listening_costs_nothing(
    invitation, endpoint
):
    response = responses.response_for(invitation=invitation)

    assert responses.response_complete(response=response)
    assert not responses.response_complete(response=response)
    assert WebhookDelivery.objects.count() == 1

    endpoint.event_types = ["followup.opened"]
    endpoint.save()
    other = Response.objects.create(
        organization=response.organization,
        survey=response.survey,
        language="fi",
        started_at=response.started_at,
    )
    responses.response_complete(response=other)
    assert WebhookDelivery.objects.count() == 1


def test_a_webhook_that_cannot_be_written_does_not_lose_the_answers(
    invitation, endpoint, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("no webhooks today")

    monkeypatch.setattr("webhooks.receivers.webhook_publish", broken)
    response = responses.response_for(invitation=invitation)

    assert responses.response_complete(response=response)

    assert Response.objects.get().state == Response.State.COMPLETED
    assert WebhookDelivery.objects.count() == 0
