"""Delivery: each invitation is sent once, failures are retried or recorded, none is lost."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.utils import timezone

from cx.models import Customer
from surveys.models import Invitation, Response, UndeliverableAddress
from surveys.services import delivery
from surveys.tasks import invitations_sweep_task
from tests.surveys.conftest import chat_event

State = Invitation.State


@pytest.fixture
def invitation(api, chat_rule) -> Invitation:
    api.post(
        "/api/v1/events/", chat_event(1), format="json"
    )  # not sent: no commit hooks
    return Invitation.objects.get()


class FailingConnection:
    """An email connection whose send raises ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_messages(self, messages):
        raise self.error


def fail_with(monkeypatch, error: Exception) -> None:
    monkeypatch.setattr(delivery, "get_connection", lambda: FailingConnection(error))


def test_send_marks_sent_and_schedules_the_reminder(invitation, mailoutbox):
    assert delivery.invitation_send(invitation_id=invitation.pk)

    invitation.refresh_from_db()
    assert invitation.state == State.SENT
    assert invitation.attempts == 1
    assert invitation.next_reminder_at - invitation.sent_at == timedelta(days=3)
    assert len(mailoutbox) == 1


def test_only_one_claim_wins(invitation, mailoutbox):
    assert delivery.invitation_claim(invitation_id=invitation.pk) is True
    assert delivery.invitation_claim(invitation_id=invitation.pk) is False
    delivery.invitation_deliver(invitation_id=invitation.pk)

    assert delivery.invitation_send(invitation_id=invitation.pk) is False  # redelivery
    assert len(mailoutbox) == 1


def test_an_invitation_not_yet_due_is_not_claimed(invitation):
    Invitation.objects.update(due_at=timezone.now() + timedelta(hours=1))

    assert delivery.invitation_claim(invitation_id=invitation.pk) is False


def test_transient_failure_is_released_with_backoff(
    invitation, monkeypatch, mailoutbox
):
    fail_with(monkeypatch, smtplib.SMTPResponseException(451, b"try again later"))

    delivery.invitation_send(invitation_id=invitation.pk)

    invitation.refresh_from_db()
    assert invitation.state == State.SCHEDULED
    assert "SMTP 451" in invitation.last_error
    assert invitation.due_at > timezone.now() + timedelta(seconds=20)
    assert mailoutbox == []


def test_permanent_failure_marks_failed_with_reason(invitation, monkeypatch):
    fail_with(monkeypatch, smtplib.SMTPResponseException(550, b"no such user"))

    delivery.invitation_send(invitation_id=invitation.pk)

    invitation.refresh_from_db()
    assert invitation.state == State.FAILED
    assert "SMTP 550" in invitation.last_error


def test_the_ambiguous_case_is_retried_and_noted(invitation, monkeypatch):
    fail_with(
        monkeypatch, smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    )

    delivery.invitation_send(invitation_id=invitation.pk)

    invitation.refresh_from_db()
    assert invitation.state == State.SCHEDULED
    assert invitation.last_error.startswith("ambiguous")


def test_gives_up_after_the_last_attempt(invitation, monkeypatch):
    fail_with(monkeypatch, ConnectionRefusedError("refused"))
    for _ in range(delivery.MAX_ATTEMPTS):
        Invitation.objects.update(due_at=timezone.now())
        delivery.invitation_send(invitation_id=invitation.pk)

    invitation.refresh_from_db()
    assert invitation.state == State.FAILED
    assert "gave up after 6 attempts" in invitation.last_error


def test_backoff_grows_and_is_capped():
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 20)] == [
        30,
        60,
        120,
        3600,
    ]


def test_opted_out_or_bounced_after_scheduling_is_not_sent(invitation, mailoutbox):
    Customer.objects.update(opted_out=True)

    delivery.invitation_send(invitation_id=invitation.pk)

    invitation.refresh_from_db()
    assert (invitation.state, invitation.last_error) == (
        State.FAILED,
        "customer opted out",
    )
    assert mailoutbox == []


def test_bounced_address_is_not_sent(invitation, aurora, mailoutbox):
    UndeliverableAddress.objects.create(
        organization=aurora, email="c1@example.com", reason="bounced"
    )

    delivery.invitation_send(invitation_id=invitation.pk)

    assert Invitation.objects.get().state == State.FAILED
    assert mailoutbox == []


def test_sweeper_sends_due_rows_and_requeues_stuck_ones(invitation, mailoutbox):
    Invitation.objects.update(
        state=State.SENDING, claimed_at=timezone.now() - timedelta(minutes=30)
    )

    invitations_sweep_task()

    invitation.refresh_from_db()
    assert invitation.state == State.SENT
    assert len(mailoutbox) == 1


def test_sweeper_leaves_a_recent_claim_alone(invitation, mailoutbox):
    Invitation.objects.update(state=State.SENDING, claimed_at=timezone.now())

    invitations_sweep_task()

    assert Invitation.objects.get().state == State.SENDING
    assert mailoutbox == []


def test_sweeper_expires_old_links(invitation):
    Invitation.objects.update(
        state=State.SENT, expires_at=timezone.now() - timedelta(minutes=1)
    )

    invitations_sweep_task()

    assert Invitation.objects.get().state == State.EXPIRED


def sent(invitation: Invitation) -> Invitation:
    delivery.invitation_send(invitation_id=invitation.pk)
    Invitation.objects.update(next_reminder_at=timezone.now() - timedelta(minutes=1))
    invitation.refresh_from_db()
    return invitation


def test_reminder_goes_to_an_unanswered_invitation_once(invitation, mailoutbox):
    sent(invitation)

    invitations_sweep_task()
    invitations_sweep_task()

    assert len(mailoutbox) == 2
    assert (
        mailoutbox[1].subject.startswith("Muistutus")
        or "Reminder" in mailoutbox[1].subject
    )
    invitation.refresh_from_db()
    assert invitation.reminders_sent == 1 and invitation.next_reminder_at is None


def test_no_reminder_after_a_partial_answer(invitation, chat_survey, mailoutbox):
    sent(invitation)
    response = Response.objects.create(
        organization=invitation.organization,
        survey=chat_survey,
        invitation=invitation,
        language="fi",
        started_at=timezone.now(),
    )
    response.answers.create(question=chat_survey.questions.first(), number=2)

    invitations_sweep_task()

    assert len(mailoutbox) == 1


def test_no_reminder_to_someone_who_opted_out(invitation, mailoutbox):
    sent(invitation)
    Customer.objects.update(opted_out=True)

    invitations_sweep_task()

    assert len(mailoutbox) == 1


def test_reminder_waits_for_the_end_of_quiet_hours(invitation, chat_rule, mailoutbox):
    from datetime import time

    sent(invitation)
    chat_rule.quiet_start, chat_rule.quiet_end = time(0, 0), time(23, 59, 59)
    chat_rule.save()

    invitations_sweep_task()

    invitation.refresh_from_db()
    assert len(mailoutbox) == 1
    assert invitation.next_reminder_at > timezone.now()
