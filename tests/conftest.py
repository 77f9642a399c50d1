"""Personas and fixtures shared by the whole suite.

Personas: *Aino* owns the demo-like organisation "Aurora Bank" and its API key; *Bertil*
is her CX manager; *Olli* is an outsider in "Other Oy", who must never see Aurora's data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from cx.models import Journey, Organization, Role
from cx.roles import Scope
from cx.services.journeys import touchpoint_save
from cx.services.organizations import (
    api_key_create,
    member_add,
    organization_create,
    staff_user_create,
)
from cx.versioning import versioned_clear
from tests.counts import count_report, pytest_terminal_summary  # noqa: F401

REQUIRE_SERVICES = os.environ.get("CX_REQUIRE_SERVICES") == "1"

# The instant every test starts at, so that no answer depends on the day (or the hour)
# the suite runs. CX_TEST_CLOCK moves it, to run the suite "on another day".
TEST_CLOCK = datetime.fromisoformat(
    os.environ.get("CX_TEST_CLOCK", "2026-06-10T09:30:00+00:00")
)
# Tests that talk to processes of their own (workers, servers, browsers) keep the real
# clock: those processes could not share a pinned one.
REAL_CLOCK_MARKERS = ("real_clock", "broker", "browser")


def _uses_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _broker_is_server() -> bool:
    return settings.CELERY_BROKER_URL.startswith(("redis://", "amqp://"))


def _missing_service(item: pytest.Item) -> str | None:
    if "postgres" in item.keywords and not _uses_postgres():
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if "broker" in item.keywords and not _broker_is_server():
        return "needs a broker server: set CELERY_BROKER_URL=redis://... or amqp://..."
    if "browser" in item.keywords:
        from tests.browser.conftest import missing_browser_tools

        return missing_browser_tools()
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a test whose server is absent, saying why; with CX_REQUIRE_SERVICES=1, fail it."""
    reason = _missing_service(item)
    if reason is None:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"CX_REQUIRE_SERVICES=1 but this test {reason}")
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In a mutation run (make mutation), try the tests without a database first.

    Each mutant runs, with ``-x``, the tests that reached the mutated code; when a
    database-free one kills it, no test database is opened at all.
    """
    if os.environ.get("CX_TEST_DB_KEEP") != "1":
        return
    items.sort(
        key=lambda item: bool(
            {"db", "transactional_db"} & set(getattr(item, "fixturenames", ()))
        )
    )


@pytest.fixture(autouse=True)
def pinned_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Start the test at TEST_CLOCK, the clock running on from there."""
    if any(marker in request.keywords for marker in REAL_CLOCK_MARKERS):
        yield
        return
    with time_machine.travel(TEST_CLOCK, tick=True):
        yield


@pytest.fixture(autouse=True)
def compiled_configuration_forgotten() -> Iterator[None]:
    """Start each test without compiled trigger sets: on SQLite a rolled-back test's
    organisation comes back with the same id, creation time (the pinned clock) and
    config_version, so its stamp alone cannot tell the two apart."""
    versioned_clear()
    yield


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """End each test in the default language: a request leaves its own active."""
    yield
    translation.deactivate()


@pytest.fixture
def aurora(db: None) -> Organization:
    return organization_create(slug="aurora", name="Aurora Bank", default_language="fi")


@pytest.fixture
def other_org(db: None) -> Organization:
    return organization_create(slug="other", name="Other Oy", default_language="en")


@pytest.fixture
def aino(aurora: Organization):  # type: ignore[no-untyped-def]
    user = staff_user_create(
        username="aino", email="aino@aurora.example", password="pw-aino"
    )
    member_add(organization=aurora, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def olli(other_org: Organization):  # type: ignore[no-untyped-def]
    user = staff_user_create(
        username="olli", email="olli@other.example", password="pw-olli"
    )
    member_add(organization=other_org, user=user, role=Role.OWNER)
    return user


def _client_for(organization: Organization) -> APIClient:
    client = APIClient()
    issued = api_key_create(organization=organization, scopes=[Scope.MANAGE])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret_key}")
    client.api_key = issued.api_key  # type: ignore[attr-defined]
    return client


@pytest.fixture
def api(aurora: Organization) -> APIClient:
    """An integrating system of Aurora Bank, with a valid API key that may do all."""
    return _client_for(aurora)


@pytest.fixture
def outsider_api(other_org: Organization) -> APIClient:
    """Other Oy's integrating system: it must see nothing of Aurora's."""
    return _client_for(other_org)


@pytest.fixture
def mortgage(aurora: Organization) -> Journey:
    """Aurora's mortgage journey with a chat touchpoint named by ``chat.ended``."""
    journey = Journey.objects.create(organization=aurora, name="Mortgage")
    touchpoint_save(
        organization=aurora,
        fields={
            "journey": journey,
            "position": 1,
            "name": "Loan pages",
            "channel": "web",
        },
        event_types=["web.loan_pages_viewed"],
    )
    touchpoint_save(
        organization=aurora,
        fields={
            "journey": journey,
            "position": 2,
            "name": "Advisor chat",
            "channel": "chat",
        },
        event_types=["chat.ended"],
    )
    return journey


@pytest.fixture(autouse=True)
def _media_and_var(tmp_path, settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    yield
