"""A typed Python client generated from the schema works against a running server.

The schema is exported, ``openapi-python-client`` generates a client from it into a
temporary folder (never kept in the repository), and the client posts an event, reads
the invitation it scheduled and works the follow-up case that the customer's answer
opened: start it, then close it with its root cause. README shows the same steps.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.core.management import call_command

from cx.roles import Scope
from cx.services.organizations import api_key_create
from followups.models import FollowUp
from surveys.models import Invitation
from tests.surveys.conftest import chat_event, chat_rule, chat_survey  # noqa: F401

# Binary answers (the PDF report, the XLSX export) come to the client as bytes.
CONFIG = """\
post_hooks: []
project_name_override: cx_client
package_name_override: cx_client
content_type_overrides:
  application/pdf: application/octet-stream
  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream
"""


@pytest.fixture(scope="module")
def cx_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """Generate the client package from the schema (once) and import it."""
    tmp_path = tmp_path_factory.mktemp("client")
    schema = tmp_path / "schema.yml"
    call_command("spectacular", file=str(schema), validate=True, fail_on_warn=True)
    config = tmp_path / "config.yml"
    config.write_text(CONFIG, encoding="utf-8")
    generator = Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(
        [str(generator), "generate", "--path", str(schema), "--config", str(config),
         "--meta", "none", "--output-path", str(tmp_path / "cx_client")],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Warning" not in output, output
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("cx_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.startswith("cx_client")]:
            del sys.modules[name]


def _module(name: str) -> Any:
    return importlib.import_module(f"cx_client.{name}")


def test_the_generated_client_posts_an_event_reads_invitations_and_closes_a_case(
    cx_client, live_server, aurora, chat_rule, client
):
    key = api_key_create(organization=aurora, scopes=[Scope.MANAGE]).secret_key
    api = cx_client.AuthenticatedClient(base_url=live_server.url, token=key)
    models = _module("models")
    v1 = "api.v1."

    # An event in; the answer says which invitation it scheduled.
    event = _module(v1 + "v1_events_create").sync(
        client=api,
        body=models.EventInRequest.from_dict(chat_event(1)),
    )
    assert isinstance(event, models.EventWithDetails), event
    (scheduled,) = event.invitations

    # The invitations of the customer, read back.
    invitations = _module(v1 + "v1_invitations_list").sync(client=api, customer="c-1")
    assert [invitation.id for invitation in invitations.results] == [scheduled.id]

    # The customer answers (dissatisfied, not helped): a follow-up case opens.
    invitation = Invitation.objects.get(pk=scheduled.id)
    for question, answer in (("csat", "2"), ("resolved", "0")):
        client.post(
            f"/s/{invitation.token()}/", {"question": question, "answer": [answer]}
        )
    cases = _module(v1 + "v1_followups_list").sync(client=api, customer="c-1")
    (case,) = cases.results

    started = _module(v1 + "v1_followups_start_create").sync(
        id=str(case.id), client=api
    )
    closed = _module(v1 + "v1_followups_close_create").sync(
        id=str(case.id),
        client=api,
        body=models.FollowUpCloseRequest(
            root_cause=models.RootCauseEnum.SYSTEM, action_taken="Fixed the chat."
        ),
    )

    assert started.state == models.FollowUpStateEnum.IN_PROGRESS
    assert isinstance(closed, models.FollowUpDetail), closed
    assert closed.state == models.FollowUpStateEnum.CLOSED
    assert FollowUp.objects.get(pk=case.id).root_cause == "system"


def test_the_generated_client_reads_an_error_as_a_problem(
    cx_client, live_server, aurora
):
    key = api_key_create(organization=aurora, scopes=[Scope.MANAGE]).secret_key
    api = cx_client.AuthenticatedClient(base_url=live_server.url, token=key)
    models = _module("models")

    refused = _module("api.v1.v1_events_list").sync(
        client=api,
        since=datetime(2026, 1, 2, tzinfo=UTC),
        until=datetime(2026, 1, 1, tzinfo=UTC),
    )

    assert isinstance(refused, models.Problem), refused
    assert refused.status == 400
    assert refused.errors["until"] == ["Must be later than since."]
