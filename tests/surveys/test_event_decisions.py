"""What an integrator learns from the event answer, and the limits it keeps to."""

from __future__ import annotations

from cx.models import Event
from surveys.models import ContactPolicy, Invitation, Suppression
from tests.followups.conftest import answered  # noqa: F401
from tests.surveys.conftest import chat_event


def test_an_event_that_sends_nothing_says_why_single_and_in_a_batch(
    api, aurora, chat_rule
):
    ContactPolicy.objects.create(organization=aurora, min_days_between_invitations=14)
    api.post("/api/v1/events/", chat_event(1), format="json")
    again = {**chat_event(1), "event_id": "chat-1b"}

    single = api.post("/api/v1/events/", again, format="json").json()
    batch = api.post(
        "/api/v1/events/batch/",
        {"events": [{**again, "event_id": "chat-1c"}, chat_event(3, email="")]},
        format="json",
    ).json()

    assert single["invitations"] == []
    (suppression,) = single["suppressions"]
    assert suppression["reason"] == "contacted_recently"
    assert suppression["detail"] == "contacted 0 day(s) ago by 'Chat satisfaction'"
    assert suppression["rule"] == chat_rule.pk
    assert suppression["survey"]["name"] == "Chat satisfaction"
    reasons = [
        [s["reason"] for s in item["event"]["suppressions"]]
        for item in batch["results"]
    ]
    assert reasons == [["contacted_recently"], ["no_email"]]
    # A repeated post reads the same decisions back.
    repeated = api.post("/api/v1/events/", again, format="json")
    assert repeated.status_code == 200
    assert repeated.json()["suppressions"] == single["suppressions"]


def test_a_zero_day_limit_is_no_limit_even_within_one_batch(api, aurora, chat_rule):
    ContactPolicy.objects.create(organization=aurora, min_days_between_invitations=0)
    events = [{**chat_event(n % 3), "event_id": f"chat-{n}"} for n in range(9)]

    answer = api.post("/api/v1/events/batch/", {"events": events}, format="json")

    assert answer.json()["created"] == 9
    assert Invitation.objects.count() == 9
    assert not Suppression.objects.filter(reason="contacted_recently").exists()


def test_a_limit_counts_earlier_events_of_the_same_batch(api, aurora, chat_rule):
    ContactPolicy.objects.create(organization=aurora, min_days_between_invitations=7)
    events = [{**chat_event(1), "event_id": f"chat-{n}"} for n in range(3)]

    api.post("/api/v1/events/batch/", {"events": events}, format="json")

    assert Invitation.objects.count() == 1
    assert Suppression.objects.filter(reason="contacted_recently").count() == 2


def test_properties_over_the_limits_are_refused_and_nothing_is_stored(api, chat_rule):
    huge = {**chat_event(1), "properties": {"blob": "x" * (65 * 1024)}}
    many = {**chat_event(2), "properties": {f"k{n}": n for n in range(101)}}
    long_key = {**chat_event(3), "properties": {"k" * 101: 1}}
    fits = {**chat_event(4), "properties": {f"k{n}": "x" * 600 for n in range(100)}}

    single = api.post("/api/v1/events/", huge, format="json")
    batch = api.post(
        "/api/v1/events/batch/",
        {"events": [huge, many, long_key, fits]},
        format="json",
    ).json()

    assert single.status_code == 400
    assert single["Content-Type"] == "application/problem+json"
    assert (
        "64 KB" in single.json()["errors"]["properties"][0]
        or "65,536" in (single.json()["errors"]["properties"][0])
    )
    assert [item["status"] for item in batch["results"]] == [400, 400, 400, 201]
    assert "at most 100 keys" in batch["results"][1]["errors"]["properties"][0]
    assert "100 characters" in batch["results"][2]["errors"]["properties"][0]
    assert list(Event.objects.values_list("event_id", flat=True)) == ["chat-4"]


def test_one_customers_responses_and_invitations_by_external_id(
    api, chat_rule, answered
):
    first = answered(1, csat="2")
    answered(2, csat="5")

    responses = api.get("/api/v1/responses/?customer=c-1").json()["results"]
    invitations = api.get("/api/v1/invitations/?customer=c-1").json()["results"]
    nobody = api.get("/api/v1/responses/?customer=c-9").json()["results"]
    links = api.get("/api/v1/customers/c-1/").json()["links"]

    assert [r["id"] for r in responses] == [first.pk]
    assert [i["customer"] for i in invitations] == ["c-1"]
    assert nobody == []
    assert links["responses"] == "/api/v1/responses/?customer=c-1"
    followed = api.get(links["invitations"]).json()["results"]
    assert [i["id"] for i in followed] == [i["id"] for i in invitations]


def test_an_anonymous_response_is_never_found_by_customer(api, chat_rule, answered):
    response = answered(1, csat="2")
    response.is_anonymous = True
    response.save(update_fields=["is_anonymous"])

    assert api.get("/api/v1/responses/?customer=c-1").json()["results"] == []


def test_a_customer_whose_id_holds_a_slash_is_stored_and_linked(api):
    created = api.post("/api/v1/customers/", {"external_id": "crm/42"}, format="json")

    assert created.status_code == 201
    assert created.json()["links"]["self"] == "/api/v1/customers/crm%2F42/"
