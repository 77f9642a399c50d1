"""Anonymous public-link surveys: answered without identity, told apart as such."""

from __future__ import annotations

import pytest

from surveys.models import Question, Response, Survey


@pytest.fixture
def yearly(aurora) -> Survey:
    survey = Survey.objects.create(
        organization=aurora,
        name="Yearly customer survey",
        status=Survey.Status.ACTIVE,
        languages=["fi", "en"],
        is_anonymous=True,
        public_token="yearly-2026-public-token",
    )
    Question.objects.create(
        survey=survey,
        key="nps",
        position=1,
        type="nps",
        text={"fi": "Suosittelisitko meitä?"},
    )
    Question.objects.create(
        survey=survey, key="comment", position=2, type="text", required=False,
        text={"fi": "Terveisesi meille?"},
    )  # fmt: skip
    return survey


def test_a_visit_records_nothing_and_answers_are_anonymous(client, yearly):
    url = "/p/yearly-2026-public-token/"

    assert "Suosittelisitko meitä?" in client.get(url).content.decode()
    assert Response.objects.count() == 0

    client.post(url, {"question": "nps", "answer": "8"})
    resumed = client.get(url).content.decode()
    done = client.post(url, {"question": "comment", "answer": "Hyvää työtä"})

    assert "Terveisesi meille?" in resumed
    assert "Kiitos!" in done.content.decode()
    response = Response.objects.get()
    assert (response.origin, response.is_anonymous, response.customer) == (
        "public_link",
        True,
        None,
    )
    assert response.state == "completed" and response.invitation is None


def test_each_browser_gets_its_own_response(client, yearly, django_user_model):
    from django.test import Client

    client.post("/p/yearly-2026-public-token/", {"question": "nps", "answer": "9"})
    Client().post("/p/yearly-2026-public-token/", {"question": "nps", "answer": "3"})

    assert Response.objects.count() == 2


@pytest.mark.django_db
def test_unknown_or_closed_public_links(client, yearly):
    assert client.get("/p/not-a-survey/").status_code == 404
    Survey.objects.update(status=Survey.Status.CLOSED)
    assert client.get("/p/yearly-2026-public-token/").status_code == 410
