"""The thank-you page promises contact within the organisation's follow-up SLA."""

from __future__ import annotations

import pytest

from followups.models import FollowUp, FollowUpPolicy
from surveys.models import Invitation
from tests.surveys.conftest import chat_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "sla_hours", "promise"),
    [
        ("fi", 24, "ottaa sinuun yhteyttä 1 päivän kuluessa."),
        ("sv", 72, "kontaktar dig om dem inom 3 dagar."),
        ("sv", 24, "kontaktar dig om dem inom 1 dag."),
        ("en", 6, "will contact you about them within 6 hours."),
        ("en", 1, "will contact you about them within 1 hour."),
    ],
)
def test_a_detractor_is_told_when_to_expect_contact_in_their_language(
    api, chat_rule, client, aurora, django_capture_on_commit_callbacks,
    language, sla_hours, promise,
):  # fmt: skip
    FollowUpPolicy.objects.create(organization=aurora, sla_hours=sla_hours)
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/events/", chat_event(1, language=language), format="json")
    invitation = Invitation.objects.get()
    url = f"/s/{invitation.token()}/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"question": "csat", "answer": ["1"]})
        done = client.post(url, {"question": "resolved", "answer": ["1"]})
    thanks = client.get(done["Location"]).content.decode()

    assert FollowUp.objects.count() == 1
    assert promise in thanks
    assert "two working days" not in thanks


def test_a_satisfied_customer_is_promised_nothing(
    api, chat_rule, client, aurora, django_capture_on_commit_callbacks
):
    FollowUpPolicy.objects.create(organization=aurora, sla_hours=24)
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/events/", chat_event(1, language="en"), format="json")
    url = f"/s/{Invitation.objects.get().token()}/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"question": "csat", "answer": ["5"]})
        done = client.post(url, {"question": "resolved", "answer": ["1"]})
    thanks = client.get(done["Location"]).content.decode()

    assert "What happens next" not in thanks
    assert "will contact you" not in thanks
