"""Benchmark: single-event POST /api/v1/events/ next to a bare DRF view, same server.

A gunicorn server (``--workers 2 --threads 4``, gthread, the product's production
settings: DEBUG off, PostgreSQL, Redis as the Celery broker; the rate limit and the
HTTPS redirect off) serves the product's API and a bare Django REST Framework view
(``_bench_event_urls.bare``: validate the same body, upsert the customer, insert the
event). ``wrk`` (Debian's package) posts events with ids unique to the run (a Lua
script, ``event_post.lua``), CLIENTS keep-alive connections for SECONDS per load and
round, in SLICES slices interleaved with the other loads (the machine is shared), two
rounds; every round is printed with its rate, p50, p95, p99 and the
ratio to the bare view of the same round. The loads:

* bare: the baseline;
* no trigger: an event type no rule matches (5 rules, 5 segments in the organisation);
* match: ``chat.ended``, matched by a delay-0 rule (one segment filter), so every event
  schedules an invitation that is handed to the broker after commit;
* match, 200 rules: the same event in an organisation with 200 rules and 50 segments.

Targets: no trigger ≥ 70 % of bare; match ≥ 50 %; p95 of each ≤ 2× bare's p95;
200 rules ≥ 80 % of the 5-rule match rate.

    make bench-event-post   (DATABASE_URL=postgres://…, CELERY_BROKER_URL=redis://…;
                             SECONDS=8 SLICES=4 CLIENTS=8)
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from _db import ROOT, django_setup, table, throwaway_database

SECONDS = int(os.environ.get("SECONDS", "8"))
SLICES = int(os.environ.get("SLICES", "4"))
CLIENTS = int(os.environ.get("CLIENTS", "8"))
ROUNDS = 2
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
SCRIPT = ROOT / "benchmarks" / "event_post.lua"


@dataclass(frozen=True)
class Load:
    name: str
    path: str
    event_type: str
    key: str  # "-" for none


@dataclass(frozen=True)
class Result:
    rate: float
    p50: float  # milliseconds
    p95: float
    p99: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def organization_with_rules(slug: str, rules: int, segments: int) -> tuple[int, str]:
    """Create an organisation with ``rules`` trigger rules and ``segments`` segments.

    One rule sends the chat survey on ``chat.ended`` (delay 0) to customers in the
    "gold" segment; the others watch other touchpoints and event types, and each of
    the other segments filters some of them. Return its id and an API key.
    """
    from cx.models import Segment
    from cx.services.organizations import api_key_create
    from tests.factories import (
        JourneyFactory,
        OrganizationFactory,
        SurveyFactory,
        TouchpointFactory,
        TriggerRuleFactory,
    )

    organization = OrganizationFactory(slug=slug, name=slug.title())
    journey = JourneyFactory(organization=organization, name="Service")
    touchpoints = [
        TouchpointFactory(
            journey=journey,
            position=n,
            name=f"T{n}",
            channel="web",
            event_types=["chat.ended" if n == 0 else f"other.{n}"],
        )
        for n in range(10)
    ]
    survey = SurveyFactory(
        organization=organization,
        name="Chat",
        languages=["fi", "en"],
        title={"fi": "Miten chat onnistui?", "en": "How was your chat?"},
        questions=["csat"],
    )
    gold, *others = Segment.objects.bulk_create(
        Segment(
            organization=organization,
            key=f"s{n}",
            name=f"S{n}",
            rule={"attribute": "tier", "operator": "eq", "value": "gold"}
            if n == 0
            else {"attribute": "score", "operator": "gte", "value": n},
        )
        for n in range(segments)
    )
    TriggerRuleFactory(
        name="Chat", survey=survey, touchpoint=touchpoints[0], segments_all=[gold]
    )
    for n in range(1, rules):
        TriggerRuleFactory(
            name=f"Rule {n}",
            survey=survey,
            touchpoint=touchpoints[n % 9 + 1] if n % 2 else None,
            event_type="" if n % 2 else f"web.page_{n}",
            delay_minutes=60,
            segments_all=[others[n % len(others)]] if others else [],
        )
    return organization.pk, api_key_create(organization=organization).secret_key


def wrk(port: int, load: Load, run: str, seconds: int) -> tuple[int, float, Result]:
    completed = subprocess.run(
        [
            "wrk",
            f"-t{min(2, CLIENTS)}",
            f"-c{CLIENTS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(SCRIPT),
            f"http://127.0.0.1:{port}{load.path}",
            "--",
            run,
            load.event_type,
            load.key,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    output = completed.stdout
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    requests, micros, bad, p50, p95, p99 = (int(x) for x in line.split()[1:])
    if bad:
        raise SystemExit(
            f"{load.name}: {bad} of {requests} requests failed\n{completed.stderr}"
        )
    seconds_run = micros / 1e6
    return (
        requests,
        seconds_run,
        Result(requests / seconds_run, p50 / 1000, p95 / 1000, p99 / 1000),
    )


def round_run(port: int, loads: list[Load], round_: int) -> dict[str, Result]:
    """Run every load for SECONDS, in SLICES interleaved slices.

    The machine is shared: interleaving spreads any change in the others' load over
    all paths alike. Rates add up over the slices; percentiles are the slices'
    averaged by their requests.
    """
    totals: dict[str, list[tuple[int, float, Result]]] = {x.name: [] for x in loads}
    for slice_ in range(SLICES):
        for n, load in enumerate(loads):
            run = f"r{round_}s{slice_}l{n}"
            totals[load.name].append(wrk(port, load, run, SECONDS // SLICES))
    results = {}
    for name, parts in totals.items():
        requests = sum(r for r, _, _ in parts)
        seconds = sum(s for _, s, _ in parts)

        def mean(pick: Callable[[Result], float], parts: list = parts) -> float:
            return sum(r * pick(x) for r, _, x in parts) / max(
                1, sum(r for r, _, _ in parts)
            )

        results[name] = Result(
            requests / seconds,
            mean(lambda x: x.p50),
            mean(lambda x: x.p95),
            mean(lambda x: x.p99),
        )
    return results


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the benchmark server did not start")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(round_: int, results: dict[str, Result]) -> None:
    bare = results["bare"]
    five = results["match"]
    rows = []
    for name, result in results.items():
        target = ""
        if name == "no trigger":
            ok = result.rate >= 0.7 * bare.rate and result.p95 <= 2 * bare.p95
            target = f"≥ 70 %, p95 ≤ 2× bare: {verdict(ok)}"
        elif name == "match":
            ok = result.rate >= 0.5 * bare.rate and result.p95 <= 2 * bare.p95
            target = f"≥ 50 %, p95 ≤ 2× bare: {verdict(ok)}"
        elif name == "match, 200 rules":
            ok = result.rate >= 0.8 * five.rate
            target = f"≥ 80 % of match: {result.rate / five.rate:.0%} {verdict(ok)}"
        rows.append(
            (
                name,
                f"{result.rate:,.0f}/s",
                f"p50 {result.p50:.0f} p95 {result.p95:.0f} p99 {result.p99:.0f} ms",
                f"{result.rate / bare.rate:.0%}",
                target,
            )
        )
    print(f"\nround {round_}")
    print(table(rows), flush=True)


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    with throwaway_database("cx_bench_event_post") as url:
        django_setup(url)
        from django.db import connection

        organization, key = organization_with_rules("bench", rules=5, segments=5)
        _, big_key = organization_with_rules("big", rules=200, segments=50)
        connection.close()
        queue = f"bench-event-post-{uuid.uuid4().hex[:8]}"
        port = free_port()
        log = tempfile.TemporaryFile()  # noqa: SIM115 - the server log; 4xx would flood
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cx.wsgi:application",
                "--pythonpath",
                f"{ROOT / 'benchmarks'},{ROOT}",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--worker-class",
                "gthread",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            stderr=log,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "_bench_event_site",
                # Not the test settings' defaults that django_setup left in os.environ:
                # invitations go to the broker, nothing is sent in the request.
                "CX_TESTING": "0",
                "CELERY_TASK_ALWAYS_EAGER": "0",
                "EMAIL_URL": "console",
                "DJANGO_SECRET_KEY": "bench-" + uuid.uuid4().hex,
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DATABASE_URL": url,
                "CELERY_BROKER_URL": BROKER_URL,
                "CELERY_QUEUE": queue,
                "RATE_LIMIT_API_PER_MINUTE": "0",
                "LOG_LEVEL": "WARNING",
                "BENCH_ORGANIZATION": str(organization),
            },
        )
        loads = [
            Load("bare", "/bench/bare-event/", "web.page_viewed", "-"),
            Load("no trigger", "/api/v1/events/", "web.page_viewed", key),
            Load("match", "/api/v1/events/", "chat.ended", key),
            Load("match, 200 rules", "/api/v1/events/", "chat.ended", big_key),
        ]
        try:
            wait_for(port)
            print(
                f"gunicorn --workers 2 --threads 4; wrk, {CLIENTS} keep-alive clients,"
                f" {SECONDS} s per load and round, in {SLICES} interleaved slices;"
                f" {os.cpu_count()} CPUs;"
                f" load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            # Warm-up: every worker connected, every organisation's set compiled.
            for n, load in enumerate(loads):
                wrk(port, load, f"warm{n}", 3)
            for round_ in range(1, ROUNDS + 1):
                report(round_, round_run(port, loads, round_))
        finally:
            server.terminate()
            server.wait(timeout=30)
            purge(queue)


def purge(queue: str) -> None:
    """Drop the invitations the run queued (no worker consumes them)."""
    if BROKER_URL.startswith("redis"):
        import redis

        redis.Redis.from_url(BROKER_URL).delete(queue)


if __name__ == "__main__":
    main()
