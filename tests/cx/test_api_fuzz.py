"""Schemathesis against our own OpenAPI schema: no server errors, no answer off-schema.

Every operation of ``/api/schema/`` is called with generated input and a valid API key.
The suite runs a few examples per operation; ``make fuzz`` runs the full count
(``CX_FUZZ_EXAMPLES``, default 100 there).
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from cx.services.organizations import api_key_create, organization_create
from tests.counts import ABUSE

EXAMPLES = int(os.environ.get("CX_FUZZ_EXAMPLES", "8"))
TALLY: Counter[str] = Counter()

schema = schemathesis.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Keep Django from closing the test's connection after each WSGI request.

    Django's own test client does the same: the test runs inside a transaction, which
    ``close_old_connections`` would otherwise take for a stale connection.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def _tally(count_report):
    """Count every call and its failures; add one row to the run's table at the end."""
    TALLY.clear()
    yield
    if TALLY["calls"]:
        count_report.add(
            ABUSE,
            check=f"Schemathesis, {TALLY['operations']} operations, 5xx or off-schema",
            attempts=TALLY["calls"],
            got_through=TALLY["server errors"] + TALLY["off schema"],
        )


@pytest.fixture
def api_key(db):
    organization = organization_create(slug="fuzz", name="Fuzz Oy")
    return api_key_create(organization=organization, scopes=["manage"]).secret_key


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_never_fails_and_keeps_to_its_schema(case, api_key):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {api_key}"}

    response = case.call_wsgi()

    if TALLY[case.operation.verbose_name] == 0:
        TALLY["operations"] += 1
    TALLY[case.operation.verbose_name] += 1
    TALLY["calls"] += 1
    TALLY["server errors"] += response.status_code >= 500
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    try:
        case.validate_response(response)
    except Exception:
        TALLY["off schema"] += 1
        raise
