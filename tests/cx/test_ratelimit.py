"""Rate limits: 429 with Retry-After past the limit, per key on the API, per address on pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_api_is_limited_per_key(api, outsider_api, settings):
    settings.RATE_LIMITS = {"api": 3, "public": 0}

    statuses = [api.get("/api/v1/journeys/").status_code for _ in range(5)]

    assert statuses == [200, 200, 200, 429, 429]
    limited = api.get("/api/v1/journeys/")
    assert 0 < int(limited["Retry-After"]) <= 60
    assert outsider_api.get("/api/v1/journeys/").status_code == 200  # another key


@pytest.mark.django_db
def test_answer_pages_are_limited_per_address(client, settings):
    settings.RATE_LIMITS = {"api": 0, "public": 2}

    statuses = [client.get("/s/unknown-token/").status_code for _ in range(4)]
    other = client.get("/s/unknown-token/", REMOTE_ADDR="10.9.8.7")

    assert statuses == [404, 404, 429, 429]
    assert other.status_code == 404
    assert "Content-Security-Policy" in client.get("/s/unknown-token/")


@pytest.mark.django_db
def test_the_wait_page_speaks_the_customers_language(client, settings):
    settings.RATE_LIMITS = {"api": 0, "public": 1}
    client.get("/s/unknown-token/")

    finnish = client.get("/s/unknown-token/", HTTP_ACCEPT_LANGUAGE="fi")
    swedish = client.get("/s/unknown-token/", {"lang": "sv"})

    assert finnish.status_code == 429 and '<html lang="fi">' in finnish.content.decode()
    assert '<html lang="sv">' in swedish.content.decode()
