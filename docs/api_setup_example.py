"""Set up an organisation end to end through the API alone, then post an event.

Run it against a server with an API key holding the ``owner`` scope (memberships need
it; everything else needs ``manage``)::

    python docs/api_setup_example.py http://127.0.0.1:8000 cxk_…

It adds a CX manager, maps a journey with two touchpoints (owners given by email),
makes a survey, a trigger rule that hands the answer link to the caller (``channel``
``own``: no email is sent), sets the NPS target, the contact and follow-up policies,
opens the survey's public link, and posts an event: the answer holds the invitation
and its link, shown this once. ``tests/cx/test_api_setup_example.py`` runs the same
``set_up`` through Django's test client in ``make test``.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

# call(method, path under /api/v1/, JSON body or None) -> (status, JSON answer)
Call = Callable[[str, str, dict[str, Any] | None], tuple[int, Any]]

MANAGER = "cx.manager@example.com"
SURVEY = {
    "name": "Chat satisfaction",
    "status": "active",
    "languages": ["fi", "sv", "en"],
    "title": {"en": "How was the chat?", "fi": "Millainen chat oli?"},
    "questions": [
        {
            "key": "csat",
            "position": 1,
            "type": "csat",
            "text": {
                "en": "How satisfied were you?",
                "fi": "Kuinka tyytyväinen olit?",
                "sv": "Hur nöjd var du?",
            },
        }
    ],
}


def expect(answer: tuple[int, Any], *statuses: int) -> Any:
    """Return the answer's body, or stop with what the server said."""
    status, body = answer
    if status not in statuses:
        raise SystemExit(f"unexpected {status}: {json.dumps(body)}")
    return body


def set_up(call: Call) -> dict[str, Any]:
    """Configure the organisation and post one event; return what was made."""
    member = expect(
        call("POST", "memberships/", {"email": MANAGER, "role": "cx_manager"}), 201
    )
    journey = expect(
        call("POST", "journeys/", {"name": "Mortgage", "owner": MANAGER}), 201
    )
    touchpoints = [
        expect(
            call(
                "POST",
                "touchpoints/",
                {
                    "journey": journey["id"],
                    "position": position,
                    "name": name,
                    "channel": channel,
                    "owner": MANAGER,
                    "event_types": [event_type],
                },
            ),
            201,
        )
        for position, name, channel, event_type in (
            (1, "Loan pages", "web", "web.loan_pages_viewed"),
            (2, "Advisor chat", "chat", "chat.ended"),
        )
    ]
    survey = expect(call("POST", "surveys/", SURVEY), 201)
    rule = expect(
        call(
            "POST",
            "trigger-rules/",
            {
                "name": "Chat ended: ask in the app",
                "survey": survey["id"],
                "touchpoint": touchpoints[1]["id"],
                "channel": "own",
            },
        ),
        201,
    )
    targets = expect(call("PUT", "targets/", {"nps": 40, "csat": 85}), 200)
    contact = expect(
        call("PUT", "contact-policy/", {"min_days_between_invitations": 30}), 200
    )
    followup = expect(
        call("PUT", "followup-policy/", {"sla_hours": 24, "keywords": ["cancel"]}),
        200,
    )
    public_link = expect(call("POST", "public-links/", {"survey": survey["id"]}), 201)
    event = expect(
        call(
            "POST",
            "events/",
            {
                "event_id": "chat-0001",
                "type": "chat.ended",
                "customer": {"external_id": "c-0001", "language": "fi"},
            },
        ),
        201,
    )
    return {
        "membership": member,
        "journey": journey,
        "touchpoints": touchpoints,
        "survey": survey,
        "rule": rule,
        "targets": targets,
        "contact_policy": contact,
        "followup_policy": followup,
        "public_link": public_link,
        "event": event,
    }


def http_call(base_url: str, key: str) -> Call:
    """Return a ``Call`` that talks to ``base_url`` with ``key``."""

    def call(method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        request = urllib.request.Request(  # noqa: S310
            f"{base_url.rstrip('/')}/api/v1/{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Authorization": f"Bearer {key}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request) as answer:  # noqa: S310
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    return call


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        raise SystemExit(__doc__)
    made = set_up(http_call(argv[1], argv[2]))
    (invitation,) = made["event"]["invitations"]
    print(f"public link: {made['public_link']['url']}")
    print(f"deliver this answer link yourself: {invitation['link']}")


if __name__ == "__main__":
    main(sys.argv)
