"""Names the organisation gives, per language: what a reader of each language sees."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cx.models import Journey, Organization, Process, Segment, Touchpoint
from cx.names import localized_name

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan_pages(mortgage: Journey) -> Touchpoint:
    touchpoint = mortgage.touchpoints.get(position=1)
    touchpoint.name_translations = {"fi": "Lainasivut", "sv": "  "}
    touchpoint.save()
    return touchpoint


def test_a_name_shows_in_the_language_asked_else_the_organisations_own(loan_pages):
    assert localized_name(loan_pages, "fi") == "Lainasivut"
    # Swedish is blank and English not given: the organisation's own name.
    assert localized_name(loan_pages, "sv") == "Loan pages"
    assert localized_name(loan_pages, "en") == "Loan pages"
    assert localized_name(None, "fi") == ""


@pytest.mark.parametrize(
    "given",
    [{"de": "Kreditseiten"}, {"fi": 3}, ["fi", "Lainasivut"], {"fi": "x" * 201}],
)
def test_names_in_unknown_languages_or_shapes_are_refused(loan_pages, given):
    loan_pages.name_translations = given
    with pytest.raises(ValidationError) as refused:
        loan_pages.full_clean()
    assert "name_translations" in refused.value.message_dict


def test_the_api_takes_and_gives_the_names_per_language(api, aurora):
    process = api.post(
        "/api/v1/processes/",
        {"name": "Lending", "name_translations": {"fi": "Lainoitus"}},
        format="json",
    )
    journey = api.post(
        "/api/v1/journeys/",
        {"name": "Mortgage", "name_translations": {"fi": "Asuntolaina", "sv": "Bolån"}},
        format="json",
    )
    touchpoint = api.post(
        "/api/v1/touchpoints/",
        {
            "journey": journey.json()["id"],
            "position": 1,
            "name": "Advisor chat",
            "name_translations": {"fi": "Neuvojan chat"},
            "channel": "chat",
        },
        format="json",
    )
    segment = api.post(
        "/api/v1/segments/",
        {
            "key": "valuable",
            "name": "Valuable",
            "name_translations": {"sv": "Värdefull"},
            "rule": {"all": [{"attribute": "tier", "operator": "eq", "value": "g"}]},
        },
        format="json",
    )
    assert [r.status_code for r in (process, journey, touchpoint, segment)] == [201] * 4
    read = api.get(f"/api/v1/journeys/{journey.json()['id']}/").json()
    assert read["name_translations"] == {"fi": "Asuntolaina", "sv": "Bolån"}
    assert read["touchpoints"][0]["name_translations"] == {"fi": "Neuvojan chat"}
    assert api.get(f"/api/v1/processes/{process.json()['id']}/").json()[
        "name_translations"
    ] == {"fi": "Lainoitus"}
    assert Segment.objects.get(
        organization=aurora, key="valuable"
    ).name_translations == {"sv": "Värdefull"}

    refused = api.patch(
        f"/api/v1/touchpoints/{touchpoint.json()['id']}/",
        {"name_translations": {"de": "Beraterchat"}},
        format="json",
    )
    assert refused.status_code == 400
    assert "Unknown language(s): de." in refused.json()["errors"]["name_translations"]
    assert Touchpoint.objects.get(pk=touchpoint.json()["id"]).name_translations == {
        "fi": "Neuvojan chat"
    }


def test_the_admin_edits_the_names_per_language(client, aino, aurora, mortgage):
    client.login(username="aino", password="pw-aino")
    url = reverse("admin:cx_process_change", args=[
        Process.objects.create(organization=aurora, name="Lending").pk
    ])  # fmt: skip
    form = {"organization": aurora.pk, "name": "Lending", "description": ""}

    saved = client.post(
        url, {**form, "name_translations": json.dumps({"fi": "Lainoitus"})}
    )
    refused = client.post(
        url, {**form, "name_translations": json.dumps({"xx": "Lending"})}
    )

    assert saved.status_code == 302
    assert refused.status_code == 200
    assert "Unknown language(s): xx." in refused.content.decode()
    assert Process.objects.get(name="Lending").name_translations == {"fi": "Lainoitus"}


def test_changing_a_name_bumps_the_configuration_version(aurora, loan_pages):
    def version() -> int:
        return Organization.objects.get(pk=aurora.pk).config_version

    before = version()
    Touchpoint.objects.filter(pk=loan_pages.pk).update(
        name_translations={"fi": "Lainan sivut"}
    )
    after_touchpoint = version()
    Journey.objects.filter(pk=loan_pages.journey_id).update(
        name_translations={"sv": "Bolån"}
    )
    assert before < after_touchpoint < version()


def test_staff_pages_show_the_name_in_the_readers_language(client, aino, loan_pages):
    client.login(username="aino", password="pw-aino")
    client.cookies["django_language"] = "fi"
    finnish = client.get(reverse("feedback:list")).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(reverse("feedback:list")).content.decode()

    assert ">Lainasivut</option>" in finnish
    assert ">Loan pages</option>" not in finnish
    assert ">Loan pages</option>" in english
    # No Finnish name for the chat: the organisation's own, in both.
    assert ">Advisor chat</option>" in finnish
