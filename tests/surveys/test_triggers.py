"""Trigger rules: the right customer gets the right survey, and every refusal says why."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from cx.models import Customer, Segment
from surveys.models import ContactPolicy, Invitation, Suppression, Survey, TriggerRule
from surveys.trigger_decision import sampled_in
from tests.surveys.conftest import chat_event

Reason = Suppression.Reason


def post(api, event, capture=None):
    return api.post("/api/v1/events/", event, format="json")


def only_suppression() -> Suppression:
    assert Invitation.objects.count() == 0
    return Suppression.objects.get()


def test_a_matching_event_schedules_one_invitation_listed_in_the_answer(api, chat_rule):
    response = post(api, chat_event())

    assert response.status_code == 201
    (listed,) = response.json()["invitations"]
    invitation = Invitation.objects.get()
    assert listed == {
        "id": invitation.pk,
        "rule": chat_rule.pk,
        "survey": {"id": chat_rule.survey_id, "name": "Chat satisfaction"},
        "state": "scheduled",
        "due_at": listed["due_at"],
        "channel": "email",
    }
    assert invitation.email == "c1@example.com"
    assert invitation.language == "fi"
    assert invitation.expires_at - invitation.due_at == timedelta(
        days=chat_rule.expiry_days
    )
    assert len(invitation.token()) >= 22 and invitation.token_hash != invitation.token()


def test_reposting_the_event_schedules_nothing_more_and_answers_the_same(
    api, chat_rule
):
    first = post(api, chat_event())
    again = post(api, chat_event())

    assert again.status_code == 200
    assert again.json() == first.json()
    assert Invitation.objects.count() == 1


def test_events_at_other_touchpoints_match_no_rule(api, chat_rule):
    post(api, {**chat_event(), "type": "web.loan_pages_viewed"})

    assert Invitation.objects.count() == 0
    assert Suppression.objects.count() == 0


def test_rule_by_event_type_alone(api, aurora, chat_survey):
    TriggerRule.objects.create(
        organization=aurora, name="By type", survey=chat_survey, event_type="claim.paid"
    )

    post(api, {**chat_event(), "type": "claim.paid"})

    assert Invitation.objects.count() == 1


def test_inactive_rule_is_suppressed(api, chat_rule):
    chat_rule.is_active = False
    chat_rule.save()

    post(api, chat_event())

    assert only_suppression().reason == Reason.RULE_INACTIVE


def test_closed_survey_is_suppressed(api, chat_rule):
    Survey.objects.filter(pk=chat_rule.survey_id).update(status=Survey.Status.CLOSED)

    post(api, chat_event())

    suppression = only_suppression()
    assert suppression.reason == Reason.SURVEY_CLOSED
    assert "closed" in suppression.detail


def test_event_without_customer_is_suppressed(api, chat_rule):
    post(api, {"event_id": "anon", "type": "chat.ended"})

    assert only_suppression().reason == Reason.NO_CUSTOMER


def test_opted_out_customer_is_suppressed(api, aurora, chat_rule):
    Customer.objects.create(organization=aurora, external_id="c-1", opted_out=True)

    post(api, chat_event())

    assert only_suppression().reason == Reason.OPTED_OUT


def test_customer_without_email_is_suppressed(api, chat_rule):
    post(api, chat_event(email=""))

    assert only_suppression().reason == Reason.NO_EMAIL


def test_undeliverable_address_is_suppressed(api, aurora, chat_rule):
    from surveys.models import UndeliverableAddress

    UndeliverableAddress.objects.create(
        organization=aurora, email="C1@example.com", reason="bounced"
    )

    post(api, chat_event())

    assert only_suppression().reason == Reason.UNDELIVERABLE


def test_an_undeliverable_address_refuses_every_rule_before_the_later_checks(
    api, aurora, chat_rule
):
    """A second rule would be a duplicate for a good address; for a bounced one,
    both rules are refused for the address, which is checked first."""
    from surveys.models import UndeliverableAddress

    UndeliverableAddress.objects.create(
        organization=aurora, email="c1@example.com", reason="bounced"
    )
    TriggerRule.objects.create(
        organization=aurora,
        name="Any chat",
        survey=chat_rule.survey,
        event_type="chat.ended",
        priority=-1,
    )

    assert post(api, chat_event()).json()["invitations"] == []
    assert Invitation.objects.count() == 0
    assert sorted(Suppression.objects.values_list("reason", "detail")) == [
        (Reason.UNDELIVERABLE, "c1@example.com"),
        (Reason.UNDELIVERABLE, "c1@example.com"),
    ]


def test_a_batch_invites_good_addresses_and_refuses_bounced_ones(
    api, aurora, chat_rule
):
    from surveys.models import UndeliverableAddress

    UndeliverableAddress.objects.create(
        organization=aurora, email="C2@example.com", reason="complained"
    )
    response = api.post(
        "/api/v1/events/batch/",
        {"events": [chat_event(n) for n in (1, 2, 3)]},
        format="json",
    )

    invited = {
        r["event"]["customer"]["external_id"]: len(r["event"]["invitations"])
        for r in response.json()["results"]
    }
    assert invited == {"c-1": 1, "c-2": 0, "c-3": 1}
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "c1@example.com",
        "c3@example.com",
    ]
    refused = Suppression.objects.get()
    assert (refused.reason, refused.customer.external_id, refused.detail) == (
        Reason.UNDELIVERABLE,
        "c-2",
        "c2@example.com",
    )


def test_segment_filters(api, aurora, chat_rule):
    valuable = Segment.objects.create(
        organization=aurora,
        key="valuable",
        name="Valuable",
        rule={"attribute": "customer_value", "operator": "gte", "value": 100000},
    )
    chat_rule.segments_all.add(valuable)

    post(api, chat_event(1, attributes={"customer_value": 5000}))
    post(api, chat_event(2, attributes={"customer_value": 500000}))

    assert Suppression.objects.get().reason == Reason.SEGMENT_FILTER
    assert "not in valuable" in Suppression.objects.get().detail
    assert Invitation.objects.get().customer.external_id == "c-2"

    chat_rule.segments_all.clear()
    chat_rule.segments_none.add(valuable)
    post(api, chat_event(3, attributes={"customer_value": 900000}))
    assert Suppression.objects.filter(detail="in valuable").exists()


def test_sampling_at_zero_and_hundred_percent(api, chat_rule):
    chat_rule.sampling_percent = 0
    chat_rule.save()
    for n in range(20):
        post(api, chat_event(n))
    assert Invitation.objects.count() == 0
    assert Suppression.objects.filter(reason=Reason.SAMPLED_OUT).count() == 20

    chat_rule.sampling_percent = 100
    chat_rule.save()
    for n in range(20, 40):
        post(api, chat_event(n))
    assert Invitation.objects.count() == 20


def test_sampling_is_deterministic_and_near_its_rate(api, aurora, chat_rule):
    from cx.models import Event

    chat_rule.sampling_percent = 30
    events = [Event(organization=aurora, event_id=f"e{n}") for n in range(2000)]

    decisions = [sampled_in(event, chat_rule) for event in events]

    assert decisions == [sampled_in(event, chat_rule) for event in events]
    assert 0.26 < sum(decisions) / len(decisions) < 0.34


def test_contacted_recently_within_the_organisations_limit(api, aurora, chat_rule):
    ContactPolicy.objects.create(organization=aurora, min_days_between_invitations=14)

    post(api, chat_event(1))
    post(api, {**chat_event(1), "event_id": "chat-again"})

    assert Invitation.objects.count() == 1
    suppression = Suppression.objects.get()
    assert suppression.reason == Reason.CONTACTED_RECENTLY
    assert suppression.detail == "contacted 0 day(s) ago by 'Chat satisfaction'"


def test_an_old_contact_does_not_block(api, aurora, chat_rule):
    ContactPolicy.objects.create(organization=aurora, min_days_between_invitations=14)
    post(api, chat_event(1))
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=15))

    post(api, {**chat_event(1), "event_id": "chat-later"})

    assert Invitation.objects.count() == 2


def test_higher_priority_rule_overrides_a_lower_ones_recent_contact(
    api, aurora, mortgage, chat_rule, chat_survey
):
    effort = Survey.objects.create(
        organization=aurora, name="Effort", status="active", languages=["fi"]
    )
    TriggerRule.objects.create(
        organization=aurora,
        name="Application → effort",
        survey=effort,
        event_type="mortgage.application_submitted",
        priority=10,
    )
    post(api, chat_event(1))  # priority 0 contact

    post(
        api,
        {
            **chat_event(1),
            "event_id": "app-1",
            "type": "mortgage.application_submitted",
        },
    )
    post(
        api, {**chat_event(1), "event_id": "chat-2"}
    )  # lower priority after higher: blocked

    assert Invitation.objects.count() == 2
    assert Suppression.objects.get().reason == Reason.CONTACTED_RECENTLY


def test_per_survey_limit_applies_even_to_higher_priority(
    api, aurora, chat_rule, chat_survey
):
    ContactPolicy.objects.create(organization=aurora, min_days_between_invitations=0)
    chat_survey.min_days_between_invitations = 30
    chat_survey.save()
    chat_rule.priority = 50
    chat_rule.save()

    post(api, chat_event(1))
    post(api, {**chat_event(1), "event_id": "chat-2"})

    assert Invitation.objects.count() == 1
    assert Suppression.objects.get().reason == Reason.CONTACTED_RECENTLY


def test_one_survey_per_event_when_several_rules_match(
    api, aurora, chat_rule, chat_survey
):
    second = Survey.objects.create(
        organization=aurora, name="Second", status="active", languages=["en"]
    )
    TriggerRule.objects.create(
        organization=aurora,
        name="Also chat",
        survey=second,
        event_type="chat.ended",
        priority=5,
    )

    post(api, chat_event(1))

    assert Invitation.objects.get().survey == second  # the higher priority wins
    suppression = Suppression.objects.get()
    assert suppression.reason == Reason.DUPLICATE


def test_delay_and_quiet_hours_set_the_due_time(api, aurora, chat_rule):
    chat_rule.delay_minutes = 60
    chat_rule.quiet_start = time(0, 0)
    chat_rule.quiet_end = time(23, 59)  # quiet nearly all day: due at 23:59 local
    chat_rule.save()

    post(api, chat_event(1))

    # Both dates are Helsinki dates: comparing with a UTC date let anything pass
    # when the suite ran between 21:00 and 24:00 UTC.
    ready = (timezone.now() + timedelta(minutes=60)).astimezone(aurora.tzinfo)
    due = Invitation.objects.get().due_at.astimezone(aurora.tzinfo)
    if ready.time() < time(23, 59):
        assert (due.date(), due.hour, due.minute) == (ready.date(), 23, 59)
    else:
        assert due - ready < timedelta(minutes=1)


def test_batch_events_match_in_bulk(api, chat_rule):
    events = [chat_event(n) for n in range(50)]

    response = api.post("/api/v1/events/batch/", {"events": events}, format="json")

    assert response.json()["created"] == 50
    assert Invitation.objects.count() == 50
    assert all(
        len(item["event"]["invitations"]) == 1 for item in response.json()["results"]
    )


@pytest.mark.parametrize("language", ["sv", "en", ""])
def test_invitation_language_follows_customer_then_organisation(
    api, chat_rule, language
):
    post(api, chat_event(1, language=language))

    assert Invitation.objects.get().language == (language or "fi")


def test_due_invitations_are_sent_after_commit(
    api, chat_rule, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        post(api, chat_event(1))

    assert len(mailoutbox) == 1
    assert Invitation.objects.get().state == Invitation.State.SENT


def test_a_rolled_back_event_enqueues_nothing(
    aurora, chat_rule, django_capture_on_commit_callbacks, mailoutbox
):
    from django.db import transaction

    from cx.services.customers import CustomerIn
    from cx.services.events import EventIn, events_record

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        events_record(
            organization=aurora,
            events=[
                EventIn(
                    event_id="x",
                    type="chat.ended",
                    customer=CustomerIn(external_id="c", email="c@example.com"),
                )
            ],
        )
        raise RuntimeError("the caller's transaction fails")

    assert callbacks == []
    assert mailoutbox == []
    assert Invitation.objects.count() == 0


def test_a_broker_that_is_down_does_not_fail_the_event(
    api, chat_rule, monkeypatch, django_capture_on_commit_callbacks
):
    from surveys import tasks

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.invitations_send_task, "delay", broken)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, chat_event(1))

    assert response.status_code == 201
    assert (
        Invitation.objects.get().state == Invitation.State.SCHEDULED
    )  # the sweeper's job now
