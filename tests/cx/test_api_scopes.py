"""An API key does what its scopes say and nothing more.

``events:write`` posts events (one or a batch) and nothing else; ``read`` reads every
resource; ``manage`` does everything. A key used beyond its scopes gets 403 naming the
scope it needs, and nothing changes.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from rest_framework.test import APIClient

from cx.audit.models import Action, AuditEntry, Subject
from cx.models import ApiKey, Customer, Event, Journey, Organization
from cx.roles import Scope
from cx.services.organizations import api_key_create
from cx.versioning import bump_triggers_drop_sqlite

pytestmark = pytest.mark.django_db

EVENT = {
    "event_id": "e-1",
    "type": "chat.ended",
    "customer": {"external_id": "c-1", "email": "maija@example.com"},
}


def key_client(organization: Organization, *scopes: str) -> APIClient:
    client = APIClient()
    issued = api_key_create(organization=organization, scopes=scopes)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret_key}")
    return client


def test_an_events_write_key_posts_events_and_reads_nothing(aurora):
    integration = key_client(aurora, "events:write")

    one = integration.post("/api/v1/events/", EVENT, format="json")
    batch = integration.post(
        "/api/v1/events/batch/",
        {"events": [{**EVENT, "event_id": "e-2"}]},
        format="json",
    )
    customers = integration.get("/api/v1/customers/")
    journey = integration.post("/api/v1/journeys/", {"name": "X"}, format="json")

    assert (one.status_code, batch.status_code) == (201, 200)
    assert customers.status_code == 403
    assert customers["Content-Type"] == "application/problem+json"
    assert customers.json() == {
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
        "detail": "This API key's scopes (events:write) do not allow this; "
        "it needs 'read'.",
    }
    assert journey.status_code == 403
    assert "it needs 'manage'" in journey.json()["detail"]
    assert not Journey.objects.exists()


def test_a_read_key_reads_everything_and_writes_nothing(aurora, mortgage):
    reader = key_client(aurora, "read")

    reads = [
        reader.get(url).status_code
        for url in (
            "/api/v1/customers/",
            "/api/v1/journeys/",
            f"/api/v1/journeys/{mortgage.pk}/",
            "/api/v1/metrics/?metric=nps",
            "/api/v1/responses/export.csv",
            "/api/v1/maturity/assessments/",
        )
    ]
    event = reader.post("/api/v1/events/", EVENT, format="json")
    rename = reader.patch(
        f"/api/v1/journeys/{mortgage.pk}/", {"name": "Renamed"}, format="json"
    )
    erase = reader.delete("/api/v1/customers/c-1/")

    assert reads == [200] * len(reads)
    assert event.status_code == 403
    assert event.json()["detail"] == (
        "This API key's scopes (read) do not allow this; it needs 'events:write'."
    )
    assert (rename.status_code, erase.status_code) == (403, 403)
    assert Journey.objects.get().name == "Mortgage"
    assert not Event.objects.exists()


def test_a_manage_key_does_everything(aurora, mortgage):
    manager = key_client(aurora, "manage")

    event = manager.post("/api/v1/events/", EVENT, format="json")
    read = manager.get("/api/v1/customers/")
    rename = manager.patch(
        f"/api/v1/journeys/{mortgage.pk}/", {"name": "Renamed"}, format="json"
    )
    erase = manager.delete("/api/v1/customers/c-1/")

    assert (event.status_code, read.status_code) == (201, 200)
    assert (rename.status_code, erase.status_code) == (200, 204)
    assert Journey.objects.get().name == "Renamed"


def test_scopes_add_up(aurora):
    both = key_client(aurora, "read", "events:write")

    assert both.post("/api/v1/events/", EVENT, format="json").status_code == 201
    assert both.get("/api/v1/customers/").status_code == 200
    assert both.delete("/api/v1/customers/c-1/").status_code == 403
    assert Customer.objects.get().email == "maija@example.com"


def test_a_key_with_a_broken_scope_list_may_do_nothing(aurora):
    client = key_client(aurora, "manage")
    ApiKey.objects.update(scopes="admin")

    response = client.get("/api/v1/customers/")

    assert response.status_code == 403
    assert "scopes (none)" in response.json()["detail"]


def test_no_key_is_still_401_not_403(aurora):
    assert APIClient().get("/api/v1/customers/").status_code == 401


def test_the_schema_names_the_scope_of_each_operation(aurora):
    schema = key_client(aurora, "read").get("/api/schema/?format=json").json()

    events = schema["paths"]["/api/v1/events/"]["post"]
    customers = schema["paths"]["/api/v1/customers/"]["get"]
    erase = schema["paths"]["/api/v1/customers/{external_id}/"]["delete"]
    assert "'events:write'" in events["responses"]["403"]["description"]
    assert "'read'" in customers["responses"]["403"]["description"]
    assert "'manage'" in erase["description"]


# --- Issuing keys ---------------------------------------------------------------------


def issue(*args: str) -> list[str]:
    out = StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()


def test_create_api_key_gives_events_write_unless_told(aurora):
    lines = issue("--org", "aurora")

    assert "with the scopes events:write." in lines[-2]
    assert ApiKey.objects.get().scope_list == ["events:write"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {lines[-1]}")
    assert client.post("/api/v1/events/", EVENT, format="json").status_code == 201


def test_create_api_key_takes_several_scopes(aurora):
    lines = issue("--org", "aurora", "--scope", "manage", "--scope", "read")

    assert "with the scopes read, manage." in lines[-2]
    assert ApiKey.objects.get().scopes == "read,manage"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {lines[-1]}")
    assert client.get("/api/v1/customers/").status_code == 200


def test_create_api_key_refuses_an_unknown_scope(aurora):
    with pytest.raises(CommandError, match="invalid choice: 'admin'"):
        issue("--org", "aurora", "--scope", "admin")
    assert not ApiKey.objects.exists()


def test_the_service_refuses_no_scope_at_all(aurora):
    with pytest.raises(ValueError, match="no scope"):
        api_key_create(organization=aurora, scopes=[])


# --- The admin ------------------------------------------------------------------------


def test_the_owner_sees_and_changes_a_keys_scopes_in_the_admin(client, aino, aurora):
    issued = api_key_create(organization=aurora, name="crm", scopes=[Scope.READ])
    client.force_login(aino)
    url = reverse("admin:cx_apikey_change", args=[issued.api_key.pk])

    changelist = client.get(reverse("admin:cx_apikey_changelist"))
    form = client.get(url)
    saved = client.post(
        url,
        {
            "organization": aurora.pk,
            "name": "crm",
            "scopes": ["events:write", "read"],
        },
    )
    empty = client.post(url, {"organization": aurora.pk, "name": "crm"})

    assert '<td class="field-scopes">read</td>' in changelist.content.decode()
    checked = re.findall(r'value="([^"]+)"[^>]*checked', form.content.decode())
    assert "read" in checked and "manage" not in checked
    assert saved.status_code == 302
    assert ApiKey.objects.get().scopes == "events:write,read"
    change = AuditEntry.objects.get(action=Action.CHANGED, subject=Subject.API_KEY)
    assert (change.detail["was"], change.detail["scopes"]) == (
        "read",
        "events:write,read",
    )
    assert empty.status_code == 200  # shown again with the error
    assert ApiKey.objects.get().scopes == "events:write,read"


@pytest.mark.django_db(transaction=True)
def test_keys_issued_before_scopes_get_manage_so_nothing_breaks():
    # As `migrate` does: SQLite's bump triggers off while tables are rebuilt, on after.
    bump_triggers_drop_sqlite()
    executor = MigrationExecutor(connection)
    before, after = (
        ("cx", "0003_organization_config_version"),
        ("cx", "0004_api_key_scopes"),
    )
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    organization = old.get_model("cx", "Organization").objects.create(
        slug="old", name="Old"
    )
    old.get_model("cx", "ApiKey").objects.create(
        organization=organization, lookup="0123456789ab", digest="0" * 64
    )

    executor = MigrationExecutor(connection)
    executor.migrate([after])
    try:
        assert ApiKey.objects.get().scope_list == ["manage"]
    finally:
        # Back to the latest schema, for the tests that run after this one.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    fresh = Organization.objects.create(slug="new", name="New")
    assert ApiKey.objects.create(organization=fresh, lookup="x").scopes == (
        "events:write"
    )


def test_memberships_need_the_owner_scope_even_to_read(aurora):
    manager = key_client(aurora, "manage", "read")

    listed = manager.get("/api/v1/memberships/")

    assert listed.status_code == 403
    assert listed.json()["detail"] == (
        "This API key's scopes (read, manage) do not allow this; it needs 'owner'."
    )
    assert key_client(aurora, "owner").get("/api/v1/memberships/").status_code == 200
