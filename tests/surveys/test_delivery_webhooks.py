"""Bounces and complaints from the email provider stop further sends; staff can re-queue.

The provider here is Postmark, posting to django-anymail's tracking webhook as it would
in production (basic auth with ANYMAIL_WEBHOOK_SECRET).
"""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from cx.models import Customer
from surveys.models import Invitation, Suppression, UndeliverableAddress
from surveys.services import delivery
from surveys.tasks import invitations_sweep_task
from tests.surveys.conftest import chat_event

State = Invitation.State
WEBHOOK = "/webhooks/anymail/postmark/tracking/"


@pytest.fixture
def provider(client, settings):
    """Post a Postmark tracking event with the right credentials."""
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:s3cret"}
    auth = base64.b64encode(b"postmark:s3cret").decode()

    def post(payload: dict[str, object], credentials: str = auth):
        return client.post(
            WEBHOOK,
            json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Basic {credentials}",
        )

    return post


@pytest.fixture
def sent_invitation(api, chat_rule, mailoutbox) -> Invitation:
    api.post("/api/v1/events/", chat_event(1), format="json")
    invitation = Invitation.objects.get()
    delivery.invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.state == State.SENT
    return invitation


def bounce(invitation: Invitation, kind: str = "HardBounce") -> dict[str, object]:
    return {
        "RecordType": "Bounce",
        "Type": kind,
        "ID": 42,
        "Email": invitation.email,
        "Metadata": {"cx_invitation": str(invitation.pk)},
        "Description": "The server was unable to deliver your message",
        "Details": "smtp;550 5.1.1 The email account does not exist",
        "BouncedAt": "2026-11-22T10:00:00Z",
    }


def test_the_email_carries_its_invitation_to_the_provider(sent_invitation, mailoutbox):
    assert mailoutbox[0].metadata == {"cx_invitation": str(sent_invitation.pk)}


def test_a_hard_bounce_makes_the_address_undeliverable(
    provider, sent_invitation, api, mailoutbox
):
    assert provider(bounce(sent_invitation)).status_code == 200

    address = UndeliverableAddress.objects.get()
    assert (address.email, address.reason) == ("c1@example.com", "bounced")
    assert address.organization_id == sent_invitation.organization_id
    sent_invitation.refresh_from_db()
    assert sent_invitation.state == State.FAILED
    assert sent_invitation.last_error.startswith("bounced: Postmark: The server")
    assert "550 5.1.1" in sent_invitation.last_error
    assert sent_invitation.next_reminder_at is None

    # A later event for the same customer is refused at once.
    Invitation.objects.update(created_at=timezone.now().replace(year=2020))
    api.post("/api/v1/events/", {**chat_event(1), "event_id": "later"}, format="json")
    assert Suppression.objects.get(event__event_id="later").reason == "undeliverable"
    assert len(mailoutbox) == 1


def test_an_invitation_scheduled_before_the_bounce_is_not_sent(
    provider, sent_invitation, api, mailoutbox
):
    Invitation.objects.update(created_at=timezone.now().replace(year=2020))
    api.post("/api/v1/events/", {**chat_event(1), "event_id": "later"}, format="json")
    later = Invitation.objects.get(event__event_id="later")

    provider(bounce(sent_invitation))
    delivery.invitation_send(invitation_id=later.pk)

    later.refresh_from_db()
    assert later.state == State.FAILED
    assert later.last_error == "address is undeliverable (bounced or complained)"
    assert len(mailoutbox) == 1


def test_a_bounce_without_metadata_finds_the_address_by_email(
    provider, sent_invitation
):
    payload = bounce(sent_invitation)
    del payload["Metadata"]

    provider(payload)

    assert UndeliverableAddress.objects.get().email == "c1@example.com"


def test_a_complaint_stops_reminders_and_further_sends(
    provider, sent_invitation, mailoutbox
):
    provider({**bounce(sent_invitation), "Type": "SpamComplaint"})
    Invitation.objects.update(next_reminder_at=timezone.now())  # were it due

    invitations_sweep_task()

    assert UndeliverableAddress.objects.get().reason == "complained"
    sent_invitation.refresh_from_db()
    assert sent_invitation.state == State.SENT  # it did arrive
    assert len(mailoutbox) == 1


def test_a_soft_bounce_changes_nothing(provider, sent_invitation):
    provider(
        {**bounce(sent_invitation, "SoftBounce"), "Details": "smtp;452 4.2.2 full"}
    )

    assert not UndeliverableAddress.objects.exists()
    sent_invitation.refresh_from_db()
    assert sent_invitation.state == State.SENT


def test_an_unsubscribe_at_the_provider_opts_the_customer_out(
    provider, sent_invitation
):
    provider(
        {
            "RecordType": "SubscriptionChange",
            "Recipient": "c1@example.com",
            "SuppressSending": True,
            "SuppressionReason": "ManualSuppression",
            "Metadata": {"cx_invitation": str(sent_invitation.pk)},
            "ChangedAt": "2026-11-22T10:00:00Z",
        }
    )

    assert Customer.objects.get(external_id="c-1").opted_out


def test_the_webhook_refuses_a_caller_without_the_secret(provider, sent_invitation):
    response = provider(bounce(sent_invitation), credentials="bm9ib2R5Om5vcGU=")

    assert response.status_code == 400
    assert not UndeliverableAddress.objects.exists()


def test_staff_re_queue_failed_invitations_from_the_admin(
    client, aino, api, chat_rule, mailoutbox, django_capture_on_commit_callbacks
):
    api.post("/api/v1/events/", chat_event(1), format="json")
    api.post("/api/v1/events/", chat_event(2), format="json")
    failed, other = Invitation.objects.order_by("pk")
    Invitation.objects.filter(pk=failed.pk).update(
        state=State.FAILED, attempts=6, last_error="gave up after 6 attempts"
    )
    client.login(username="aino", password="pw-aino")
    url = reverse("admin:surveys_invitation_changelist")

    listing = client.get(url, {"state__exact": "failed", "q": "c1@"})
    assert b"c1@example.com" in listing.content
    assert b"c2@example.com" not in listing.content
    with_errors = client.get(url, {"problem": "error"})
    assert b"gave up after 6" in with_errors.content

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {"action": "requeue_failed", "_selected_action": [failed.pk, other.pk]},
        )

    failed.refresh_from_db()
    other.refresh_from_db()
    assert failed.state == State.SENT  # dispatched after commit, sent (eager Celery)
    assert other.state == State.SCHEDULED  # only failed ones are re-queued
    assert [m.to for m in mailoutbox] == [["c1@example.com"]]
