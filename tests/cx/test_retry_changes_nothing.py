"""A retried event changes nothing: not one new row in any table.

Idempotency by ``event_id`` must cover what the event set off too. A retry that ran
trigger matching again would write another suppression (or try another invitation)
each time; counting every table's rows before and after a retry catches that and any
other side effect nobody thought to look for.
"""

from __future__ import annotations

import pytest
from django.apps import apps

from cx.models import Customer
from surveys.models import Invitation, Suppression, TriggerRule
from tests.surveys.conftest import chat_event, chat_rule, chat_survey  # noqa: F401


def row_counts() -> dict[str, int]:
    """Return the number of rows of every table the project's models own."""
    return {
        model._meta.db_table: model._default_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.fixture
def refusing_rule(aurora, chat_survey):
    """A second rule on chat events that refuses: a lower-priority duplicate."""
    return TriggerRule.objects.create(
        organization=aurora,
        name="Any chat",
        survey=chat_survey,
        event_type="chat.ended",
        priority=-1,
    )


def _post(api, django_capture_on_commit_callbacks, events):
    with django_capture_on_commit_callbacks(execute=True):
        if len(events) == 1:
            return api.post("/api/v1/events/", events[0], format="json")
        return api.post("/api/v1/events/batch/", {"events": events}, format="json")


@pytest.mark.parametrize("size", [1, 3], ids=["single", "batch"])
def test_a_retried_event_writes_no_row_anywhere(
    api, aurora, chat_rule, refusing_rule, django_capture_on_commit_callbacks, size
):
    Customer.objects.create(organization=aurora, external_id="c-2", opted_out=True)
    events = [chat_event(n) for n in range(1, size + 1)]
    first = _post(api, django_capture_on_commit_callbacks, events)
    assert first.status_code in (200, 201)
    assert Invitation.objects.count() >= 1
    assert Suppression.objects.count() >= 1
    before = row_counts()
    decided = sorted(Suppression.objects.values_list("event_id", "rule_id", "reason"))

    for _retry in range(3):
        again = _post(api, django_capture_on_commit_callbacks, events)
        assert again.status_code == 200

    changed = {
        table: (count, row_counts()[table])
        for table, count in before.items()
        if row_counts()[table] != count
    }
    assert changed == {}
    assert (
        sorted(Suppression.objects.values_list("event_id", "rule_id", "reason"))
        == decided
    )


def test_a_retry_inside_a_batch_of_new_events_decides_only_the_new_ones(
    api, chat_rule, refusing_rule, django_capture_on_commit_callbacks
):
    _post(api, django_capture_on_commit_callbacks, [chat_event(1)])
    before = (Invitation.objects.count(), Suppression.objects.count())

    _post(api, django_capture_on_commit_callbacks, [chat_event(1), chat_event(7)])

    # The new event: one invitation and one duplicate refusal; the retried one: none.
    assert (Invitation.objects.count(), Suppression.objects.count()) == (
        before[0] + 1,
        before[1] + 1,
    )
    assert Suppression.objects.filter(event__event_id="chat-1").count() == before[1]
