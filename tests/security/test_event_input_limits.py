"""Oversized, malformed and hostile bodies sent to the event API store nothing.

Beyond ``tests/cx/test_events_api.py`` (a small override of the size limit, 100 levels
of nesting, text/plain, a batch one event too long): the real ``API_MAX_BODY_BYTES``,
10,000 levels of nesting, every other content type, broken and lying encodings and
lengths, text the database cannot hold (NUL, unpaired surrogates) and numbers beyond
a float, on both the single and the batch endpoint. Each answer is the expected 4xx,
never a 5xx, and no event, customer, invitation or suppression is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings

from cx.models import Customer, Event
from surveys.models import Invitation, Suppression
from tests.counts import ABUSE

pytestmark = pytest.mark.django_db

EVENT = {
    "event_id": "limits-1",
    "type": "chat.ended",
    "customer": {"external_id": "limits-c1", "email": "c1@example.com"},
}
DEEP = 10_000
MANY_PROPERTIES = {f"k{n}": n for n in range(201)}  # one past the limit


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def _event(**changes: Any) -> dict[str, Any]:
    return {**EVENT, **changes}


def _oversized() -> bytes:
    filler = "x" * (settings.API_MAX_BODY_BYTES + 1)
    return _json(_event(properties={"blob": filler}))


JSON = "application/json"


@dataclass(frozen=True)
class Case:
    name: str
    body: bytes
    allowed: frozenset[int] = frozenset({400})
    content_type: str = JSON
    extra: dict[str, str] = field(default_factory=dict)


def _property(raw: bytes) -> bytes:
    return b'{"event_id": "p", "type": "t", "properties": {"x": ' + raw + b"}}"


def cases() -> list[Case]:
    valid = _json(EVENT)
    refused_type = frozenset({415})
    multipart = (
        b'--b\r\nContent-Disposition: form-data; name="event_id"\r\n\r\nx\r\n--b--\r\n'
    )
    return [
        Case("over API_MAX_BODY_BYTES", _oversized(), frozenset({413})),
        Case("over the limit, length hidden", _oversized(), frozenset({400, 413}),
             extra={"CONTENT_LENGTH": ""}),
        Case("length shorter than the body", valid, extra={"CONTENT_LENGTH": "10"}),
        Case("length not a number", valid, extra={"CONTENT_LENGTH": "lots"}),
        Case(f"{DEEP} nested arrays", b"[" * DEEP + b"]" * DEEP),
        Case(f"{DEEP} nested objects", b'{"a":' * DEEP + b"1" + b"}" * DEEP),
        Case(f"{DEEP} levels in a property", _property(b"[" * DEEP + b"]" * DEEP)),
        Case("33 levels", b"[" * 33 + b"]" * 33),
        Case("text/plain", valid, refused_type, "text/plain"),
        Case("XML", b"<event><event_id>x</event_id></event>", refused_type,
             "application/xml"),
        Case("form-encoded", b"event_id=x&type=t", refused_type,
             "application/x-www-form-urlencoded"),
        Case("multipart", multipart, refused_type, "multipart/form-data; boundary=b"),
        Case("JSON patch type", valid, refused_type, "application/json-patch+json"),
        Case("no content type", valid, refused_type, ""),
        Case("invalid UTF-8", b'{"event_id": "\xff\xfe", "type": "t"}'),
        Case("overlong UTF-8", b'{"event_id": "\xc0\xaf", "type": "t"}'),
        Case("UTF-16", valid.decode().encode("utf-16")),
        Case("Latin-1 declared", '{"event_id": "é", "type": "t"}'.encode("latin-1"),
             content_type="application/json; charset=latin-1"),
        Case("byte order mark", b"\xef\xbb\xbf" + valid),
        Case("empty", b""),
        Case("truncated", valid[:-3]),
        Case("NaN", _property(b"NaN")),
        Case("1e400", _property(b"1e400")),
        Case("5,000-digit number", _property(b"9" * 5000)),
        Case("NUL in the id", b'{"event_id": "a\\u0000b", "type": "t"}'),
        Case("NUL in a property", _property(b'"a\\u0000b"')),
        Case("NUL in a property name", _property(b'{"a\\u0000": 1}')),
        Case("unpaired surrogate in the id", b'{"event_id": "a\\ud800", "type": "t"}'),
        Case("unpaired surrogate in a property", _property(b'"\\udc00"')),
        Case("201 property names", _json(_event(properties=MANY_PROPERTIES))),
        Case("201-character id", _json(_event(event_id="x" * 201))),
    ]  # fmt: skip


def _batch(case: Case) -> bytes:
    """Wrap a JSON body as the one event of a batch (other bodies go as they are)."""
    if case.content_type.startswith(JSON) and case.body.startswith(b"{"):
        return b'{"events": [' + case.body + b"]}"
    return case.body


@pytest.fixture
def rows() -> Callable[[], dict[str, int]]:
    def count() -> dict[str, int]:
        return {
            model.__name__: model.objects.count()
            for model in (Event, Customer, Invitation, Suppression)
        }

    return count


def test_hostile_bodies_get_4xx_and_store_nothing(api, rows, count_report):
    api.raise_request_exception = False
    before = rows()
    results: list[tuple[str, str, int, frozenset[int]]] = []
    for case in cases():
        for path in ("/api/v1/events/", "/api/v1/events/batch/"):
            body = case.body if path.endswith("events/") else _batch(case)
            response = api.generic(
                "POST", path, body, content_type=case.content_type, **case.extra
            )
            results.append((case.name, path, response.status_code, case.allowed))

    wrong = [r for r in results if r[2] not in r[3] and not _batch_answer_ok(r)]
    server_errors = [r for r in results if r[2] >= 500]
    print(
        f"\nhostile event bodies: {len(results)} requests, "
        f"{len(server_errors)} server errors, {len(wrong)} unexpected answers; "
        f"rows before {before}, after {rows()}"
    )
    count_report.add(
        ABUSE,
        check="hostile event bodies: 5xx, unexpected answer or rows stored",
        attempts=len(results),
        got_through=len(server_errors) + len(wrong) + int(rows() != before),
    )
    assert server_errors == []
    assert wrong == []
    assert rows() == before


def _batch_answer_ok(result: tuple[str, str, int, frozenset[int]]) -> bool:
    """A batch answers one event's field errors inside a 200; only those may differ."""
    name, path, status, _ = result
    return path.endswith("batch/") and status == 200 and name in PER_ITEM_ERRORS


# Bodies that are valid JSON with one bad event: the batch rejects the event alone.
PER_ITEM_ERRORS = {"201 property names", "201-character id"}


def test_a_batch_too_long_or_too_large_is_refused_whole(api, rows, settings):
    api.raise_request_exception = False
    before = rows()
    too_many = [
        _event(event_id=f"many-{n}") for n in range(settings.EVENT_BATCH_MAX + 1)
    ]
    padded = {
        "events": [
            _event(event_id=f"big-{n}", properties={"pad": "x" * 10_000})
            for n in range(settings.API_MAX_BODY_BYTES // 10_000 + 1)
        ]
    }
    answers = {
        "one event too many": api.post(
            "/api/v1/events/batch/", {"events": too_many}, format="json"
        ).status_code,
        "over API_MAX_BODY_BYTES": api.generic(
            "POST",
            "/api/v1/events/batch/",
            _json(padded),
            content_type=JSON,
        ).status_code,
    }
    print(f"\nlarge batches: {answers}; rows before {before}, after {rows()}")
    assert answers == {"one event too many": 400, "over API_MAX_BODY_BYTES": 413}
    assert rows() == before
