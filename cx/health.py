"""Liveness of the services the product depends on, for ``/healthz``."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def database_state() -> str:
    """Return ``"ok"``, or ``"down"`` when a trivial query fails."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means the same to a health check
        logger.warning("Health check: database down: %s", exc)
        connection.close_if_unusable_or_obsolete()
        return "down"
    return "ok"


def broker_state() -> str:
    """Return ``"ok"``, or ``"down"`` when the Celery broker cannot be reached."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem"):
        folder = Path(settings.CELERY_BROKER_DIR)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return "down"
        return "ok" if folder.is_dir() else "down"
    if url.startswith("memory"):
        return "ok"
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as exc:  # kombu raises many kinds; all mean "unreachable" here
        logger.warning("Health check: broker down: %s", exc)
        return "down"
    return "ok"
