"""Follow-up fixtures: Aurora's chat survey, answered by customers through the page."""

from __future__ import annotations

import pytest

from surveys.models import Invitation, Response
from tests.surveys.conftest import chat_event, chat_rule, chat_survey  # noqa: F401


@pytest.fixture
def answered(api, chat_rule, client, django_capture_on_commit_callbacks):
    """Return a function: customer ``n`` answers the chat survey with ``answers``."""

    def answer(n: int, **answers: str) -> Response:
        with django_capture_on_commit_callbacks(execute=True):
            api.post("/api/v1/events/", chat_event(n), format="json")
        invitation = Invitation.objects.get(customer__external_id=f"c-{n}")
        url = f"/s/{invitation.token()}/"
        with django_capture_on_commit_callbacks(execute=True):
            for key, value in answers.items():
                client.post(url, {"question": key, "answer": [value]})
        return Response.objects.get(invitation=invitation)

    return answer
