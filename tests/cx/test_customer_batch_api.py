"""Customers upserted in batches: many per request, each item answered."""

from __future__ import annotations

from rest_framework.test import APIClient

from cx.api.serializers import CUSTOMER_BATCH_MAX
from cx.models import Customer
from cx.roles import Scope
from cx.services.organizations import api_key_create

URL = "/api/v1/customers/batch/"


def test_a_batch_creates_and_updates_customers_by_external_id(api, aurora):
    Customer.objects.create(
        organization=aurora, external_id="c-1", name="Old", attributes={"tier": "a"}
    )

    response = api.post(
        URL,
        {
            "customers": [
                {"external_id": "c-1", "name": "Maija", "attributes": {"x": 1}},
                {"external_id": "c-2", "email": "c2@example.com", "opted_out": True},
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"]) == (1, 1)
    assert [(r["index"], r["status"]) for r in body["results"]] == [(0, 200), (1, 201)]
    assert body["results"][1]["customer"]["opted_out"] is True
    updated = Customer.objects.get(external_id="c-1")
    assert (updated.name, updated.attributes) == ("Maija", {"tier": "a", "x": 1})
    assert Customer.objects.get(external_id="c-2").opted_out is True


def test_an_invalid_item_refuses_the_batch_with_its_position_and_stores_nothing(api):
    response = api.post(
        URL,
        {
            "customers": [
                {"external_id": "c-1"},
                {"external_id": "c-2", "email": "not an address"},
            ]
        },
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["errors"]["customers"]
    assert errors[0] == {} and "email" in errors[1]
    assert not Customer.objects.exists()


def test_a_batch_over_the_limit_is_refused(api):
    items = [{"external_id": f"c-{n}"} for n in range(CUSTOMER_BATCH_MAX + 1)]

    response = api.post(URL, {"customers": items}, format="json")

    assert response.status_code == 400
    assert "customers" in response.json()["errors"]
    assert not Customer.objects.exists()


def test_a_batch_touches_only_the_callers_organisation(api, outsider_api, aurora):
    Customer.objects.create(organization=aurora, external_id="c-1", name="Ours")

    response = outsider_api.post(
        URL, {"customers": [{"external_id": "c-1", "name": "Theirs"}]}, format="json"
    )

    assert response.json()["results"][0]["status"] == 201
    assert Customer.objects.get(organization=aurora).name == "Ours"


def test_a_read_only_key_may_not_upsert(aurora):
    client = APIClient()
    issued = api_key_create(organization=aurora, scopes=[Scope.READ])
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.secret_key}")

    response = client.post(URL, {"customers": [{"external_id": "c-1"}]}, format="json")

    assert response.status_code == 403
    assert not Customer.objects.exists()


def test_a_yes_no_filter_takes_only_true_or_false(api, aurora):
    Customer.objects.create(organization=aurora, external_id="c-1", opted_out=True)

    listed = api.get("/api/v1/customers/", {"opted_out": "true"})
    refused = api.get("/api/v1/customers/", {"opted_out": "0"})

    assert [row["external_id"] for row in listed.json()["results"]] == ["c-1"]
    assert refused.status_code == 400
    assert refused.json()["errors"]["opted_out"] == ["Use true or false."]


def test_the_follow_up_queue_refuses_a_yes_no_filter_given_a_number(api):
    refused = api.get("/api/v1/followups/", {"overdue": "1"})

    assert refused.status_code == 400
    assert "overdue" in refused.json()["errors"]
