"""Events read back: a list with filters, and one event with what it caused."""

from __future__ import annotations

from cx.audit.models import AuditEntry
from cx.models import Event
from tests.surveys.conftest import chat_event, chat_rule, chat_survey  # noqa: F401

URL = "/api/v1/events/"


def _event(event_id: str, type_: str, customer: str, at: str) -> dict[str, object]:
    return {
        "event_id": event_id,
        "type": type_,
        "occurred_at": at,
        "customer": {"external_id": customer},
    }


def _post_events(api) -> None:
    for event in (
        _event("e-1", "chat.ended", "c-1", "2026-11-01T10:00:00Z"),
        _event("e-2", "loan.applied", "c-1", "2026-11-02T10:00:00Z"),
        _event("e-3", "chat.ended", "c-2", "2026-11-03T10:00:00Z"),
    ):
        assert api.post(URL, event, format="json").status_code == 201


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["event_id"] for row in response.json()["results"]]


def test_events_are_listed_newest_first_and_filtered(api):
    _post_events(api)

    assert _ids(api.get(URL)) == ["e-3", "e-2", "e-1"]
    assert _ids(api.get(URL, {"customer": "c-1"})) == ["e-2", "e-1"]
    assert _ids(api.get(URL, {"type": "chat.ended"})) == ["e-3", "e-1"]
    window = {"since": "2026-11-02T00:00:00Z", "until": "2026-11-03T10:00:00Z"}
    assert _ids(api.get(URL, window)) == ["e-2"]
    assert AuditEntry.objects.filter(subject="events").exists()


def test_until_not_after_since_is_a_400(api):
    moment = "2026-11-02T00:00:00Z"

    response = api.get(URL, {"since": moment, "until": moment})

    assert response.status_code == 400
    assert response.json()["errors"]["until"] == ["Must be later than since."]


def test_an_event_reads_back_with_the_invitations_it_scheduled(
    api, chat_rule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        posted = api.post(URL, chat_event(1), format="json").json()

    read = api.get(f"{URL}{posted['id']}/")

    assert read.status_code == 200
    (scheduled,) = posted["invitations"]
    (now,) = read.json()["invitations"]
    assert (now["id"], scheduled["state"], now["state"]) == (
        scheduled["id"],
        "scheduled",
        "sent",  # read back as it now is
    )
    assert AuditEntry.objects.filter(subject="event", subject_id=posted["id"]).exists()


def test_another_organisations_events_are_not_seen(api, outsider_api):
    _post_events(api)
    ours = Event.objects.first()
    assert ours is not None

    assert _ids(outsider_api.get(URL)) == []
    assert outsider_api.get(f"{URL}{ours.pk}/").status_code == 404


def test_the_schema_states_the_until_rule_on_every_operation_taking_both(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    taking_both = {
        (path, method): operation
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if {"since", "until"}
        <= {parameter["name"] for parameter in operation.get("parameters", [])}
    }

    assert ("/api/v1/events/", "get") in taking_both
    assert ("/api/v1/responses/", "get") in taking_both
    for operation in taking_both.values():
        assert "'until' is not later than 'since'" in operation["description"]
        assert (
            "'until' is not later than 'since'"
            in (operation["responses"]["400"]["description"])
        )
