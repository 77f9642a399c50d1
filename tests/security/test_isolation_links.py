"""B's credentials add nothing to A's public links (isolation, see test_isolation_matrix).

Public links are different: A's answer link ``/s/<token>/``, its unsubscribe link and
A's public survey link ``/p/<token>/`` are bearer links, usable by whoever holds them,
with or without credentials. For them the rule is that B's credentials add nothing:
every identity gets the status and page that no credentials get, and once B's staff user
has answered through A's public link, B still reads nothing else of A's (the response
it created included).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.http import HttpResponseBase
from django.test import Client

from surveys.models import Response
from tests.counts import ABUSE
from tests.security.isolation import Attempt, identities, markers_of, report
from tests.security.probing import (
    CSRF_VALUE,
    body_text,
    leaked,
)

pytestmark = pytest.mark.django_db


# --- Public links ---------------------------------------------------------------------


def _page(response: HttpResponseBase) -> tuple[int, str, str]:
    text = body_text(response).split("\n", 1)[1]
    return (
        response.status_code,
        response.get("Content-Type", ""),
        CSRF_VALUE.sub(r"\1\2", text),
    )


def test_a_link_of_a_gives_b_nothing_more_than_it_gives_anyone(world, count_report):
    a, b = world
    clients = identities(a, b)
    links = [
        a.answer_url,
        f"{a.answer_url}?score=3",
        f"{a.answer_url}unsubscribe/",
        f"/s/{a.answered.token()}/",
        a.public_url,
    ]
    attempts: list[Attempt] = []
    for link in links:
        Client().get(link)  # the first view marks the invitation opened
        for method, body in (("GET", None), ("POST", {"question": "no-such-question"})):
            if link.endswith("unsubscribe/") and method == "POST":
                body = {}
            reference = _page(
                Client().generic(
                    method,
                    link,
                    urlencode(body or {}),
                    content_type="application/x-www-form-urlencoded",
                )
            )
            for identity, client in clients.items():
                response = client.generic(
                    method, link, urlencode(body or {}),
                    content_type="application/x-www-form-urlencoded",
                )  # fmt: skip
                attempt = Attempt(
                    identity, "public link", method, link, response.status_code
                )
                if _page(response) != reference:
                    attempt.success = "answers otherwise than to no credentials"
                attempts.append(attempt)

    # B's staff user answers through A's public link; its session now holds A's response.
    b_staff = clients["B's staff user"]
    b_staff.post(a.public_url, {"question": "nps", "answer": ["9"]})
    created = Response.objects.filter(
        organization=a.organization, origin="public_link"
    ).get()
    markers = markers_of(a)
    reads = {
        "B's staff user": [
            f"/feedback/{created.pk}/",
            f"/admin/surveys/response/{created.pk}/change/",
            "/feedback/",
            "/admin/surveys/response/",
            "/dashboard/",
        ],
        "B's API key": [f"/api/v1/responses/{created.pk}/", "/api/v1/responses/"],
    }
    for identity, urls in reads.items():
        for url in urls:
            response = clients[identity].get(url)
            attempt = Attempt(
                identity, "after the link", "GET", url, response.status_code
            )
            if 200 <= response.status_code < 300 and str(created.pk) in url:
                attempt.success = "reads the response it gave through A's link"
            elif found := leaked(body_text(response), markers, [url]):
                attempt.success = f"shows A's {found}"
            attempts.append(attempt)

    successes = report("public links", attempts)
    count_report.add(
        ABUSE,
        check="A's answer and public links used by B: more than anyone gets",
        attempts=len(attempts),
        got_through=len(successes),
    )
    assert len(successes) == 0
