"""A real SMTP server (aiosmtpd) for tests: it keeps what it receives, or misbehaves.

``SMTPSink.behave`` picks what the server does: accept (default); answer a code at
RCPT or at the end of DATA; or drop the connection right after receiving the whole
message, before answering (the ambiguous case); ``close_after_each`` makes it hang up
after every message (a server dropping idle connections).
"""

from __future__ import annotations

import asyncio
import email
import logging
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO: thousands of lines in a reliability run.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    recipients: list[str]
    message: Message
    peer: tuple[str, int]
    at: float


@dataclass
class SMTPSink:
    received: list[Received] = field(default_factory=list)
    rcpt_reply: str | None = None  # e.g. "550 5.1.1 no such user"
    data_reply: str | None = None  # e.g. "451 4.3.0 try again later"
    drop_after_data: bool = False
    close_after_each: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(
                Received(
                    recipients=list(envelope.rcpt_tos),
                    message=email.message_from_bytes(envelope.original_content),
                    peer=session.peer,
                    at=time.time(),
                )
            )
        if self.drop_after_data:
            server.transport.close()
        elif self.close_after_each:
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
        return self.data_reply or "250 OK"

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(r for item in self.received for r in item.recipients)

    def wait_for(self, predicate: Callable[[SMTPSink], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.1)
        return predicate(self)


class SinkServer:
    """Run an :class:`SMTPSink` on a free local port in a background thread."""

    def __init__(self, sink: SMTPSink | None = None) -> None:
        self.sink = sink or SMTPSink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SinkServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
