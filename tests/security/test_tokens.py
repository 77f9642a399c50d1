"""Survey-link tokens cannot be guessed, are never stored, and stop working when used.

A token is derived from the invitation's random salt and the server's secret key; the
database keeps only its SHA-256 digest. Guessing is tried in bulk (100,000 random
tokens, shaped like real ones) and by mutating a real token every way a typo, a mail
client or an attacker would; none of them finds an invitation.

``invitation_for`` costs a few milliseconds a call (it builds a five-table query), so
every guess goes through its own steps in bulk (the length and ASCII guard, the digest,
the lookup by digest), and ``CX_TOKEN_DIRECT`` of them (2,000 unless set; 100000 runs
them all) plus every mutation through ``invitation_for`` itself. 200 go through the
answer page over HTTP: each is a 404, never a 500.
"""

from __future__ import annotations

import base64
import os
import secrets
import string
from collections.abc import Iterator
from datetime import timedelta
from unittest import mock
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from surveys.models import Answer, Invitation, Response
from surveys.models import invitations as invitation_module
from surveys.models.invitations import new_token_salt, token_digest
from surveys.views.public import MAX_TOKEN_LENGTH, invitation_for
from tests.counts import ABUSE
from tests.security.conftest import Tenant

pytestmark = pytest.mark.django_db

RANDOM_GUESSES = 100_000
DIRECT_GUESSES = int(os.environ.get("CX_TOKEN_DIRECT", "2000"))
HTTP_SAMPLE = 200
ALPHABET = string.ascii_letters + string.digits + "-_"  # base64url


@pytest.fixture
def aurora_world(tenant, aurora, aino, api) -> Tenant:  # type: ignore[no-untyped-def]
    return tenant(aurora, aino, api, "aurora")


def mutations(token: str) -> Iterator[str]:
    """Yield every near miss of ``token``: typos, cuts, additions, case, wrapping."""
    for position, character in enumerate(token):
        for replacement in ALPHABET:
            if replacement != character:
                yield token[:position] + replacement + token[position + 1 :]
        if character.isalpha():
            yield token[:position] + character.swapcase() + token[position + 1 :]
        yield token[:position] + token[position + 1 :]  # one character dropped
    for length in range(len(token)):
        yield token[:length]  # truncations, down to the empty token
        yield token[length + 1 :]  # the front cut off
    for extra in ALPHABET + "=.~ ":
        yield token + extra
        yield extra + token
    yield token.upper()
    yield token.lower()
    yield token.swapcase()
    yield token + "=="  # padded base64
    yield token[::-1]
    yield f" {token} "
    yield token + "\n"
    yield token.replace("-", "+").replace("_", "/")  # standard base64
    yield token_digest(token)  # the stored form, tried as a token


def test_a_token_carries_at_least_128_random_bits(aurora_world, settings):
    invitation = aurora_world.open_invitation

    # The salt is 16 bytes from the operating system's CSPRNG, new for every row.
    field = Invitation._meta.get_field("token_salt")
    assert field.default is new_token_salt
    with mock.patch.object(
        invitation_module.secrets, "token_hex", wraps=secrets.token_hex
    ) as token_hex:
        salt = new_token_salt()
    token_hex.assert_called_once()
    call = token_hex.call_args
    nbytes = call.args[0] if call.args else call.kwargs.get("nbytes", 32)
    assert nbytes >= 16
    assert len(salt) == 32 and int(salt, 16) >= 0
    salts = {new_token_salt() for _ in range(10_000)}
    assert len(salts) == 10_000

    # The token is 160 bits of HMAC-SHA256 under the server's secret key.
    token = invitation.token()
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 == 160
    assert set(token) <= set(ALPHABET)
    entropy_bits = min(len(salt) * 4, len(raw) * 8)
    settings.SECRET_KEY = settings.SECRET_KEY + "-rotated"
    assert invitation.token() != token  # the salt alone does not give the token
    print(f"\ntoken entropy: {entropy_bits} bits (salt 128, token 160 bits)")
    assert entropy_bits >= 128

    # Across many rows, the bits look like coin flips.
    ones = sum(
        bin(byte).count("1")
        for _ in range(500)
        for byte in base64.urlsafe_b64decode(
            Invitation(token_salt=new_token_salt()).token() + "="
        )
    )
    assert abs(ones / (500 * 160) - 0.5) < 0.01


def _text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]


def test_the_raw_token_is_stored_in_no_column(aurora_world):
    tokens = [
        invitation.token()
        for invitation in (
            aurora_world.answered,
            aurora_world.open_invitation,
            aurora_world.failed_invitation,
        )
    ]
    row = Invitation.objects.values().get(pk=aurora_world.open_invitation.pk)
    text_columns = {
        name: value for name, value in row.items() if isinstance(value, str)
    }
    assert set(_text_fields(Invitation)) <= set(text_columns)
    assert row["token_hash"] == token_digest(aurora_world.open_invitation.token())

    found = []
    searched = 0
    for token in tokens:
        for name, value in text_columns.items():
            searched += 1
            if token.lower() in value.lower():
                found.append(f"invitation.{name}")
        # Every text column of every table, not only the invitation's.
        for model in apps.get_models():
            fields = _text_fields(model)
            if not fields:
                continue
            condition = Q()
            for name in fields:
                condition |= Q(**{f"{name}__icontains": token})
            searched += len(fields)
            if model._default_manager.filter(condition).exists():
                found.append(model._meta.label)
    print(f"\nraw token search: {searched} column checks, {len(found)} holding it")
    assert found == []


def test_no_guess_finds_an_invitation(aurora_world, count_report):
    real = aurora_world.open_invitation.token()
    assert invitation_for(real).pk == aurora_world.open_invitation.pk  # the control
    stored = set(Invitation.objects.values_list("token_hash", flat=True))

    guesses = [secrets.token_urlsafe(20) for _ in range(RANDOM_GUESSES)]
    near_misses = sorted(set(mutations(real)) - {real})

    def passes_guard(token: str) -> bool:  # invitation_for's own first step
        return bool(token) and len(token) <= MAX_TOKEN_LENGTH and token.isascii()

    digests = [token_digest(t) for t in guesses + near_misses if passes_guard(t)]
    bulk_hits = sum(
        Invitation.objects.filter(token_hash__in=digests[i : i + 5000]).count()
        for i in range(0, len(digests), 5000)
    )
    assert not stored & set(digests)
    direct = guesses[:DIRECT_GUESSES] + near_misses
    direct_hits = [token for token in direct if invitation_for(token) is not None]

    print(
        f"\ntoken guesses: {len(guesses)} random + {len(near_misses)} near misses "
        f"looked up by digest, {bulk_hits} found; {len(direct)} through "
        f"invitation_for, {len(direct_hits)} found"
    )
    count_report.add(
        ABUSE,
        check="random and mutated survey-link tokens",
        attempts=len(guesses) + len(near_misses) + len(direct),
        got_through=bulk_hits + len(direct_hits),
    )
    assert bulk_hits == 0
    assert direct_hits == []


def test_wrong_tokens_get_404_from_the_pages_never_500(aurora_world, count_report):
    client = Client(raise_request_exception=False)
    real = aurora_world.open_invitation.token()
    odd = [
        "x" * (MAX_TOKEN_LENGTH + 1),
        "x" * 5000,
        "%C3%A4" * 10,  # non-ASCII
        "%00",
        "a%00b",
        "%FF%FE",
        "..",
        "%2e%2e",
        "%27%20OR%201=1--",
        "%3Cscript%3E",
        real.upper(),
        token_digest(real),
    ]
    near = sorted(set(mutations(real)) - {real} - {""})
    near = [token for token in near if token.strip() and "/" not in token]
    sample = odd + near[:: max(1, len(near) // 100)][:100]
    sample += [secrets.token_urlsafe(20) for _ in range(HTTP_SAMPLE - len(sample))]
    statuses: dict[int, int] = {}
    for index, token in enumerate(sample):
        path = token if "%" in token else _quote(token)
        url = f"/s/{path}/" if index % 4 else f"/s/{path}/unsubscribe/"
        method = client.post if index % 3 == 0 else client.get
        status = method(url).status_code
        statuses[status] = statuses.get(status, 0) + 1
    print(f"\nanswer page with wrong tokens: {len(sample)} requests, {statuses}")
    count_report.add(
        ABUSE,
        check="wrong tokens on the answer pages (not 404)",
        attempts=len(sample),
        got_through=len(sample) - statuses.get(404, 0),
    )
    assert len(sample) == HTTP_SAMPLE
    assert statuses == {404: HTTP_SAMPLE}
    assert (
        Invitation.objects.get(pk=aurora_world.open_invitation.pk).customer.opted_out
        is False
    )


def _quote(token: str) -> str:
    return quote(token, safe="")


def _answers(invitation: Invitation) -> list[tuple[object, ...]]:
    return list(
        Answer.objects.filter(response__invitation=invitation)
        .order_by("pk")
        .values_list("pk", "question_id", "number", "choices", "text", "answered_at")
    )


@pytest.mark.parametrize("htmx", [False, True])
def test_a_used_or_expired_token_cannot_write(aurora_world, htmx):
    client = Client(raise_request_exception=False)
    headers = {"HX-Request": "true"} if htmx else {}
    answered = aurora_world.answered
    expired = aurora_world.open_invitation
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    lapsed = aurora_world.failed_invitation
    Invitation.objects.filter(pk=lapsed.pk).update(state=Invitation.State.EXPIRED)
    before = {i.pk: _answers(i) for i in (answered, expired, lapsed)}
    responses_before = Response.objects.count()

    statuses = []
    for invitation in (answered, expired, lapsed):
        for key, value in (
            ("nps", "10"),
            ("csat", "5"),
            ("comment", "changed my mind"),
        ):
            posted = client.post(
                f"/s/{invitation.token()}/",
                {"question": key, "answer": [value]},
                headers=headers,
            )
            statuses.append(posted.status_code)

    after = {i.pk: _answers(i) for i in (answered, expired, lapsed)}
    print(
        f"\nused and expired tokens: {len(statuses)} writes, statuses {set(statuses)}"
    )
    assert statuses == [410] * 9
    assert after == before
    assert Response.objects.count() == responses_before
