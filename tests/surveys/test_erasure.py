"""Erasing a customer removes their personal data from every table; aggregates stay."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from surveys.models import Answer, Invitation, Response
from tests.surveys.conftest import chat_event

EMAIL = "maija.erase@example.com"
NAME = "Maija Poistettava"


def _tables_mentioning(*needles: str) -> list[str]:
    hits = []
    for model in apps.get_models():
        text_fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model.objects.values_list(*text_fields) if text_fields else []:
            for value in row:
                if any(needle.lower() in str(value).lower() for needle in needles):
                    hits.append(model._meta.label)
    return sorted(set(hits))


def test_erasing_a_customer_leaves_no_trace_but_keeps_the_scores(
    api, client, chat_rule, chat_survey
):
    chat_survey.questions.create(
        key="comment",
        position=3,
        type="text",
        required=False,
        text={"fi": "Kerro lisää"},
    )
    event = chat_event(7, email=EMAIL, name=NAME)
    event["properties"] = {"note": f"called by {NAME}"}
    api.post("/api/v1/events/", event, format="json")
    invitation = Invitation.objects.get()
    Invitation.objects.update(state="sent")
    url = f"/s/{invitation.token()}/"
    client.post(url, {"question": "csat", "answer": "2"})
    client.post(url, {"question": "resolved", "answer": "0"})
    last = client.post(url, {"question": "comment", "answer": f"I am {NAME}, {EMAIL}"})
    assert last.status_code == 302, last.content[:500]
    assert Answer.objects.filter(text__contains=NAME).exists()
    # The data really was there before.
    assert "surveys.Answer" in _tables_mentioning(EMAIL, NAME)

    assert api.delete("/api/v1/customers/c-7/").status_code == 204

    assert _tables_mentioning(EMAIL, NAME) == []
    assert Response.objects.get().state == "completed"
    assert sorted(
        Answer.objects.exclude(number=None).values_list("number", flat=True)
    ) == [0, 2]
