"""The set-up commands: organisations, API keys and the demo."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from cx.models import Journey, Membership, Organization, Segment


@pytest.fixture(autouse=True)
def demo_without_history(settings):
    """The demo's map, surveys and logins; its history has tests of its own."""
    settings.CX_DEMO_HISTORY_DAYS = 0


def run(*args, **options) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.mark.django_db
def test_create_organization_and_a_key_that_works():
    run("create_organization", "acme", name="Acme Oy")
    output = run("create_api_key", org="acme")

    key = output.strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.post(
        "/api/v1/events/", {"event_id": "e", "type": "t"}, format="json"
    )
    assert response.status_code == 201
    assert Organization.objects.get().name == "Acme Oy"


@pytest.mark.django_db
def test_create_organization_refuses_bad_input_clearly():
    run("create_organization", "acme", name="Acme")

    with pytest.raises(CommandError, match="slug"):
        run("create_organization", "acme", name="Again")
    with pytest.raises(CommandError, match="time zone"):
        run("create_organization", "other", name="Other", timezone="Mars/Olympus")


@pytest.mark.django_db
def test_create_api_key_for_an_unknown_organisation_fails():
    with pytest.raises(CommandError, match="No organisation"):
        run("create_api_key", org="nobody")


@pytest.mark.django_db
def test_load_demo_builds_the_mortgage_journey_and_logins():
    output = run("load_demo")

    demo = Organization.objects.get(slug="demo")
    roles = dict(
        Membership.objects.filter(organization=demo).values_list(
            "user__username", "role"
        )
    )
    assert roles == {
        "owner": "owner",
        "cx": "cx_manager",
        "analyst": "analyst",
        "exec": "executive",
    }
    assert "password for all" in output
    assert set(Segment.objects.filter(organization=demo).values_list("key", flat=True)) == {
        "valuable", "returner", "new", "unidentified"
    }  # fmt: skip
    mortgage = Journey.objects.get(organization=demo, name="Mortgage")
    event_types = [
        list(t.event_types.values_list("event_type", flat=True))
        for t in mortgage.touchpoints.order_by("position")
    ]
    assert event_types == [
        ["web.search_landing"],
        ["web.loan_pages_viewed"],
        ["chat.ended"],
        ["mortgage.application_submitted"],
        ["mortgage.offer_sent"],
    ]
    assert Journey.objects.filter(organization=demo).count() == 2


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    run("load_demo")
    counts = {model: model.objects.count() for model in apps.get_models()}

    run("load_demo")

    assert {model: model.objects.count() for model in apps.get_models()} == counts


@pytest.mark.django_db
def test_load_demo_if_empty_leaves_an_existing_installation_alone():
    run("create_organization", "acme", name="Acme")

    output = run("load_demo", if_empty=True)

    assert "not loaded" in output
    assert not Organization.objects.filter(slug="demo").exists()
