"""The configuration API keeps the admin's rules: ranges, one owner at least, no key
beyond what an owner may, nothing of another organisation."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from cx.models import Membership, Organization
from cx.roles import Scope
from cx.services.organizations import api_key_create
from insights.models import MetricTarget
from surveys.models import Survey


def _client(organization: Organization, scope: Scope) -> APIClient:
    client = APIClient()
    issued = api_key_create(organization=organization, scopes=[scope])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret_key}")
    return client


@pytest.fixture
def owner_api(aurora: Organization, aino: Any) -> APIClient:
    return _client(aurora, Scope.OWNER)


def test_a_target_outside_its_scale_is_a_field_error_and_saves_nothing(api, aurora):
    bad = api.put("/api/v1/targets/", {"nps": 40, "csat": 140}, format="json")
    good = api.put("/api/v1/targets/", {"nps": 40}, format="json")
    removed = api.put("/api/v1/targets/", {"nps": None}, format="json")

    assert bad.status_code == 400 and "csat" in bad.json()["errors"]
    assert good.json() == [{"metric": "nps", "journey": None, "value": 40.0}]
    assert removed.json() == []
    assert not MetricTarget.objects.filter(organization=aurora).exists()


def test_policies_read_and_change_with_their_ranges(api, outsider_api):
    assert api.get("/api/v1/contact-policy/").json() == {
        "min_days_between_invitations": 14
    }
    negative = api.put(
        "/api/v1/contact-policy/", {"min_days_between_invitations": -1}, format="json"
    )
    zero_sla = api.patch("/api/v1/followup-policy/", {"sla_hours": 0}, format="json")
    changed = api.patch(
        "/api/v1/followup-policy/", {"nps_at_most": 4}, format="json"
    ).json()

    assert negative.status_code == 400 and zero_sla.status_code == 400
    assert changed["nps_at_most"] == 4 and changed["sla_hours"] == 48
    assert outsider_api.get("/api/v1/followup-policy/").json()["nps_at_most"] == 6


def test_a_recovery_survey_of_another_organisation_is_refused(api, outsider_api):
    theirs = outsider_api.post(
        "/api/v1/surveys/",
        {"name": "Theirs", "languages": ["en"]},
        format="json",
    ).json()

    refused = api.patch(
        "/api/v1/followup-policy/", {"recovery_survey": theirs["id"]}, format="json"
    )

    assert refused.status_code == 400 and "recovery_survey" in refused.json()["errors"]


def test_a_public_link_opens_once_closes_and_stays_in_its_organisation(
    api, outsider_api, aurora, client
):
    survey = Survey.objects.create(
        organization=aurora, name="Web", status="active", languages=["en"]
    )
    opened = api.post("/api/v1/public-links/", {"survey": survey.pk}, format="json")
    again = api.post("/api/v1/public-links/", {"survey": survey.pk}, format="json")
    theirs = outsider_api.post(
        "/api/v1/public-links/", {"survey": survey.pk}, format="json"
    )
    path = "/p/" + opened.json()["url"].split("/p/")[1]

    assert (opened.status_code, again.status_code) == (201, 200)
    assert again.json()["url"] == opened.json()["url"]
    assert theirs.status_code == 400
    assert client.get(path).status_code == 200
    assert [
        row["id"] for row in api.get("/api/v1/public-links/").json()["results"]
    ] == [survey.pk]
    assert outsider_api.delete(f"/api/v1/public-links/{survey.pk}/").status_code == 404
    assert api.delete(f"/api/v1/public-links/{survey.pk}/").status_code == 204
    assert client.get(path).status_code == 404


def test_memberships_need_the_owner_scope(api, aurora, aino):
    listed = api.get("/api/v1/memberships/")
    added = api.post(
        "/api/v1/memberships/", {"email": "new@aurora.example", "role": "owner"},
        format="json",
    )  # fmt: skip

    assert (listed.status_code, added.status_code) == (403, 403)
    assert "'owner'" in added.json()["detail"]
    assert Membership.objects.filter(organization=aurora).count() == 1


def test_an_owner_key_adds_changes_and_removes_but_keeps_one_owner(
    owner_api, aurora, aino
):
    added = owner_api.post(
        "/api/v1/memberships/",
        {"email": "Ella@Aurora.example", "role": "analyst"},
        format="json",
    )
    twice = owner_api.post(
        "/api/v1/memberships/",
        {"email": "ella@aurora.example", "role": "analyst"},
        format="json",
    )
    mine = Membership.objects.get(user=aino)
    demoted = owner_api.patch(
        f"/api/v1/memberships/{mine.pk}/", {"role": "analyst"}, format="json"
    )
    removed_last = owner_api.delete(f"/api/v1/memberships/{mine.pk}/")
    promoted = owner_api.patch(
        f"/api/v1/memberships/{added.json()['id']}/", {"role": "owner"}, format="json"
    )
    now_allowed = owner_api.patch(
        f"/api/v1/memberships/{mine.pk}/", {"role": "analyst"}, format="json"
    )

    assert added.status_code == 201 and added.json()["role"] == "analyst"
    assert twice.status_code == 400
    assert demoted.status_code == 400 and removed_last.status_code == 400
    assert "at least one owner" in str(demoted.json()["errors"])
    assert promoted.json()["role"] == "owner"
    assert now_allowed.json()["role"] == "analyst"


def test_an_owner_key_cannot_take_in_another_organisations_staff(
    owner_api, aurora, olli, django_user_model
):
    django_user_model.objects.create_superuser("root", "root@example.com", "pw")

    colleague = owner_api.post(
        "/api/v1/memberships/", {"email": olli.email, "role": "owner"}, format="json"
    )
    superuser = owner_api.post(
        "/api/v1/memberships/", {"email": "root@example.com", "role": "owner"},
        format="json",
    )  # fmt: skip
    bad_role = owner_api.post(
        "/api/v1/memberships/", {"email": "x@aurora.example", "role": "admin"},
        format="json",
    )  # fmt: skip

    assert colleague.status_code == 400 and "email" in colleague.json()["errors"]
    assert superuser.status_code == 400 and bad_role.status_code == 400
    assert not Membership.objects.filter(organization=aurora, user=olli).exists()
    assert Membership.objects.filter(organization=aurora).count() == 1


def test_owners_by_email_must_be_members(api, aurora, aino, olli):
    by_email = api.post(
        "/api/v1/journeys/", {"name": "Loans", "owner": "AINO@aurora.example"},
        format="json",
    )  # fmt: skip
    stranger = api.post(
        "/api/v1/journeys/", {"name": "Cards", "owner": olli.email}, format="json"
    )
    by_id = api.patch(
        f"/api/v1/journeys/{by_email.json()['id']}/", {"owner": aino.pk},
        format="json",
    )  # fmt: skip

    assert by_email.status_code == 201, by_email.json()
    assert by_email.json()["owner"] == aino.pk
    assert by_email.json()["owner_email"] == "aino@aurora.example"
    assert stranger.status_code == 400 and "owner" in stranger.json()["errors"]
    assert by_id.json()["owner"] == aino.pk
