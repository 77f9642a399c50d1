"""The batch endpoint's fast validator answers as the documented DRF serializer does."""

from __future__ import annotations

import pytest

from cx.api.event_input import parse_event
from cx.api.serializers import EventInSerializer

GOOD = {
    "event_id": "e-1",
    "type": "chat.ended",
    "occurred_at": "2026-11-20T10:15:00+02:00",
    "customer": {
        "external_id": "c-1",
        "email": "maija@example.com",
        "name": "Maija",
        "language": "fi",
        "attributes": {"tier": "gold"},
    },
    "properties": {"agent": "Ville"},
}

CORPUS = [
    GOOD,
    {"event_id": "e", "type": "t"},
    {"event_id": 42, "type": "t"},
    {"event_id": "  padded  ", "type": "t"},
    {"event_id": "e", "type": "t", "occurred_at": None, "customer": None},
    {"event_id": "e", "type": "t", "occurred_at": "2026-11-20T10:15:00"},
    {"event_id": "e", "type": "t", "occurred_at": "2026-11-20T10:15:00Z"},
    {"event_id": "e", "type": "t", "occurred_at": "yesterday"},
    {"event_id": "e", "type": "t", "occurred_at": 17},
    {"event_id": "", "type": "t"},
    {"event_id": "e" * 201, "type": "t"},
    {"event_id": None, "type": "t"},
    {"event_id": True, "type": "t"},
    {"event_id": ["e"], "type": "t"},
    {"type": "t"},
    {"event_id": "e"},
    {"event_id": "e", "type": "t", "colour": "red"},
    {"event_id": "e", "type": "t", "properties": [1]},
    {"event_id": "e", "type": "t", "properties": {str(n): n for n in range(201)}},
    {"event_id": "e", "type": "t", "customer": "c-1"},
    {"event_id": "e", "type": "t", "customer": {"email": "a@b.fi"}},
    {"event_id": "e", "type": "t", "customer": {"external_id": "c", "language": "de"}},
    {"event_id": "e", "type": "t", "customer": {"external_id": "c", "language": ""}},
    {"event_id": "e", "type": "t", "customer": {"external_id": "c", "email": "nope"}},
    {"event_id": "e", "type": "t", "customer": {"external_id": "c", "email": ""}},
    {"event_id": "e", "type": "t", "customer": {"external_id": "c", "shoe": 42}},
    {"event_id": "e", "type": "t", "customer": {"external_id": "c", "attributes": 3}},
    {"event_id": "e", "type": "t", "customer": {"external_id": "c", "name": "n" * 201}},
    [],
    "event",
    None,
]


def _shape(errors):
    if isinstance(errors, dict):
        return {key: _shape(value) for key, value in errors.items()}
    return "error"


@pytest.mark.parametrize("raw", CORPUS, ids=range(len(CORPUS)))
def test_fast_validator_agrees_with_the_serializer(raw):
    serializer = EventInSerializer(data=raw)
    drf_valid = serializer.is_valid()
    event, errors = parse_event(raw)

    assert (event is not None) == drf_valid, (serializer.errors, errors)
    if drf_valid:
        assert event == serializer.to_event()
    else:
        assert _shape(errors) == _shape(serializer.errors)


def test_fast_event_output_matches_the_documented_serializer(api, mortgage):
    from cx.api.serializers import EventOutSerializer, event_as_dict
    from cx.models import Event

    api.post("/api/v1/events/", GOOD, format="json")
    api.post(
        "/api/v1/events/", {"event_id": "bare", "type": "unknown.type"}, format="json"
    )

    for event in Event.objects.select_related("customer", "touchpoint__journey"):
        assert event_as_dict(event) == EventOutSerializer(event).data


def test_a_batch_answer_shares_touchpoints_and_instants_without_mixing_them(
    api, mortgage
):
    from cx.api.serializers import EventOutSerializer, EventsAsDicts
    from cx.models import Event

    types = ["web.loan_pages_viewed", "chat.ended", "unknown.type"]
    api.post(
        "/api/v1/events/batch/",
        {
            "events": [
                {
                    "event_id": f"e{n}",
                    "type": types[n % 3],
                    "occurred_at": f"2026-11-2{n % 3}T10:15:00+02:00",
                }
                for n in range(9)
            ]
        },
        format="json",
    )
    as_dict = EventsAsDicts()

    events = Event.objects.select_related("customer", "touchpoint__journey")
    assert len(events) == 9
    for event in events:
        assert as_dict(event) == EventOutSerializer(event).data


def test_the_quick_size_bound_agrees_with_measuring_every_object():
    """An object the bound passes without encoding is one the exact measure passes;
    near the limit, with escapes, multi-byte text or nesting it measures exactly."""
    import json
    import random

    from cx.api import fields

    def exact(value):
        size = len(
            json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
        )
        return size <= fields.OBJECT_MAX_BYTES

    rng = random.Random(3)
    alphabet = ["a", "ä", "€", "😀", "\x01", '"', "\\", "1"]
    for _ in range(400):
        length = rng.choice([1, 10, 1_000, 5_000, 12_000, 40_000, 70_000])
        value = {
            f"k{i}": rng.choice(
                [
                    "".join(rng.choice(alphabet) for _ in range(length // 4)),
                    rng.randrange(10**12),
                    rng.random(),
                    True,
                    None,
                    {"nested": "x" * length},
                ]
            )
            for i in range(rng.randrange(1, 6))
        }
        problem = fields.json_object_problem(value, max_keys=200)
        assert (problem is None) == exact(value), (length, problem)
        if fields._surely_small(value):
            assert exact(value)


def test_every_address_the_quick_check_passes_django_accepts():
    """The batch validator accepts everyday addresses with one expression; each of
    them must be one Django's validator (the serializer's) accepts too."""
    import random
    import string

    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from cx.api.event_input import _PLAIN_EMAIL

    rng = random.Random(14)
    characters = string.ascii_letters + string.digits + "._+-!#é\u017f\u212a"

    def part(shortest: int, longest: int) -> str:
        return "".join(
            rng.choice(characters) for _ in range(rng.randint(shortest, longest))
        )

    candidates = [
        f"{part(1, 12)}@{part(1, 8)}.{part(0, 6)}.{part(1, 4)}" for _ in range(20_000)
    ]
    candidates += [
        f"{user}@{domain}"
        for user in ("a", "a.b", "a_b+c", "-a-", "a..b", ".a", "a.")
        for domain in ("x.fi", "sub.x-y.co.uk", "-x.fi", "x-.fi", "x.f1", "x.c", "x")
    ]
    passed = [email for email in candidates if _PLAIN_EMAIL.fullmatch(email)]
    assert len(passed) > 30  # the check is exercised, not vacuous
    for email in passed:
        try:
            validate_email(email)
        except ValidationError:
            pytest.fail(f"{email!r} passes the quick check but not Django's validator")
