"""The predictions API: definitions, training on request, risks and effects, by scope."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from cx.roles import Scope
from cx.services.api_keys import api_key_create
from predictions.models import ModelVersion, PredictionDefinition

pytestmark = pytest.mark.django_db

ABANDON = {
    "key": "abandon",
    "name": "Abandons the application",
    "kind": "event",
    "event_type": "mortgage.application_abandoned",
    "horizon_days": 30,
}


def reader(organization) -> APIClient:
    client = APIClient()
    issued = api_key_create(organization=organization, scopes=[Scope.READ])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret_key}")
    return client


def test_a_definition_is_made_and_trained_on_request(
    api, aurora, django_capture_on_commit_callbacks
):
    made = api.post("/api/v1/predictions/definitions/", ABANDON, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["attribute"] == "risk_abandon"

    with django_capture_on_commit_callbacks(execute=True):
        queued = api.post(f"/api/v1/predictions/definitions/{made.json()['id']}/train/")
    assert queued.status_code == 202

    version = api.get(f"/api/v1/predictions/versions/{queued.json()['id']}/").json()
    # No history at all: the gate refuses and says why.
    assert version["state"] == "refused"
    assert "history" in version["refused_because"][0]


def test_a_definition_without_what_it_predicts_is_a_400(api):
    answer = api.post(
        "/api/v1/predictions/definitions/",
        {**ABANDON, "kind": "detractor", "event_type": ""},
        format="json",
    )
    assert answer.status_code == 400
    assert "touchpoint" in str(answer.json())


def test_a_read_key_reads_but_neither_defines_nor_trains(aurora):
    definition = PredictionDefinition.objects.create(organization=aurora, **ABANDON)
    client = reader(aurora)

    assert client.get("/api/v1/predictions/definitions/").status_code == 200
    assert client.get("/api/v1/predictions/risks/?at_risk=true").status_code == 200
    assert client.get("/api/v1/predictions/effects/").json() == []
    assert (
        client.post(
            f"/api/v1/predictions/definitions/{definition.pk}/train/"
        ).status_code
        == 403
    )
    assert not ModelVersion.objects.exists()


def test_another_organisation_sees_none_of_it(aurora, outsider_api):
    definition = PredictionDefinition.objects.create(organization=aurora, **ABANDON)

    assert (
        outsider_api.get(
            f"/api/v1/predictions/definitions/{definition.pk}/"
        ).status_code
        == 404
    )
    assert outsider_api.get("/api/v1/predictions/definitions/").json()["results"] == []
    assert (
        outsider_api.get("/api/v1/predictions/risks/?definition=x").status_code == 400
    )


@pytest.mark.parametrize("value", [str(2**63), "9.3e18", "²", "0"])
def test_a_definition_no_database_id_can_be_is_a_400_not_a_500(api, value):
    refused = api.get("/api/v1/predictions/risks/", {"definition": value})

    assert refused.status_code == 400
    assert "definition" in refused.json()["errors"]


def test_a_customers_risks_are_one_object(api, aurora):
    from cx.models import Customer

    Customer.objects.create(organization=aurora, external_id="c-9")
    answer = api.get("/api/v1/predictions/customers/c-9/")
    assert answer.status_code == 200
    assert answer.json() == {"customer": "c-9", "risks": []}
    assert api.get("/api/v1/predictions/customers/nobody/").status_code == 404
