"""The isolation matrix's machinery: who tries, what counts as A's, running and judging.

See ``test_isolation_matrix.py`` for what is tried and what counts as a success.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseBase
from django.test import Client
from rest_framework.test import APIClient

from cx.models import ApiKey, Membership, Role
from cx.services.organizations import member_add
from tests.security.conftest import Tenant
from tests.security.probing import (
    body_text,
    cross_tenant_links,
    json_or_none,
    leaked,
    marker_pattern,
    snapshot_difference,
    strings_in,
    tenant_rows,
)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Django's admin views act on POST only and answer PUT, PATCH and DELETE as a GET.
ADMIN_METHODS = ("GET", "POST")
PUBLIC_LINKS = {"surveys:answer", "surveys:public-link", "surveys:unsubscribe"}
NO_SUCH_ID = 2_000_000_000


@dataclass
class Target:
    """One URL to try, with what counts as A's and the bodies for each write."""

    url: str
    kind: str  # api, page, admin, webhook
    names_object: bool  # the URL names one of A's objects
    json: bool = False
    bodies: dict[str, list[Any]] = field(default_factory=dict)
    control: str | None = None  # the same question about an object that does not exist
    methods: tuple[str, ...] = METHODS

    def __post_init__(self) -> None:
        if self.kind == "admin" and self.methods == METHODS:
            self.methods = ADMIN_METHODS

    def bodies_for(self, method: str) -> list[Any]:
        if method == "GET":
            return [None]
        return self.bodies.get(method) or self.bodies.get("*") or [{}]


@dataclass
class Attempt:
    identity: str
    kind: str
    method: str
    url: str
    status: int
    success: str | None = None


def identities(a: Tenant, b: Tenant) -> dict[str, Client]:
    b_key = b.api
    b_key.raise_request_exception = False
    b_staff = Client(raise_request_exception=False)
    b_staff.force_login(b.owner)
    revoked = APIClient(raise_request_exception=False)
    revoked.credentials(HTTP_AUTHORIZATION=f"Bearer {a.revoked_secret}")
    return {
        "B's API key": b_key,
        "B's staff user": b_staff,
        "A's revoked key": revoked,
        "no credentials": Client(raise_request_exception=False),
    }


def markers_of(a: Tenant) -> re.Pattern[str]:
    """Return what only A's data contains: its prefix, secrets, tokens, report links."""
    invitations = [a.answered, a.open_invitation, a.failed_invitation]
    strings = [
        a.prefix,
        a.organization.name,
        a.owner.email,
        a.endpoint.secret,
        a.survey.public_token,
        a.revoked_key.lookup,
        a.revoked_key.digest,
        a.api.api_key.lookup,
        a.api.api_key.digest,
        f"/maturity/assessments/{a.assessment.pk}/report.pdf",
        f"/maturity/{a.assessment.pk}/report.pdf",
        *(invitation.token() for invitation in invitations),
        *(invitation.token_hash for invitation in invitations),
        *(invitation.token_salt for invitation in invitations),
    ]
    return marker_pattern(strings, words=[a.owner.username])


def renamed(value: Any, prefix: str) -> Any:
    """Return ``value`` with A's prefix replaced, so that a copy is not A's."""
    if isinstance(value, str):
        return re.sub(
            prefix,
            lambda m: "Mallory" if m.group()[0].isupper() else "mallory",
            value,
            flags=re.IGNORECASE,
        )
    if isinstance(value, dict):
        return {key: renamed(item, prefix) for key, item in value.items()}
    if isinstance(value, list):
        return [renamed(item, prefix) for item in value]
    return value


def _is_reference(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return bool(values) and all(
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, str) and v.isdigit())
        for v in values
    )


def swapped_references(
    own: dict[str, Any], theirs: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    """Yield ``own`` with one reference (an id, or ids) replaced by A's."""
    for key, value in theirs.items():
        if key in own and own[key] != value and _is_reference(value):
            if key in ("id",) or key.endswith(("-id", "TOTAL_FORMS", "INITIAL_FORMS")):
                continue
            yield {**own, key: value}


# --- Running it -----------------------------------------------------------------------


def send(client: Client, method: str, target: Target, body: Any) -> HttpResponseBase:
    if method == "GET":
        return client.get(target.url)
    if target.json:
        data = "" if body is None else json.dumps(body)
        return client.generic(method, target.url, data, content_type="application/json")
    if method == "POST":
        return client.post(target.url, body or {})
    return client.generic(
        method,
        target.url,
        urlencode(body or {}, doseq=True),
        content_type="application/x-www-form-urlencoded",
    )


def _accepted(target: Target, response: HttpResponseBase) -> bool:
    """Return whether a write may have been carried out (then the rows are compared).

    Refusals are a 4xx, a redirect to a login page, and an admin form shown again
    (200) with its errors; whatever they let through is still caught by the final
    comparison, only not pinned to one request.
    """
    status = response.status_code
    location = response.get("Location", "")
    if status >= 400 or location.startswith((settings.LOGIN_URL, "/admin/login/")):
        return False
    return status >= 300 if target.kind == "admin" else True


def _comparable(text: str) -> object:
    """Return the body of ``body_text``'s text: parsed JSON, or the text itself."""
    content = text.split("\n", 1)[1]
    parsed = json_or_none(content)
    return content if parsed is None else parsed


def judge(
    target: Target,
    method: str,
    body: Any,
    response: HttpResponseBase,
    client: Client,
    markers: re.Pattern[str],
) -> str | None:
    """Return how an answer reveals A's data, or None when it does not."""
    status = response.status_code
    if status >= 400:
        return None
    if status < 300 and target.names_object:
        return "a 2xx on A's object"
    text = body_text(response)
    sent = [target.url, *re.split(r"[/?&=]", target.url), *strings_in(body)]
    found = leaked(text, markers, sent)
    if found:
        return f"shows A's {found}"
    if target.control and method == "GET" and status < 300:
        control = body_text(client.get(target.control))
        if _comparable(control) != _comparable(text):
            return "answers differently for A's ids"
    return None


def run_matrix(
    a: Tenant, b: Tenant, clients: dict[str, Client], targets: list[Target]
) -> tuple[list[Attempt], list[str]]:
    """Try every target as every identity; return the attempts and any 5xx."""
    markers = markers_of(a)
    baseline = tenant_rows(a.organization)
    known_links = set(cross_tenant_links(b.organization, a.organization))
    assert not known_links
    attempts: list[Attempt] = []
    problems: list[str] = []

    def writes_landed(identity: str, kind: str, url: str) -> None:
        nonlocal baseline, known_links
        now = tenant_rows(a.organization)
        changed = snapshot_difference(baseline, now)
        links = set(cross_tenant_links(b.organization, a.organization))
        if changed or links - known_links:
            new_links = sorted(links - known_links)
            found = f"changed A's {changed} / linked B's {new_links} to A"
            attempts.append(Attempt(identity, kind, "WRITE", url, 0, found))
            baseline, known_links = now, links

    def identities_kept(url: str) -> None:
        """Give B back its staff membership if a probe took it (and count that)."""
        if not Membership.objects.filter(
            organization=b.organization, user=b.owner, role=Role.OWNER
        ).exists():
            attempts.append(
                Attempt("B's staff user", "admin", "WRITE", url, 0, "B's seat moved")
            )
            Membership.objects.filter(organization=b.organization).delete()
            member_add(organization=b.organization, user=b.owner, role=Role.OWNER)
        assert ApiKey.objects.active().filter(pk=b.api.api_key.pk).exists(), url

    for target in targets:
        identities_kept(target.url)
        for identity, client in clients.items():
            wrote = False
            for method in target.methods:
                for body in target.bodies_for(method):
                    response = send(client, method, target, body)
                    status = response.status_code
                    attempt = Attempt(identity, target.kind, method, target.url, status)
                    attempt.success = judge(
                        target, method, body, response, client, markers
                    )
                    attempts.append(attempt)
                    if status >= 500:
                        problems.append(f"{status}: {identity} {method} {target.url}")
                    wrote |= method != "GET" and _accepted(target, response)
            if wrote:
                writes_landed(identity, target.kind, target.url)
    writes_landed("anyone", "any", "(the whole matrix, compared at its end)")
    return attempts, problems


def report(title: str, attempts: list[Attempt]) -> list[Attempt]:
    successes = [attempt for attempt in attempts if attempt.success]
    print(f"\n{title}: {len(attempts)} attempts, {len(successes)} successes")
    by_identity = Counter(attempt.identity for attempt in attempts)
    by_kind = Counter(attempt.kind for attempt in attempts)
    print("  by identity:", dict(by_identity))
    print("  by surface:", dict(by_kind))
    for attempt in successes[:60]:
        print(f"  SUCCESS {attempt.identity} {attempt.method} {attempt.url} "
              f"[{attempt.status}]: {attempt.success}")  # fmt: skip
    return successes
