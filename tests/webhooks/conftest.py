"""Webhook fixtures: a real HTTP receiver on localhost and Aurora's endpoint pointing at it.

The receiver records every request it gets (path, headers, raw body) and answers from a
script: a status code per request (200 once the script runs out), or "hang" to keep the
connection open without answering, as a stuck integration server would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cx.models import Organization
from tests.surveys.conftest import chat_rule, chat_survey  # noqa: F401 (fixtures)
from webhooks.models import WebhookEndpoint


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """An integration server in a thread: records requests, answers as scripted."""

    port: int = 0
    answers: list[int | str] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/cx"

    def next_answer(self) -> int | str:
        return self.answers.pop(0) if self.answers else 200


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        receiver = self.server.receiver
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        headers = {name.lower(): value for name, value in self.headers.items()}
        receiver.requests.append(Received(self.path, headers, body))
        answer = receiver.next_answer()
        if answer == "hang":
            receiver.release.wait(10)
            return
        status = int(answer)
        text = f'{{"status": {status}, "error": "{"x" * 3000}"}}'.encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep the test output quiet


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    receiver: Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.receiver = Receiver(port=server.server_address[1])
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield server.receiver
    server.receiver.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def endpoint(aurora: Organization, receiver: Receiver) -> WebhookEndpoint:
    """Aurora's CRM, subscribed to completed responses."""
    return WebhookEndpoint.objects.create(
        organization=aurora,
        url=receiver.url,
        description="CRM",
        event_types=["response.completed"],
    )


def signature_is_valid(secret: str, request: Received) -> bool:
    """Check a request's Standard Webhooks signature, independently of our signer."""
    key = base64.b64decode(secret[len("whsec_") :])
    signed = b".".join(
        [
            request.headers["webhook-id"].encode(),
            request.headers["webhook-timestamp"].encode(),
            request.body,
        ]
    )
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    given = [
        part.split(",", 1)[1].encode()
        for part in request.headers["webhook-signature"].split()
        if part.startswith("v1,")
    ]
    return any(hmac.compare_digest(expected, signature) for signature in given)
