"""Own-channel rules: no email, no address needed, the link handed over once."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail

from surveys.models import Invitation, TriggerRule, UndeliverableAddress
from tests.surveys.conftest import chat_event


def test_an_own_channel_rule_needs_no_address_and_sends_nothing(
    api, aurora, chat_rule: TriggerRule, django_capture_on_commit_callbacks
):
    chat_rule.channel = "own"
    chat_rule.save()
    UndeliverableAddress.objects.create(
        organization=aurora, email="c2@example.com", reason="bounced"
    )

    with django_capture_on_commit_callbacks(execute=True):
        batch = api.post(
            "/api/v1/events/batch/",
            {"events": [chat_event(1, email=""), chat_event(2)]},
            format="json",
        ).json()

    decided = [item["event"] for item in batch["results"]]
    assert [e["suppressions"] for e in decided] == [[], []]
    links = [e["invitations"][0]["link"] for e in decided]
    assert len(set(links)) == 2 and all("/s/" in link for link in links)
    assert mail.outbox == []
    assert set(Invitation.objects.values_list("state", "channel", "email")) == {
        ("sent", "own", "")
    }


def test_an_email_rule_still_refuses_a_customer_without_an_address(api, chat_rule):
    answer = api.post("/api/v1/events/", chat_event(1, email=""), format="json").json()

    assert answer["invitations"] == []
    assert [s["reason"] for s in answer["suppressions"]] == ["no_email"]


def test_the_trigger_rule_api_takes_the_channel(api, chat_rule):
    url = f"/api/v1/trigger-rules/{chat_rule.pk}/"

    changed = api.patch(url, {"channel": "own"}, format="json")
    odd = api.patch(url, {"channel": "pigeon"}, format="json")

    assert changed.json()["channel"] == "own"
    assert odd.status_code == 400 and "channel" in odd.json()["errors"]


def test_an_own_channel_link_is_the_customers_for_the_rules_expiry(
    api, aurora, chat_rule: TriggerRule
):
    """The link handed over is sent now, by the caller: it opens for the event's
    customer, in their language, until the rule's expiry, and counts as a contact."""
    chat_rule.channel = "own"
    chat_rule.expiry_days = 5
    chat_rule.save()

    api.post("/api/v1/events/", chat_event(1, language="en"), format="json")

    invitation = Invitation.objects.get()
    assert (invitation.rule, invitation.customer.external_id) == (chat_rule, "c-1")
    assert (invitation.origin, invitation.language) == ("event", "en")
    assert invitation.sent_at == invitation.due_at
    assert invitation.expires_at - invitation.sent_at == timedelta(days=5)
    assert invitation.email == ""
