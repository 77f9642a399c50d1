"""A case's announcements (the owner's email, the ``followup.*`` webhooks) are rows.

Stored with the change that causes them, claimed once, retried after a mail server's
refusal and swept when their message is lost: never lost, never sent twice.
"""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from followups import announcements
from followups.models import Announcement, FollowUp
from followups.services import followup_close
from followups.tasks import announcement_send_task, announcements_sweep_task
from webhooks.models import WebhookDelivery, WebhookEndpoint

State = Announcement.State
OWNER = "aino@aurora.example"


@pytest.fixture
def crm(aurora) -> WebhookEndpoint:
    """Aurora's CRM, told of opened and closed cases (never delivered here)."""
    return WebhookEndpoint.objects.create(
        organization=aurora,
        url="http://127.0.0.1:9/hooks",
        event_types=["followup.opened", "followup.closed"],
    )


@pytest.fixture
def owned(aurora, aino):
    aurora.cx_owner = aino
    aurora.save()


def opened_with_its_message_lost(answered, monkeypatch) -> Announcement:
    with monkeypatch.context() as patched:  # the announcement's message is lost
        patched.setattr(announcements, "publish_on_commit", lambda *args: None)
        answered(1, csat="1", resolved="0")
    announcement = Announcement.objects.get()
    assert announcement.state == State.SCHEDULED
    return announcement


def owner_mails(mailoutbox) -> list[str]:
    return [m.subject for m in mailoutbox if m.to == [OWNER]]


def test_a_new_case_is_announced_once_however_often_its_message_comes(
    answered, owned, crm, mailoutbox, monkeypatch
):
    announcement = opened_with_its_message_lost(answered, monkeypatch)

    announcement_send_task(announcement.pk)
    announcement_send_task(announcement.pk)  # redelivered

    assert len(owner_mails(mailoutbox)) == 1
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == [
        "followup.opened"
    ]
    announcement.refresh_from_db()
    assert (announcement.state, announcement.attempts) == (State.DONE, 1)


def test_a_lost_message_is_found_by_the_sweeper(
    answered, owned, crm, mailoutbox, monkeypatch
):
    announcement = opened_with_its_message_lost(answered, monkeypatch)
    left_to_its_message = announcements.announcements_sweep()
    Announcement.objects.filter(pk=announcement.pk).update(
        created_at=timezone.now() - timedelta(minutes=1)
    )

    announcements_sweep_task()
    announcements_sweep_task()

    assert left_to_its_message == []
    assert len(owner_mails(mailoutbox)) == 1
    assert WebhookDelivery.objects.filter(event_type="followup.opened").count() == 1


def test_a_mail_server_refusal_rolls_back_the_webhook_and_is_retried(
    answered, owned, crm, mailoutbox, monkeypatch
):
    announcement = opened_with_its_message_lost(answered, monkeypatch)

    def refused(self, messages):  # type: ignore[no-untyped-def]
        raise SMTPServerDisconnected("the mail server went away")

    with monkeypatch.context() as patched:
        patched.setattr(
            "django.core.mail.backends.locmem.EmailBackend.send_messages", refused
        )
        outcome = announcements.announcement_send(announcement_id=announcement.pk)

    announcement.refresh_from_db()
    assert outcome == "retry"
    assert announcement.state == State.SCHEDULED
    assert announcement.due_at > timezone.now()  # backed off
    assert "went away" in announcement.last_error
    assert WebhookDelivery.objects.count() == 0  # rolled back with the email

    Announcement.objects.filter(pk=announcement.pk).update(due_at=timezone.now())
    assert announcements.announcement_send(announcement_id=announcement.pk) == "done"
    assert len(owner_mails(mailoutbox)) == 1
    assert WebhookDelivery.objects.count() == 1


def test_a_case_is_announced_open_once_and_closed_once(
    answered, owned, aino, crm, monkeypatch, django_capture_on_commit_callbacks
):
    opened_with_its_message_lost(answered, monkeypatch)
    case = FollowUp.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Announcement.objects.create(
            organization=case.organization, followup=case, kind="followup.opened"
        )
    with django_capture_on_commit_callbacks(execute=False):
        followup_close(
            followup=case, user=aino, root_cause="process", action_taken="Called."
        )

    assert sorted(Announcement.objects.values_list("kind", flat=True)) == [
        "followup.closed",
        "followup.opened",
    ]
