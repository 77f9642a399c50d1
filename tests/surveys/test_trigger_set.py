"""The compiled trigger set: never stale after a change, and a fixed cost per event.

Each process keeps an organisation's rules compiled until its ``config_version``
changes; database triggers bump it on every write, whatever makes it. Each test here
posts once (so the set is compiled and held), changes the configuration one way, and
posts again at once: the second event must see the change.
"""

from __future__ import annotations

import json
import random

import pytest
from django.db import connection
from django.test import Client

from cx.models import Organization, Segment, Touchpoint
from cx.services.journeys import touchpoint_save
from surveys.models import ContactPolicy, Invitation, Suppression, Survey, TriggerRule
from surveys.services.surveys import survey_save
from surveys.services.trigger_set import trigger_set
from tests.surveys.conftest import chat_event

Reason = Suppression.Reason


def post(api, event):
    response = api.post("/api/v1/events/", event, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def warm(api, chat_rule):
    """The rule has matched once: its organisation's trigger set is compiled and held."""
    assert len(post(api, chat_event(0))["invitations"]) == 1
    return chat_rule


def test_a_rule_switched_off_through_the_api_applies_to_the_next_event(api, warm):
    response = api.patch(
        f"/api/v1/trigger-rules/{warm.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200

    assert post(api, chat_event(1))["invitations"] == []
    assert Suppression.objects.get().reason == Reason.RULE_INACTIVE


def test_a_rule_switched_off_in_the_admin_applies_to_the_next_event(api, warm, aino):
    admin = Client()
    admin.force_login(aino)
    url = f"/admin/surveys/triggerrule/{warm.pk}/change/"
    form = admin.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "is_active"
    }
    data["segments_all"] = data["segments_none"] = []
    data.update(quiet_start="", quiet_end="", touchpoint=warm.touchpoint_id)
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert post(api, chat_event(1))["invitations"] == []
    assert Suppression.objects.get().reason == Reason.RULE_INACTIVE


def test_a_survey_closed_by_its_service_applies_to_the_next_event(api, warm, aurora):
    survey_save(
        organization=aurora,
        fields={"status": Survey.Status.CLOSED},
        questions=None,
        survey=warm.survey,
    )

    assert post(api, chat_event(1))["invitations"] == []
    assert Suppression.objects.get().reason == Reason.SURVEY_CLOSED


def test_a_touchpoint_renamed_by_its_service_shows_in_the_next_answer(
    api, warm, aurora
):
    chat = Touchpoint.objects.get(name="Advisor chat")
    touchpoint_save(
        organization=aurora, fields={"name": "Chat"}, touchpoint=chat, event_types=[]
    )

    answer = post(api, chat_event(1))

    assert answer["touchpoint"] is None and answer["invitations"] == []


def test_bulk_updates_and_new_rows_apply_to_the_next_event(api, warm, aurora):
    """``QuerySet.update()`` and plain creates send no signal; the stamp still moves."""
    gold = Segment.objects.create(
        organization=aurora, key="gold", name="Gold", rule={"all": []}
    )
    warm.segments_all.add(gold)
    assert len(post(api, chat_event(1))["invitations"]) == 1

    Segment.objects.filter(pk=gold.pk).update(
        rule={"attribute": "tier", "operator": "eq", "value": "gold"}
    )
    assert post(api, chat_event(2))["invitations"] == []
    assert Suppression.objects.get().reason == Reason.SEGMENT_FILTER

    ContactPolicy.objects.create(organization=aurora, min_days_between_invitations=0)
    warm.segments_all.clear()
    post(api, chat_event(3, external_id="c-1"))  # c-1 was invited a moment ago
    assert Invitation.objects.filter(customer__external_id="c-1").count() == 2


def test_a_stale_organisation_saved_never_turns_the_stamp_back(aurora, chat_rule):
    stale = Organization.objects.get(pk=aurora.pk)
    TriggerRule.objects.filter(pk=chat_rule.pk).update(is_active=False)
    bumped = Organization.objects.get(pk=aurora.pk).config_version

    stale.name = "Aurora Pankki"
    stale.save()

    fresh = Organization.objects.get(pk=aurora.pk)
    assert fresh.name == "Aurora Pankki" and fresh.config_version == bumped
    assert bumped > stale.config_version


def test_rules_are_tried_as_before_only_fewer(aurora, mortgage, chat_survey):
    """The index by touchpoint and event type returns exactly the rules that match,
    in priority order, as trying every rule did."""
    rng = random.Random(3)
    touchpoints = list(Touchpoint.objects.filter(organization=aurora))
    types = ["chat.ended", "web.loan_pages_viewed", "app.opened", "x"]
    for n in range(60):
        touchpoint = rng.choice([None, *touchpoints])
        TriggerRule.objects.create(
            organization=aurora,
            name=f"R{n}",
            survey=chat_survey,
            touchpoint=touchpoint,
            event_type=rng.choice(types if touchpoint is None else ["", *types]),
            priority=rng.randrange(3),
        )
    compiled = trigger_set(organization=Organization.objects.get(pk=aurora.pk))
    for touchpoint in [None, *touchpoints]:
        for event_type in types:
            expected = [
                c.rule.pk
                for c in compiled.rules
                if c.rule.touchpoint_id in (None, touchpoint and touchpoint.pk)
                and c.rule.event_type in ("", event_type)
            ]
            found = compiled.rules_for(touchpoint and touchpoint.pk, event_type)
            assert [c.rule.pk for c in found] == expected


# Query budgets, with the trigger set held (the first event of a process compiles it):
# the API key, a savepoint (the test's transaction), the statements that store — one on
# PostgreSQL; on SQLite a lookup, the customer, the event — and, when a rule matches,
# the invitations (on PostgreSQL the same statement tells which addresses are
# undeliverable; SQLite reads them first). SQLite caps the parameters of one
# statement, so a batch's inserts go in chunks there.
POSTGRESQL = connection.vendor == "postgresql"
NO_MATCH = 4 if POSTGRESQL else 6
MATCH = NO_MATCH + (1 if POSTGRESQL else 2)
BATCH = 8 if POSTGRESQL else 25


def test_an_event_no_rule_matches_costs_a_fixed_few_queries(
    api, warm, django_assert_max_num_queries
):
    with django_assert_max_num_queries(NO_MATCH):
        post(api, {**chat_event(1), "type": "web.page_viewed"})


def test_a_matching_event_costs_a_fixed_few_queries(
    api, warm, django_assert_max_num_queries
):
    with django_assert_max_num_queries(MATCH):
        assert len(post(api, chat_event(1))["invitations"]) == 1


def test_many_rules_and_segments_cost_no_more_queries(
    api, warm, aurora, django_assert_max_num_queries
):
    journey = warm.touchpoint.journey
    segments = Segment.objects.bulk_create(
        Segment(organization=aurora, key=f"s{n}", name=f"S{n}", rule={"all": []})
        for n in range(50)
    )
    for n in range(200):
        touchpoint = touchpoint_save(
            organization=aurora,
            fields={"journey": journey, "position": 10 + n, "name": f"T{n}"},
            event_types=[f"other.{n}"],
        )
        rule = TriggerRule.objects.create(
            organization=aurora,
            name=f"Rule {n}",
            survey=warm.survey,
            touchpoint=touchpoint,
        )
        rule.segments_all.add(segments[n % 50])
    post(api, chat_event(1))  # compiles the new set

    with django_assert_max_num_queries(MATCH):
        assert len(post(api, chat_event(2))["invitations"]) == 1


def test_a_batch_of_a_thousand_costs_a_fixed_few_queries(
    api, warm, django_assert_max_num_queries
):
    events = [chat_event(n) for n in range(1, 1001)]
    events[::2] = [{**e, "type": "web.page_viewed"} for e in events[::2]]
    with django_assert_max_num_queries(BATCH):
        response = api.post(
            "/api/v1/events/batch/",
            json.dumps({"events": events}),
            content_type="application/json",
        )
    assert response.json()["created"] == 1000
    assert Invitation.objects.count() == 501
