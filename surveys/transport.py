"""Hand one email to the mail server, recording it as sent at the point of no return.

An SMTP server takes responsibility for a message when it receives the final ``.`` of
the DATA section. That write is the point of no return: before it, a lost connection
(or a killed worker) leaves the server with nothing, and the message can safely be sent
again; after it, the server has the message whether or not its answer reaches us.

So :func:`send` opens the caller's *hand-off* (a context manager: a transaction that
marks the invitation sent), writes the final bytes inside it, leaves it — committing —
at once, and only then reads the server's verdict. A worker killed before the write
leaves the row in *sending* for the sweeper to retry, with nothing delivered; a worker
killed after the commit leaves it *sent*, delivered. Only a crash in the few
microseconds between the write and the commit can still cause a duplicate.

A verdict read after the hand-off is reported as :class:`TransientError` or
:class:`PermanentError` with ``after_handoff`` set (the caller takes back its mark);
no verdict at all (the connection dropped after the message went out) is
:class:`AmbiguousError`.

SMTP connections are kept open, one per worker thread, and reused; a kept connection the
server closed while idle is reopened once without counting as a failure. Other email
backends (files, memory, django-anymail's HTTP providers) send inside the hand-off.
"""

from __future__ import annotations

import re
import smtplib
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, cast

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.utils.module_loading import import_string

Handoff = Callable[[], AbstractContextManager[object]]

CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")


class SendError(Exception):
    """The message was not (or may not have been) accepted."""

    def __init__(self, reason: str, *, after_handoff: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.after_handoff = after_handoff


class TransientError(SendError):
    """Not accepted now; worth trying again later (SMTP 4xx, connection trouble)."""


class PermanentError(SendError):
    """Not accepted, and trying again will not change that (SMTP 5xx)."""


class AmbiguousError(SendError):
    """Handed to the server, but its verdict never came back."""


def _verdict(code: int, reply: bytes | str, stage: str, **kwargs: Any) -> SendError:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    reason = f"SMTP {code} at {stage}: {text}".strip()
    if 400 <= code < 500:
        return TransientError(reason, **kwargs)
    return PermanentError(reason, **kwargs)


_local = threading.local()


def _kept_backend() -> SMTPBackend:
    """Return this thread's SMTP backend, made for the current settings."""
    key = (
        settings.EMAIL_BACKEND,
        settings.EMAIL_HOST,
        settings.EMAIL_PORT,
        settings.EMAIL_HOST_USER,
        settings.EMAIL_USE_TLS,
        settings.EMAIL_USE_SSL,
    )
    backend: SMTPBackend | None = getattr(_local, "backend", None)
    if backend is None or getattr(_local, "key", None) != key:
        if backend is not None:
            backend.close()
        # send() made sure EMAIL_BACKEND is Django's SMTP backend before asking.
        backend = cast(SMTPBackend, get_connection())
        _local.backend, _local.key = backend, key
    return backend


def close() -> None:
    """Close this thread's kept SMTP connection, if any."""
    backend: SMTPBackend | None = getattr(_local, "backend", None)
    if backend is not None:
        backend.close()


def send(message: EmailMessage, *, handoff: Handoff) -> None:
    """Send ``message``; enter ``handoff()`` around the write that hands it over.

    Raise TransientError, PermanentError or AmbiguousError when it was not accepted.
    An exception raised by ``handoff()`` itself propagates, with nothing handed over.
    """
    if not issubclass(import_string(settings.EMAIL_BACKEND), SMTPBackend):
        _send_other(message, handoff)
        return
    backend = _kept_backend()
    for attempt in (1, 2):
        try:
            fresh = _open(backend)
            assert backend.connection is not None  # _open opened it or raised
            _smtp_send(backend.connection, message, handoff)
            return
        except _StaleConnection as exc:
            backend.close()
            if attempt == 2 or fresh:
                raise TransientError(exc.reason) from exc
        except BaseException:
            backend.close()  # the session's state is unknown: start the next one afresh
            raise


class _StaleConnection(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _open(backend: SMTPBackend) -> bool:
    """Open the backend's connection if needed; return whether it is a new one."""
    if backend.connection is not None:
        return False
    try:
        backend.open()
    except smtplib.SMTPResponseException as exc:
        backend.close()
        raise _verdict(exc.smtp_code, exc.smtp_error, "connect") from exc
    except (smtplib.SMTPException, OSError) as exc:
        backend.close()
        raise TransientError(f"cannot connect to the mail server: {exc}") from exc
    return True


def _smtp_send(smtp: smtplib.SMTP, message: EmailMessage, handoff: Handoff) -> None:
    encoding = message.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(message.from_email, encoding)
    recipients = [sanitize_address(a, encoding) for a in message.recipients()]
    # Django's SafeMIME classes take linesep; the stubs type message() as email's Message.
    wire = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]
    payload = _LEADING_DOT.sub(b"..", wire)
    if not payload.endswith(CRLF):
        payload += CRLF
    payload += b"." + CRLF

    # Before DATA nothing can have been delivered: any failure is plainly retryable.
    try:
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(sender)
        if code == 421:  # the server is closing this (kept) connection
            raise _StaleConnection(f"SMTP 421 at MAIL FROM: {reply!r}")
        if code != 250:
            _reset(smtp)
            raise _verdict(code, reply, "MAIL FROM")
        refused = {}
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if len(refused) == len(recipients):
            _reset(smtp)
            code, reply = max(refused.values())  # a 5xx beats a 4xx
            raise _verdict(code, reply, "RCPT TO")
        code, reply = smtp.docmd("data")
        if code != 354:
            _reset(smtp)
            raise _verdict(code, reply, "DATA")
    except smtplib.SMTPServerDisconnected as exc:
        raise _StaleConnection(f"connection lost before DATA: {exc}") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"connection failed before DATA: {exc}") from exc

    try:
        with handoff():
            smtp.send(payload)  # the point of no return: see the module docstring
    except smtplib.SMTPServerDisconnected as exc:
        # The final dot did not get out whole, so the server discards the message.
        raise TransientError(f"connection lost while sending: {exc}") from exc

    try:
        code, reply = smtp.getreply()
    except smtplib.SMTPServerDisconnected as exc:
        raise AmbiguousError(
            f"connection lost after the message was handed over, before the "
            f"server's answer ({exc})",
            after_handoff=True,
        ) from exc
    if code != 250:
        raise _verdict(code, reply, "end of DATA", after_handoff=True)


def _reset(smtp: smtplib.SMTP) -> None:
    try:
        smtp.rset()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _send_other(message: EmailMessage, handoff: Handoff) -> None:
    """Send through a non-SMTP backend (files, memory, an HTTP email provider)."""
    from anymail.exceptions import (
        AnymailAPIError,
        AnymailError,
        AnymailRecipientsRefused,
    )

    try:
        with handoff():
            get_connection(fail_silently=False).send_messages([message])
    except AnymailRecipientsRefused as exc:
        raise PermanentError(f"recipient refused by the provider: {exc}") from exc
    except AnymailAPIError as exc:
        status = getattr(exc, "status_code", None)
        reason = f"provider answered {status}: {exc}"
        if status is None or status in (408, 429) or status >= 500:
            raise TransientError(reason) from exc
        raise PermanentError(reason) from exc
    except AnymailError as exc:
        raise PermanentError(f"provider refused the message: {exc}") from exc
    except smtplib.SMTPResponseException as exc:
        raise _verdict(exc.smtp_code, exc.smtp_error, "send") from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TransientError(f"sending failed: {exc}") from exc
