"""Delivery: each invitation is sent once, failures are retried or recorded, none is lost.

Most tests send through a real SMTP server (aiosmtpd, in a thread) so that what the
server said — or did not say — drives the outcome, as it will in production.
"""

from __future__ import annotations

import time as clock
from datetime import time, timedelta

import pytest
from django.utils import timezone

from cx.models import Customer
from surveys import transport
from surveys.models import Invitation, Response, UndeliverableAddress
from surveys.services import delivery
from surveys.tasks import invitation_send_task, invitations_sweep_task
from tests.surveys.conftest import chat_event
from tests.surveys.smtp import SinkServer, free_port

State = Invitation.State


@pytest.fixture
def invitation(api, chat_rule) -> Invitation:
    # Posted without running commit hooks: nothing is sent until the test says so.
    api.post("/api/v1/events/", chat_event(1), format="json")
    return Invitation.objects.get()


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp(settings):
    """A real SMTP server the delivery sends to; the test sets how it behaves."""
    with SinkServer() as server:
        use_smtp(settings, server.port)
        yield server.sink
        transport.close()


def send(invitation: Invitation) -> Invitation:
    delivery.invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    return invitation


def make_due(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(due_at=timezone.now())


# --- Claims: only one worker sends ----------------------------------------------------


def test_send_marks_sent_and_schedules_the_reminder(invitation, smtp):
    sent = send(invitation)

    assert sent.state == State.SENT
    assert sent.attempts == 1
    assert sent.next_reminder_at - sent.sent_at == timedelta(days=3)
    assert smtp.counts() == {"c1@example.com": 1}


def test_only_one_of_two_claims_wins(invitation, mailoutbox):
    first = delivery.invitation_claim(invitation_id=invitation.pk)
    second = delivery.invitation_claim(invitation_id=invitation.pk)

    assert first is not None and second is None
    delivery.invitation_deliver(invitation_id=invitation.pk, claimed_at=first)
    assert len(mailoutbox) == 1


def test_a_duplicated_or_redelivered_task_sends_nothing_more(invitation, smtp):
    invitation_send_task(invitation.pk)
    invitation_send_task(invitation.pk)
    invitation_send_task.delay(invitation.pk)

    assert smtp.counts() == {"c1@example.com": 1}


def test_a_batch_sends_each_due_invitation_once_and_records_each_on_its_own(
    api, chat_rule, smtp, aurora
):
    for n in range(1, 6):
        api.post("/api/v1/events/", chat_event(n), format="json")
    by_email = {i.email: i for i in Invitation.objects.all()}
    delivery.invitation_send(invitation_id=by_email["c2@example.com"].pk)  # done
    Invitation.objects.filter(pk=by_email["c3@example.com"].pk).update(
        due_at=timezone.now() + timedelta(hours=1)
    )
    UndeliverableAddress.objects.create(
        organization=aurora, email="C4@Example.com", reason="bounced"
    )

    results = delivery.invitations_send(
        invitation_ids=[i.pk for i in by_email.values()]
    )

    outcome = {email: results[i.pk].outcome for email, i in by_email.items()}
    assert outcome == {
        "c1@example.com": "sent",
        "c2@example.com": "skipped",  # sent before
        "c3@example.com": "skipped",  # not due
        "c4@example.com": "refused",
        "c5@example.com": "sent",
    }
    assert smtp.counts() == {
        "c1@example.com": 1,
        "c2@example.com": 1,
        "c5@example.com": 1,
    }
    states = dict(Invitation.objects.values_list("email", "state"))
    assert states["c3@example.com"] == State.SCHEDULED
    assert states["c4@example.com"] == State.FAILED


def test_a_burst_of_due_invitations_is_queued_a_few_per_task(
    api, chat_rule, monkeypatch, django_capture_on_commit_callbacks
):
    from surveys import tasks

    published: list[list[int]] = []
    monkeypatch.setattr(tasks.invitations_send_task, "delay", published.append)
    events = [chat_event(n) for n in range(1, delivery.SEND_BATCH + 6)]

    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/events/batch/", {"events": events}, format="json")

    assert [len(ids) for ids in published] == [delivery.SEND_BATCH, 5]
    assert sorted(pk for ids in published for pk in ids) == sorted(
        Invitation.objects.values_list("pk", flat=True)
    )


def test_an_invitation_not_yet_due_is_not_claimed(invitation, mailoutbox):
    Invitation.objects.update(due_at=timezone.now() + timedelta(hours=1))

    assert delivery.invitation_claim(invitation_id=invitation.pk) is None
    invitation_send_task(invitation.pk)
    assert mailoutbox == []


def test_a_worker_that_lost_its_claim_does_not_send(invitation, smtp, settings):
    slow = delivery.invitation_claim(invitation_id=invitation.pk)
    # The slow worker's claim outlives the timeout: the sweeper hands the row on.
    Invitation.objects.update(claimed_at=slow - timedelta(hours=1))
    settings.CX_SENDING_TIMEOUT = 60
    invitations_sweep_task()
    assert smtp.counts() == {"c1@example.com": 1}

    result = delivery.invitation_deliver(
        invitation_id=invitation.pk, claimed_at=slow - timedelta(hours=1)
    )

    assert result.outcome == "skipped"
    assert smtp.counts() == {"c1@example.com": 1}


def test_one_kept_connection_carries_many_messages(api, chat_rule, smtp):
    for n in (1, 2, 3):
        api.post("/api/v1/events/", chat_event(n), format="json")
    for invitation in Invitation.objects.all():
        send(invitation)

    assert len(smtp.received) == 3
    assert len({item.peer for item in smtp.received}) == 1


def test_a_connection_the_server_closed_while_idle_is_reopened(api, chat_rule, smtp):
    smtp.close_after_each = True
    for n in (1, 2):
        api.post("/api/v1/events/", chat_event(n), format="json")
    first, second = Invitation.objects.order_by("pk")
    send(first)
    clock.sleep(0.2)  # the server hangs up

    assert send(second).state == State.SENT
    assert second.attempts == 1 and second.last_error == ""
    assert smtp.received[0].peer != smtp.received[1].peer


# --- Failures: transient, permanent, ambiguous ----------------------------------------


def test_transient_failure_is_retried_with_growing_backoff(invitation, smtp):
    smtp.rcpt_reply = "451 4.3.0 mailbox busy, try again later"

    first = send(invitation)
    assert first.state == State.SCHEDULED
    assert first.attempts == 1
    assert "SMTP 451 at RCPT TO" in first.last_error
    wait = first.due_at - timezone.now()
    assert timedelta(seconds=25) < wait <= timedelta(seconds=30)

    make_due(invitation)
    second = send(invitation)
    assert second.attempts == 2
    wait = second.due_at - timezone.now()
    assert timedelta(seconds=55) < wait <= timedelta(seconds=60)

    smtp.rcpt_reply = None
    make_due(invitation)
    assert send(invitation).state == State.SENT
    assert smtp.counts() == {"c1@example.com": 1}


def test_a_refused_connection_is_transient(invitation, settings):
    use_smtp(settings, free_port())  # nobody listens there

    retried = send(invitation)

    assert retried.state == State.SCHEDULED
    assert "cannot connect" in retried.last_error


def test_permanent_failure_marks_failed_with_reason(invitation, smtp):
    smtp.rcpt_reply = "550 5.1.1 no such user here"

    failed = send(invitation)

    assert failed.state == State.FAILED
    assert "SMTP 550 at RCPT TO" in failed.last_error
    assert "no such user" in failed.last_error
    assert smtp.received == []


def test_rejection_at_the_end_of_data_takes_back_the_sent_mark(invitation, smtp):
    smtp.data_reply = "554 5.7.1 message refused as spam"

    failed = send(invitation)

    assert failed.state == State.FAILED
    assert failed.sent_at is None and failed.next_reminder_at is None
    assert "SMTP 554 at end of DATA" in failed.last_error


def test_temporary_rejection_at_the_end_of_data_is_retried(invitation, smtp):
    smtp.data_reply = "452 4.3.1 insufficient storage"

    retried = send(invitation)

    assert retried.state == State.SCHEDULED
    assert retried.sent_at is None
    assert "SMTP 452 at end of DATA" in retried.last_error


def test_the_ambiguous_case_counts_as_sent_and_is_noted(invitation, smtp):
    """The server got the whole message but hung up before answering: not resent."""
    smtp.drop_after_data = True

    result = delivery.invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()

    assert result.outcome == "ambiguous"
    assert invitation.state == State.SENT
    assert invitation.last_error.startswith("ambiguous: connection lost after")
    smtp.drop_after_data = False
    invitations_sweep_task()  # nothing left to do for it
    assert smtp.counts() == {"c1@example.com": 1}


def test_gives_up_after_the_last_attempt(invitation, settings):
    use_smtp(settings, free_port())
    for _ in range(delivery.MAX_ATTEMPTS):
        make_due(invitation)
        send(invitation)

    invitation.refresh_from_db()
    assert invitation.state == State.FAILED
    assert f"gave up after {delivery.MAX_ATTEMPTS} attempts" in invitation.last_error


def test_backoff_grows_and_is_capped():
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 20)] == [
        30,
        60,
        120,
        3600,
    ]


def test_opted_out_after_scheduling_is_not_sent(invitation, smtp):
    Customer.objects.update(opted_out=True)

    failed = send(invitation)

    assert (failed.state, failed.last_error) == (State.FAILED, "customer opted out")
    assert smtp.received == []


def test_an_undeliverable_address_is_not_sent(invitation, aurora, smtp):
    UndeliverableAddress.objects.create(
        organization=aurora, email="C1@example.com", reason="bounced"
    )

    failed = send(invitation)

    assert failed.state == State.FAILED
    assert "undeliverable" in failed.last_error
    assert smtp.received == []


# --- The sweeper ----------------------------------------------------------------------


def test_sweeper_sends_stuck_rows_again(invitation, smtp):
    Invitation.objects.update(
        state=State.SENDING,
        claimed_at=timezone.now() - timedelta(minutes=30),
        attempts=1,
    )

    invitations_sweep_task()

    invitation.refresh_from_db()
    assert invitation.state == State.SENT
    assert invitation.attempts == 2
    assert smtp.counts() == {"c1@example.com": 1}


def test_sweeper_leaves_a_recent_claim_alone(invitation, smtp):
    Invitation.objects.update(state=State.SENDING, claimed_at=timezone.now())

    invitations_sweep_task()

    assert Invitation.objects.get().state == State.SENDING
    assert smtp.received == []


def test_sweeper_fails_a_row_whose_worker_kept_dying(invitation, smtp):
    Invitation.objects.update(
        state=State.SENDING,
        claimed_at=timezone.now() - timedelta(minutes=30),
        attempts=delivery.MAX_ATTEMPTS,
    )

    invitations_sweep_task()

    invitation.refresh_from_db()
    assert invitation.state == State.FAILED
    assert "gave up" in invitation.last_error
    assert smtp.received == []


def test_sweeper_dispatches_due_rows_whose_message_was_lost(invitation, smtp):
    Invitation.objects.update(created_at=timezone.now() - timedelta(minutes=5))

    invitations_sweep_task()

    assert Invitation.objects.get().state == State.SENT
    assert smtp.counts() == {"c1@example.com": 1}


def test_sweeper_sends_a_delayed_invitation_when_it_falls_due(invitation, smtp):
    Invitation.objects.update(due_at=timezone.now() + timedelta(hours=2))
    invitations_sweep_task()
    assert smtp.received == []

    Invitation.objects.update(
        due_at=timezone.now(), created_at=timezone.now() - timedelta(hours=2)
    )
    invitations_sweep_task()
    assert smtp.counts() == {"c1@example.com": 1}


def test_sweeper_leaves_a_fresh_row_to_the_triggers_own_message(invitation):
    assert invitation.pk not in delivery.invitations_sweep()["due"]


def test_sweeper_expires_old_links(invitation):
    Invitation.objects.update(
        state=State.SENT, expires_at=timezone.now() - timedelta(minutes=1)
    )

    invitations_sweep_task()

    assert Invitation.objects.get().state == State.EXPIRED


def test_an_invitation_that_expired_before_sending_is_not_sent(invitation, smtp):
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert send(invitation).state == State.EXPIRED
    assert smtp.received == []


# --- Reminders ------------------------------------------------------------------------


def sent(invitation: Invitation) -> Invitation:
    send(invitation)
    Invitation.objects.update(next_reminder_at=timezone.now() - timedelta(minutes=1))
    invitation.refresh_from_db()
    return invitation


def test_reminder_goes_to_an_unanswered_invitation_once(invitation, smtp):
    sent(invitation)

    invitations_sweep_task()
    invitations_sweep_task()

    assert smtp.counts() == {"c1@example.com": 2}
    assert smtp.received[1].message["Subject"].startswith("Muistutus")
    invitation.refresh_from_db()
    assert invitation.reminders_sent == 1 and invitation.next_reminder_at is None


def test_an_opened_but_unanswered_invitation_is_reminded(invitation, smtp):
    sent(invitation)
    Invitation.objects.update(state=State.OPENED)

    invitations_sweep_task()

    assert smtp.counts() == {"c1@example.com": 2}


def test_no_reminder_after_the_answer(invitation, smtp):
    sent(invitation)
    Invitation.objects.update(state=State.ANSWERED)

    invitations_sweep_task()

    assert smtp.counts() == {"c1@example.com": 1}


def test_no_reminder_after_a_partial_answer(invitation, chat_survey, smtp):
    sent(invitation)
    response = Response.objects.create(
        organization=invitation.organization,
        survey=chat_survey,
        invitation=invitation,
        language="fi",
        started_at=timezone.now(),
    )
    invitations_sweep_task()
    assert smtp.counts() == {"c1@example.com": 2}  # a response with no answer yet

    Invitation.objects.update(reminders_sent=0, next_reminder_at=timezone.now())
    response.answers.create(question=chat_survey.questions.first(), number=2)
    invitations_sweep_task()

    assert smtp.counts() == {"c1@example.com": 2}
    assert Invitation.objects.get().next_reminder_at is None


def test_no_reminder_to_someone_who_opted_out(invitation, smtp):
    sent(invitation)
    Customer.objects.update(opted_out=True)

    invitations_sweep_task()

    assert smtp.counts() == {"c1@example.com": 1}


def test_no_reminder_to_an_address_that_bounced(invitation, aurora, smtp):
    sent(invitation)
    UndeliverableAddress.objects.create(
        organization=aurora, email="c1@example.com", reason="bounced"
    )

    invitations_sweep_task()

    assert smtp.counts() == {"c1@example.com": 1}


def test_reminder_waits_for_the_end_of_quiet_hours(invitation, chat_rule, smtp):
    sent(invitation)
    chat_rule.quiet_start, chat_rule.quiet_end = time(0, 0), time(23, 59, 59)
    chat_rule.save()

    invitations_sweep_task()

    invitation.refresh_from_db()
    assert smtp.counts() == {"c1@example.com": 1}
    assert invitation.next_reminder_at > timezone.now()
    assert invitation.reminders_sent == 0


def test_a_failed_reminder_is_tried_again_later(invitation, smtp):
    sent(invitation)
    smtp.rcpt_reply = "451 4.3.0 try later"

    invitations_sweep_task()

    invitation.refresh_from_db()
    assert invitation.reminders_sent == 0
    assert invitation.next_reminder_at > timezone.now() + timedelta(minutes=10)
    assert "reminder: SMTP 451" in invitation.last_error
