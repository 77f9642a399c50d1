"""Erasing a customer leaves their name, address and id in no table; the numbers stay.

The story, built through the product's own paths: Maija, a customer of Aurora Bank,
chats and gets a survey; she answers it badly, with a comment giving her name and
address; the answer opens a follow-up case; Aurora's CRM receives the response and the
case by webhook; Aino, the owner, reads, searches and exports the feedback, notes it,
closes the case with a recovery survey (its webhook waits for a retry), corrects
Maija's record and the note in the admin; the email provider reports Maija's complaint;
a maturity assessment runs. Ville, another customer, answers too: what is his must stay.

Then Maija is erased, through the API in one test and the admin action in the other, and
every text, JSON, binary and file column of every installed model — Django's admin
history and decoded sessions included — is searched for her: nothing may be found.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.urls import reverse

from cx.models import Customer, Organization
from cx.services.customers import customer_erase
from followups.models import FollowUp
from followups.services import followup_close, followup_policy
from insights import feedback
from insights.models import ResponseNote
from insights.selectors import metric_rows
from maturity.models import Assessment
from maturity.services import assessment_request
from surveys import transport
from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    ResponseSegment,
    Survey,
    UndeliverableAddress,
)
from surveys.services import delivery
from surveys.services.privacy import addresses_masked
from surveys.services.tracking import tracking_event_record
from surveys.transport import PermanentError
from tests.surveys.conftest import chat_rule, chat_survey  # noqa: F401 (fixtures)
from tests.webhooks.conftest import receiver  # noqa: F401 (fixture)
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.privacy import ERASED_BEFORE_DELIVERY

EXTERNAL_ID = "crm-4711-maija"
EMAIL = "maija.poistettava@example.com"
NAME = "Maija Poistettava"
PHONE = "+358401234567"
MAIJA = (EXTERNAL_ID, EMAIL, NAME, "Poistettava", PHONE)

VILLE_EMAIL = "ville.pysyva@example.com"
VILLE_COMMENT = "Ville Pysyvä says the chat was great"

# Where Maija's data is before the erasure, at the least (a test that finds it nowhere
# would pass vacuously).
HOLDERS = {
    "admin.LogEntry",
    "cx.Customer",
    "cx.Event",
    "followups.FollowUp",
    "insights.ResponseNote",
    "surveys.Answer",
    "surveys.Invitation",
    "surveys.UndeliverableAddress",
    "webhooks.WebhookDelivery",
}


def _column_texts(model: type[models.Model]) -> Iterator[str]:
    """Yield every text the model's rows hold, decoded where stored encoded."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if isinstance(
            field,
            models.CharField
            | models.TextField
            | models.JSONField
            | models.BinaryField
            | models.FileField,
        )
    ]
    if not fields:
        return
    for row in model._base_manager.values_list(*(field.attname for field in fields)):
        for field, value in zip(fields, row, strict=True):
            if value is None:
                continue
            if isinstance(field, models.BinaryField):
                yield bytes(value).decode("utf-8", "replace")
            elif isinstance(field, models.FileField):
                yield str(value)
                if value and field.storage.exists(value):
                    with field.storage.open(value) as stored:
                        yield stored.read().decode("utf-8", "replace")
            elif isinstance(field, models.JSONField):
                yield json.dumps(value, ensure_ascii=False)
            else:
                yield str(value)
    if model is Session:
        for session in Session.objects.all():
            yield json.dumps(session.get_decoded(), ensure_ascii=False, default=str)


def tables_mentioning(*needles: str) -> set[str]:
    """Return the models (``app.Model``) any of whose rows holds one of ``needles``."""
    lowered = [needle.casefold() for needle in needles]
    return {
        model._meta.label
        for model in apps.get_models(include_auto_created=True)
        if any(
            needle in text.casefold()
            for text in _column_texts(model)
            for needle in lowered
        )
    }


def aggregates(organization: Organization) -> dict[str, Any]:
    """Return the organisation's numbers that an erasure must not change."""
    numbers: dict[str, Any] = {
        metric: metric_rows(
            organization=organization, metric=metric, group_by=["touchpoint"]
        )
        for metric in ("csat", "fcr", "nps", "response_rate", "count")
    }
    numbers["answers"] = sorted(
        Answer.objects.filter(response__organization=organization)
        .exclude(number=None)
        .values_list("question__key", "number")
    )
    numbers["responses"] = sorted(
        Response.objects.for_organization(organization).values_list(
            "state", "touchpoint_id", "journey_id", "survey_id"
        )
    )
    numbers["segments"] = sorted(
        ResponseSegment.objects.for_organization(organization).values_list("key", "nps")
    )
    numbers["followups"] = sorted(
        FollowUp.objects.for_organization(organization).values_list(
            "state", "root_cause", "recovered", "reason"
        )
    )
    numbers["invitations"] = sorted(
        Invitation.objects.for_organization(organization).values_list(
            "state", "origin", "survey_id"
        )
    )
    numbers["deliveries"] = sorted(
        WebhookDelivery.objects.for_organization(organization).values_list(
            "event_type", flat=True
        )
    )
    numbers["notes"] = ResponseNote.objects.for_organization(organization).count()
    return numbers


def _event(external_id: str, email: str, name: str, n: int) -> dict[str, Any]:
    return {
        "event_id": f"chat-{external_id}-{n}",
        "type": "chat.ended",
        "customer": {
            "external_id": external_id,
            "email": email,
            "name": name,
            "language": "fi",
            "attributes": {"phone": PHONE if external_id == EXTERNAL_ID else ""},
        },
        "properties": {"note": f"chat with {name} <{email}>"},
    }


def _answer(client: Client, invitation: Invitation, **answers: str) -> None:
    url = f"/s/{invitation.token()}/"
    for key, value in answers.items():
        posted = client.post(url, {"question": key, "answer": [value]})
        assert posted.status_code in (200, 302), (key, posted.content[:300])


@pytest.fixture
def maija(  # type: ignore[no-untyped-def]
    aurora,
    aino,
    api,
    chat_rule,
    chat_survey,
    receiver,
    django_capture_on_commit_callbacks,
) -> Customer:
    """Return Maija, with her data in every place the product keeps a customer's."""
    chat_survey.questions.create(
        key="comment",
        position=3,
        type=Question.Type.TEXT,
        required=False,
        text={"fi": "Kerro lisää", "en": "Tell us more"},
    )
    recovery = Survey.objects.create(
        organization=aurora,
        name="Recovery",
        status=Survey.Status.ACTIVE,
        languages=["fi", "en"],
    )
    recovery.questions.create(
        key="csat", position=1, type=Question.Type.CSAT, text={"fi": "Nyt?"}
    )
    aurora.cx_owner = aino
    aurora.save(update_fields=["cx_owner"])
    policy = followup_policy(organization=aurora)
    policy.recovery_survey = recovery
    policy.keywords = ["cancel"]
    policy.save()
    WebhookEndpoint.objects.create(
        organization=aurora,
        url=receiver.url,
        description="CRM",
        event_types=["response.completed", "followup.opened", "followup.closed"],
    )

    with django_capture_on_commit_callbacks(execute=True):
        for event in (
            _event(EXTERNAL_ID, EMAIL, NAME, 1),
            _event("crm-ville", VILLE_EMAIL, "Ville Pysyvä", 1),
        ):
            assert api.post("/api/v1/events/", event, format="json").status_code == 201
    invitation = Invitation.objects.get(customer__external_id=EXTERNAL_ID)
    ville_invitation = Invitation.objects.get(customer__external_id="crm-ville")
    assert invitation.state == ville_invitation.state == Invitation.State.SENT
    with django_capture_on_commit_callbacks(execute=True):
        _answer(
            Client(),
            invitation,
            csat="1",
            resolved="0",
            comment=f"I am {NAME} ({EMAIL}, {PHONE}) and I will cancel.",
        )
        _answer(
            Client(), ville_invitation, csat="5", resolved="1", comment=VILLE_COMMENT
        )
    response = Response.objects.get(invitation=invitation)
    followup = FollowUp.objects.get(response=response)
    assert sorted(request.json()["type"] for request in receiver.requests) == [
        "followup.opened",
        "response.completed",
        "response.completed",
    ]

    # A later chat is suppressed (contacted recently); its properties name her too.
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/events/", _event(EXTERNAL_ID, EMAIL, NAME, 2), format="json")

    staff = Client()
    staff.login(username="aino", password="pw-aino")
    assert staff.get("/feedback/", {"q": "Poistettava"}).status_code == 200
    assert staff.get(f"/feedback/{response.pk}/").status_code == 200
    assert staff.get(f"/followups/{followup.pk}/").status_code == 200
    # Exports are streamed, never stored; their audit entries name filters only.
    exported = api.get("/api/v1/responses/export.csv", {"has_comment": "true"})
    assert exported.status_code == 200
    assert NAME in b"".join(exported.streaming_content).decode()
    feedback.response_tag(response=response, name="cancellation")
    note = feedback.response_note_add(
        response=response, author=aino, text=f"{NAME} called back at {EMAIL}"
    )
    # The case closes with a recovery survey; the CRM is down, its webhook waits.
    receiver.answers.append(503)
    with django_capture_on_commit_callbacks(execute=True):
        followup_close(
            followup=followup,
            user=aino,
            root_cause="process",
            action_taken=f"Apologised to {NAME} by phone {PHONE}",
            send_recovery_survey=True,
        )
    Invitation.objects.filter(origin=Invitation.Origin.RECOVERY).update(
        last_error=f"SMTP 450 at RCPT: <{EMAIL}>: mailbox busy"
    )
    tracking_event_record(
        kind="complained",
        email=EMAIL,
        invitation_id=invitation.pk,
        detail=f"complaint from {EMAIL}",
    )

    customer = Customer.objects.get(external_id=EXTERNAL_ID)
    changed = staff.post(
        reverse("admin:cx_customer_change", args=[customer.pk]),
        {
            "organization": aurora.pk,
            "external_id": EXTERNAL_ID,
            "email": EMAIL,
            "name": NAME,
            "language": "fi",
            "attributes": json.dumps({"phone": PHONE}),
        },
    )
    assert changed.status_code == 302, changed.content[:2000]
    changed = staff.post(
        reverse("admin:insights_responsenote_change", args=[note.pk]),
        {
            "organization": aurora.pk,
            "response": response.pk,
            "text": f"{NAME} called back at {EMAIL}; wants a call",
        },
    )
    assert changed.status_code == 302, changed.content[:2000]
    assert LogEntry.objects.filter(object_repr__contains=NAME).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        requested = assessment_request(organization=aurora)
    assert Assessment.objects.get(pk=requested.pk).status == Assessment.Status.DONE
    assert tables_mentioning(*MAIJA) >= HOLDERS
    return customer


def _maija_is_gone_and_ville_stays(before: dict[str, Any], aurora) -> None:  # type: ignore[no-untyped-def]
    assert tables_mentioning(*MAIJA) == set()
    assert aggregates(aurora) == before
    customer = Customer.objects.get(external_id__startswith="erased-")
    assert (customer.email, customer.name, customer.opted_out) == ("", "", True)
    assert Response.objects.filter(customer=customer, is_anonymous=True).count() == 1
    # The queued webhook about the closed case is failed, not sent with nothing in it.
    queued = WebhookDelivery.objects.get(event_type="followup.closed")
    assert (queued.state, queued.last_error) == ("failed", ERASED_BEFORE_DELIVERY)
    assert (
        queued.payload["data"] is None and queued.payload["type"] == "followup.closed"
    )
    # Ville's data is his, and stays.
    assert {"cx.Customer", "surveys.Invitation", "surveys.Answer"} <= tables_mentioning(
        VILLE_EMAIL, VILLE_COMMENT
    )
    assert WebhookDelivery.objects.filter(
        payload__data__answers__2__text=VILLE_COMMENT
    ).exists()


def test_erase_through_the_api_leaves_her_in_no_table(api, aurora, maija):
    before = aggregates(aurora)

    assert api.delete(f"/api/v1/customers/{EXTERNAL_ID}/").status_code == 204

    _maija_is_gone_and_ville_stays(before, aurora)


def test_erase_through_the_admin_action_leaves_her_in_no_table(aurora, maija):
    before = aggregates(aurora)
    staff = Client()
    staff.login(username="aino", password="pw-aino")

    erased = staff.post(
        reverse("admin:cx_customer_changelist"),
        {"action": "erase", "_selected_action": [maija.pk]},
    )

    assert erased.status_code == 302
    _maija_is_gone_and_ville_stays(before, aurora)


def test_erase_twice_changes_nothing_more(api, aurora, maija):
    assert api.delete(f"/api/v1/customers/{EXTERNAL_ID}/").status_code == 204
    after_first = aggregates(aurora)

    customer_erase(customer=Customer.objects.get(pk=maija.pk))

    assert aggregates(aurora) == after_first
    assert tables_mentioning(*MAIJA) == set()


def test_erase_keeps_an_address_another_customer_uses_undeliverable(api, aurora, maija):
    Customer.objects.create(organization=aurora, external_id="sister", email=EMAIL)

    assert api.delete(f"/api/v1/customers/{EXTERNAL_ID}/").status_code == 204

    assert UndeliverableAddress.objects.filter(email=EMAIL).exists()


def test_privacy_of_delivery_logs_invitations_by_id_not_address(
    api,
    chat_rule,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        api.post("/api/v1/events/", _event(EXTERNAL_ID, EMAIL, NAME, 1), format="json")
    invitation = Invitation.objects.get()

    def refused(message, *, handoff):  # type: ignore[no-untyped-def]
        raise PermanentError(f"SMTP 550 at RCPT: 5.1.1 <{EMAIL}>: no such user")

    monkeypatch.setattr(transport, "send", refused)
    with caplog.at_level(logging.INFO):
        delivery.invitations_send(invitation_ids=[invitation.pk])
        tracking_event_record(
            kind="bounced", email="stranger@example.com", invitation_id=None
        )

    logged = caplog.text
    assert f"Invitation {invitation.pk}: permanent failure" in logged
    assert "<<address>>" in logged
    assert "Tracking event bounced for an address we never sent to" in logged
    assert "@" not in logged
    # The row keeps the server's answer for staff, until the customer is erased.
    assert EMAIL in Invitation.objects.get().last_error


def test_privacy_mask_hides_addresses_in_any_text():
    assert (
        addresses_masked("550 <maija@example.com>; cc x.y+z@mail.example.fi, done")
        == "550 <<address>>; cc <address>, done"
    )
