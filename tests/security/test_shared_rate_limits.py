"""Rate limits hold across processes: two servers sharing a Redis cache count together.

Two separate gunicorn servers of the product (configured as in production, on one
SQLite file) get half the requests each. With ``CACHE_URL`` pointing at Redis, the API
key and the client address are limited once for the whole deployment: each server gets
more requests than the limit, so counters kept per process would let twice as many by.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from tests.counts import ABUSE
from tests.faults.support import AppServer, manage, production_env

pytestmark = pytest.mark.broker

API_LIMIT = 30
PUBLIC_LIMIT = 20
REQUESTS_PER_SERVER = 40


def _redis_cache_url() -> str:
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith("redis://"):
        pytest.skip(
            "needs a Redis server for the shared cache: CELERY_BROKER_URL=redis://"
        )
    return broker.rsplit("/", 1)[0] + "/13"


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[list[AppServer], str]]:
    """Two servers with one database and one Redis cache; return them and an API key."""
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CX_VAR_DIR=str(tmp_path / "var"),
        CACHE_URL=_redis_cache_url(),
        RATE_LIMIT_API_PER_MINUTE=str(API_LIMIT),
        RATE_LIMIT_PUBLIC_PER_MINUTE=str(PUBLIC_LIMIT),
    )
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input")  # as production does, into CX_VAR_DIR
    manage(env, "create_organization", "limits", "--name", "Limits Oy")
    key = (
        manage(env, "create_api_key", "--org", "limits", "--scope", "read")
        .strip()
        .splitlines()[-1]
    )
    servers = [AppServer(env, tmp_path / f"gunicorn-{n}.log").start() for n in range(2)]
    try:
        yield servers, key
    finally:
        for server in servers:
            server.stop()


def _within_one_window() -> None:
    """Wait, if needed, so that the requests fall into one fixed one-minute window."""
    second = time.time() % 60
    if second > 40:
        time.sleep(61 - second)


def _statuses(servers: list[AppServer], path: str, headers: dict[str, str]) -> Counter:
    urls = [f"{server.url}{path}" for server in servers] * REQUESTS_PER_SERVER
    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda url: httpx.get(url, headers=headers, timeout=30), urls)
        )
    assert all(
        "Retry-After" in answer.headers
        for answer in answers
        if answer.status_code == 429
    )
    return Counter(answer.status_code for answer in answers)


def test_two_servers_share_one_limit_per_key_and_per_address(deployment, count_report):
    servers, key = deployment
    _within_one_window()

    api = _statuses(servers, "/api/v1/journeys/", {"Authorization": f"Bearer {key}"})
    public = _statuses(servers, "/s/no-such-token/", {})

    tried = 2 * REQUESTS_PER_SERVER
    count_report.add(
        ABUSE,
        check="requests past the limit, 2 servers sharing Redis (API key; address)",
        attempts=2 * tried,
        got_through=(tried - api[429] - API_LIMIT)
        + (tried - public[429] - PUBLIC_LIMIT),
    )
    assert api == {200: API_LIMIT, 429: tried - API_LIMIT}
    assert public == {404: PUBLIC_LIMIT, 429: tried - PUBLIC_LIMIT}
