"""PostgreSQL restarted under load: every acknowledged event is stored exactly once.

The product runs as in production — ``gunicorn cx.wsgi``, 2 workers × 4 threads — on a
PostgreSQL cluster of the test's own (``initdb`` in a temp dir, a free port), migrated
for the test. Four clients post events with unique ``event_id``s, one by one or in
batches of ten, and post the very same events again after any answer but 2xx or any
connection error (sooner than ``Retry-After`` asks, to press the server as it
recovers). A third of the way through, the cluster is stopped as a crash would stop it
(``pg_ctl stop -m immediate``); while it is down the API must answer 503 with
``Retry-After`` — never 500 — and ``/healthz`` must name the database; then it starts
again. At the end every event must be acknowledged and stored exactly once, and the same
gunicorn workers must be serving: the server recovered on its own.

Both with a connection per request (``DATABASE_CONN_MAX_AGE=0``) and with persistent
connections (the default, 60 s, health-checked): a kept connection is dead after the
restart, and must be replaced, not used.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.counts import CountReport
from tests.faults.support import (
    SIZE,
    AppServer,
    PostgresCluster,
    manage,
    postgres_bindir,
    production_env,
    unavailable,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.real_clock,
]  # gunicorn servers of its own

logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise

EVENTS = 4 * SIZE
CLIENTS = 4
BATCH = 10  # the first client posts batches of this many; the others, single events
OUTAGE_SECONDS = 3
RETRY_PAUSE = 0.1
GIVE_UP_SECONDS = 120
DATABASE = "cx"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresCluster]:
    """A private PostgreSQL cluster with the product's schema in database ``cx``."""
    reason = PostgresCluster.missing()
    if reason:
        unavailable(reason)
    bindir = postgres_bindir()
    assert bindir is not None
    cluster = PostgresCluster(bindir).init()
    try:
        cluster.start()
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {DATABASE}")
        var_dir = tmp_path_factory.mktemp("var")
        manage(
            production_env(DATABASE_URL=cluster.url(DATABASE), CX_VAR_DIR=str(var_dir)),
            "migrate",
            "--no-input",
        )
        yield cluster
    finally:
        cluster.destroy()


def chat_event(event_id: str) -> dict[str, object]:
    number = int(event_id.rsplit("-", 1)[1]) if event_id[-1].isdigit() else 0
    return {
        "event_id": event_id,
        "type": "chat.ended",
        # Fifty customers shared by all the events: their upserts meet under the fault.
        "customer": {
            "external_id": f"c-{number % 50}",
            "email": f"c{number % 50}@ex.fi",
        },
    }


class Tally:
    """What the clients were answered, and which events were acknowledged."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: Counter[str] = Counter()
        self.acknowledged: set[str] = set()
        # Acknowledged as "already stored": a first attempt was committed, but its
        # answer was lost in the fault (the retry is what makes this exactly once).
        self.stored_before: set[str] = set()
        self.given_up: list[str] = []

    def note(self, answer: str) -> None:
        with self.lock:
            self.answers[answer] += 1

    def acknowledge(self, event_ids: list[str], stored_before: list[str]) -> None:
        with self.lock:
            self.acknowledged.update(event_ids)
            self.stored_before.update(stored_before)

    def count_acknowledged(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def post_until_acknowledged(
    client: httpx.Client, event_ids: list[str], tally: Tally
) -> None:
    """Post these events (one, or a batch) until the server acknowledges them."""
    if len(event_ids) == 1:
        path, body = "/api/v1/events/", chat_event(event_ids[0])
    else:
        path = "/api/v1/events/batch/"
        body = {"events": [chat_event(event_id) for event_id in event_ids]}
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while time.monotonic() < deadline:
        try:
            response = client.post(path, json=body)
        except httpx.TransportError as exc:
            tally.note(f"connection error ({type(exc).__name__})")
        else:
            answer = str(response.status_code)
            if response.status_code == 503 and "Retry-After" not in response.headers:
                answer += " without Retry-After"
            tally.note(answer)
            if response.is_success:
                tally.acknowledge(event_ids, stored_before(response, event_ids))
                return
        time.sleep(RETRY_PAUSE)
    tally.given_up.extend(event_ids)


def stored_before(response: httpx.Response, event_ids: list[str]) -> list[str]:
    """Return which of the acknowledged events the server had already stored."""
    if len(event_ids) == 1:
        return event_ids if response.status_code == 200 else []
    results = response.json()["results"]
    assert response.json()["rejected"] == 0, results
    return [event_ids[item["index"]] for item in results if item["status"] == 200]


def client_run(
    server: AppServer, key: str, event_ids: list[str], batch: int, tally: Tally
) -> None:
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {key}"}, timeout=30
    ) as client:
        for start in range(0, len(event_ids), batch):
            post_until_acknowledged(client, event_ids[start : start + batch], tally)


def stored_events(cluster: PostgresCluster, slug: str) -> Counter[str]:
    """Return how many rows each event id of the organisation has."""
    with psycopg.connect(cluster.url(DATABASE)) as db:
        rows = db.execute(
            "SELECT e.event_id, count(*) FROM cx_event e "
            "JOIN cx_organization o ON o.id = e.organization_id "
            "WHERE o.slug = %s GROUP BY e.event_id",
            [slug],
        ).fetchall()
    return Counter(dict(rows))


def wait_healthy(server: AppServer, timeout: float) -> float:
    """Return how long ``/healthz`` took to answer 200 again."""
    started = time.monotonic()
    while True:
        try:
            if httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        assert time.monotonic() - started < timeout, server.output()
        time.sleep(0.2)


@pytest.mark.parametrize(
    "conn_max_age",
    ["0", "60"],
    ids=["connection-per-request", "persistent-connections"],
)
def test_a_database_restart_loses_and_doubles_no_acknowledged_event(
    cluster: PostgresCluster,
    conn_max_age: str,
    tmp_path: Path,
    fault_report: CountReport,
) -> None:
    env = production_env(
        DATABASE_URL=cluster.url(DATABASE),
        DATABASE_CONN_MAX_AGE=conn_max_age,
        CX_VAR_DIR=str(tmp_path / "var"),
    )
    slug = f"restart-{conn_max_age}"
    manage(env, "create_organization", slug, "--name", "Restart Oy")
    key = manage(env, "create_api_key", "--org", slug).strip().splitlines()[-1]
    event_ids = [f"{slug}-{n}" for n in range(EVENTS)]
    tally = Tally()
    server = AppServer(env, tmp_path / "gunicorn.log").start()
    try:
        workers = server.worker_pids()
        clients = [
            threading.Thread(
                target=client_run,
                args=(
                    server,
                    key,
                    event_ids[n::CLIENTS],
                    BATCH if n == 0 else 1,
                    tally,
                ),
            )
            for n in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        deadline = time.monotonic() + 60
        while tally.count_acknowledged() < EVENTS // 3:
            assert time.monotonic() < deadline, server.output()
            time.sleep(0.02)

        cluster.stop_immediately()
        headers = {"Authorization": f"Bearer {key}"}
        during = httpx.post(
            f"{server.url}/api/v1/events/",
            json=chat_event(f"{slug}-probe"),
            headers=headers,
            timeout=30,
        )
        health_during = httpx.get(f"{server.url}/healthz", timeout=30)
        time.sleep(OUTAGE_SECONDS)
        cluster.start()
        recovery = wait_healthy(server, timeout=30)

        for client in clients:
            client.join(timeout=GIVE_UP_SECONDS + 30)
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            post_until_acknowledged(client, [f"{slug}-probe"], tally)
        same_workers = server.alive() and server.worker_pids() == workers
    finally:
        server.stop()

    posted = [*event_ids, f"{slug}-probe"]
    stored = stored_events(cluster, slug)
    acknowledged = tally.acknowledged
    stored_once = sum(1 for event_id in acknowledged if stored[event_id] == 1)
    duplicated = sum(count - 1 for count in stored.values())
    lost = sum(1 for event_id in acknowledged if stored[event_id] == 0)
    name = f"PostgreSQL restart, CONN_MAX_AGE={conn_max_age}"
    fault_report.add(
        "PostgreSQL stopped (-m immediate) and restarted under load",
        fault=name,
        events=len(posted),
        acknowledged=len(acknowledged),
        stored_once=stored_once,
        duplicated=duplicated,
        lost=lost,
        stored_before_ack=len(tally.stored_before),
        answered_503=tally.answers["503"],
        answered_500=tally.answers["500"],
    )
    print(
        f"{name}: posted {len(posted)} / acknowledged {len(acknowledged)} / stored "
        f"once {stored_once} / duplicated {duplicated} / lost {lost}; "
        f"{len(tally.stored_before)} had been stored by an attempt whose answer was "
        f"lost; answers {dict(tally.answers)}; /healthz 200 {recovery:.1f} s after "
        f"the restart; same gunicorn workers: {same_workers}"
    )

    assert during.status_code == 503, during.text
    assert int(during.headers["Retry-After"]) > 0
    assert health_during.status_code == 503
    assert health_during.json() == {
        "status": "unavailable",
        "database": "down",
        "broker": "ok",
    }
    assert tally.given_up == [], server.output()
    assert set(tally.answers) <= {"200", "201", "503"}, (tally.answers, server.output())
    assert tally.answers["503"] > 0  # the clients did meet the outage
    assert (len(acknowledged), stored_once, duplicated, lost) == (
        len(posted),
        len(posted),
        0,
        0,
    )
    assert set(stored) == set(posted)
    assert same_workers, server.output()
