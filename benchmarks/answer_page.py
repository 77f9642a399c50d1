"""Benchmark: answer-page requests/s next to a plain Django view on the same server.

A gunicorn server (``--workers 2 --threads 4``, the product's settings and middleware,
PostgreSQL) serves the answer page and two baselines (see ``_bench_urls``): a plain
Django page that looks the invitation up by its token and renders its first question
(the target's baseline), and, for scale, a view returning a constant. Pages are fetched
for TOKENS different invitations in turn, as customers opening their emails would. Each
is loaded for SECONDS by CLIENTS keep-alive connections, twice, alternating; the best
run of each counts. Target: the answer page at ≥ 40 % of the plain page.

    make bench-answer-page    (DATABASE_URL=postgres://… ; TOKENS=500 SECONDS=5 CLIENTS=8)
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time

from _db import ROOT, django_setup, table, throwaway_database

TOKENS = int(os.environ.get("TOKENS", "500"))
SECONDS = float(os.environ.get("SECONDS", "5"))
CLIENTS = int(os.environ.get("CLIENTS", "8"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def invitation_paths() -> list[str]:
    """Create a chat survey, its rule and TOKENS sent invitations; return their paths."""
    from delivery import chat_event, set_up_rule
    from django.test import Client

    from cx.services.organizations import api_key_create
    from surveys.models import Invitation

    organization = set_up_rule()
    client = Client(
        headers={
            "authorization": f"Bearer {api_key_create(organization=organization).secret_key}"
        }
    )
    for start in range(0, TOKENS, 500):
        events = [chat_event(f"a{n}") for n in range(start, min(TOKENS, start + 500))]
        response = client.post(
            "/api/v1/events/batch/",
            json.dumps({"events": events}),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content[:300]
    invitations = Invitation.objects.filter(organization=organization)
    invitations.update(state=Invitation.State.SENT)
    return [f"/s/{invitation.token()}/" for invitation in invitations]


def load(
    port: int, paths: list[str], seconds: float, results: multiprocessing.Queue
) -> None:
    """Fetch ``paths`` in turn over one keep-alive connection for ``seconds``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done, errors, n = 0, 0, 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        connection.request("GET", paths[n % len(paths)])
        response = connection.getresponse()
        response.read()
        if response.status == 200:
            done += 1
        else:
            errors += 1
        n += 1
        if response.getheader("connection", "").lower() == "close":
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    results.put((done, errors))


def requests_per_second(port: int, paths: list[str]) -> float:
    results: multiprocessing.Queue = multiprocessing.Queue()
    clients = [
        multiprocessing.Process(
            target=load, args=(port, paths[i::CLIENTS] or paths, SECONDS, results)
        )
        for i in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    counts = [results.get() for _ in clients]
    for client in clients:
        client.join()
    errors = sum(e for _, e in counts)
    if errors:
        raise SystemExit(f"{errors} requests failed")
    return sum(d for d, _ in counts) / SECONDS


def main() -> None:
    with throwaway_database("cx_bench_answer") as url:
        django_setup(url)
        from django.db import connection

        paths = invitation_paths()
        connection.close()
        port = free_port()
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
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "_bench_site"},
        )
        try:
            wait_for(port)
            hello_paths = ["/bench/hello/"]
            plain_paths = [path.replace("/s/", "/bench/plain/") for path in paths]
            rates: dict[str, list[float]] = {"hello": [], "plain": [], "answer": []}
            # Warm up: every worker connected, every invitation opened once.
            for each in (hello_paths, plain_paths, paths):
                requests_per_second(port, each)
            for _ in range(2):
                rates["hello"].append(requests_per_second(port, hello_paths))
                rates["plain"].append(requests_per_second(port, plain_paths))
                rates["answer"].append(requests_per_second(port, paths))
        finally:
            server.terminate()
            server.wait(timeout=30)

    hello, plain, answer = (max(rates[k]) for k in ("hello", "plain", "answer"))
    print(
        f"\ngunicorn --workers 2 --threads 4; {CLIENTS} keep-alive clients;"
        f" {os.cpu_count()} CPUs; best of 2 runs of {SECONDS:g} s each"
    )
    print(
        table(
            [
                (
                    f"answer page GET, {len(paths)} invitations (req/s)",
                    f"{answer:,.0f}",
                    f"{plain:,.0f} (plain Django page: token lookup + template)",
                    f"{answer / plain:.0%}",
                    f"≥ 40 % {'PASS' if answer / plain >= 0.4 else 'FAIL'}",
                ),
                (
                    "  for scale: the same, vs. a fixed response",
                    f"{answer:,.0f}",
                    f"{hello:,.0f} (Django view returning a constant)",
                    f"{answer / hello:.0%}",
                    "",
                ),
            ]
        )
    )


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench/hello/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the benchmark server did not start")


if __name__ == "__main__":
    main()
