"""``/healthz`` tells a load balancer and an operator what is down."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from cx import health


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_broker_answer(client, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_DIR = tmp_path / "broker"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "broker": "down",
    }


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(
    client, settings, tmp_path, monkeypatch
):
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_DIR = tmp_path / "broker"

    class DeadCursor:
        def __enter__(self):
            raise OperationalError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(health.connection, "cursor", lambda: DeadCursor())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.broker
@pytest.mark.django_db
def test_healthz_reaches_the_real_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] == "ok"


def test_healthz_rejects_other_methods(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_api_answers_503_with_retry_after_when_database_fails(api, monkeypatch):
    from cx.services import events

    def unavailable(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(events, "events_record", unavailable)

    response = api.post(
        "/api/v1/events/", {"event_id": "e", "type": "t"}, format="json"
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
