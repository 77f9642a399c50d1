"""The CX model API: customers, segments, processes, journeys, touchpoints — per tenant."""

from __future__ import annotations

import re

from cx.models import Customer, Touchpoint


def test_customer_post_upserts_by_external_id(api):
    first = api.post(
        "/api/v1/customers/",
        {"external_id": "c-1", "name": "Maija", "attributes": {"tier": "gold"}},
        format="json",
    )
    again = api.post(
        "/api/v1/customers/",
        {"external_id": "c-1", "attributes": {"kids": 2}, "opted_out": True},
        format="json",
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["attributes"] == {"tier": "gold", "kids": 2}
    assert again.json()["name"] == "Maija"
    assert again.json()["opted_out"] is True
    detail = api.get("/api/v1/customers/c-1/")
    assert detail.status_code == 200 and detail.json()["name"] == "Maija"


def test_customer_delete_erases_personal_data_but_keeps_the_row(api):
    api.post(
        "/api/v1/customers/",
        {"external_id": "c-9", "name": "Ville", "email": "ville@example.com"},
        format="json",
    )

    assert api.delete("/api/v1/customers/c-9/").status_code == 204

    customer = Customer.objects.get()
    assert (customer.name, customer.email, customer.attributes) == ("", "", {})
    assert customer.external_id.startswith("erased-") and customer.opted_out
    assert api.get("/api/v1/customers/c-9/").status_code == 404


def test_customer_with_a_bad_language_is_a_400(api):
    response = api.post(
        "/api/v1/customers/", {"external_id": "c", "language": "de"}, format="json"
    )

    assert response.status_code == 400
    assert "language" in response.json()["errors"]


def test_segment_rule_is_validated_and_counted(api):
    for n, value in enumerate([150000, 5000, 300000]):
        api.post(
            "/api/v1/customers/",
            {"external_id": f"c{n}", "attributes": {"customer_value": value}},
            format="json",
        )
    rule = {
        "all": [{"attribute": "customer_value", "operator": "gte", "value": 100000}]
    }

    created = api.post(
        "/api/v1/segments/",
        {"key": "valuable", "name": "Valuable", "rule": rule},
        format="json",
    )
    bad = api.post(
        "/api/v1/segments/",
        {
            "key": "odd",
            "name": "Odd",
            "rule": {"attribute": "x", "operator": "like", "value": 1},
        },
        format="json",
    )
    duplicate = api.post(
        "/api/v1/segments/",
        {"key": "valuable", "name": "Again", "rule": rule},
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["customer_count"] == 2
    assert bad.status_code == 400 and "rule" in bad.json()["errors"]
    assert duplicate.status_code in (400, 409)


def test_journey_with_touchpoints_and_event_types(api):
    process = api.post("/api/v1/processes/", {"name": "Lending"}, format="json").json()
    journey = api.post("/api/v1/journeys/", {"name": "Mortgage"}, format="json").json()

    chat = api.post(
        "/api/v1/touchpoints/",
        {
            "journey": journey["id"],
            "position": 1,
            "name": "Advisor chat",
            "channel": "chat",
            "process": process["id"],
            "event_types": ["chat.ended", "chat.transferred"],
        },
        format="json",
    )
    clash = api.post(
        "/api/v1/touchpoints/",
        {
            "journey": journey["id"],
            "position": 2,
            "name": "Other",
            "event_types": ["chat.ended"],
        },
        format="json",
    )
    same_position = api.post(
        "/api/v1/touchpoints/",
        {"journey": journey["id"], "position": 1, "name": "Twin"},
        format="json",
    )

    assert chat.status_code == 201, chat.json()
    assert chat.json()["event_types"] == ["chat.ended", "chat.transferred"]
    assert clash.status_code == 400
    assert "already identifies touchpoint 'Advisor chat'" in str(clash.json())
    assert same_position.status_code in (400, 409)
    listed = api.get(f"/api/v1/journeys/{journey['id']}/").json()
    assert [t["name"] for t in listed["touchpoints"]] == ["Advisor chat"]

    renamed = api.patch(
        f"/api/v1/touchpoints/{chat.json()['id']}/",
        {"event_types": ["chat.ended"]},
        format="json",
    )
    assert renamed.json()["event_types"] == ["chat.ended"]


def test_another_organisations_objects_are_404_and_unlisted(
    api, outsider_api, mortgage
):
    api.post("/api/v1/customers/", {"external_id": "c-1"}, format="json")
    touchpoint = Touchpoint.objects.filter(journey=mortgage).first()

    assert outsider_api.get("/api/v1/customers/c-1/").status_code == 404
    assert outsider_api.get(f"/api/v1/journeys/{mortgage.pk}/").status_code == 404
    assert outsider_api.get(f"/api/v1/touchpoints/{touchpoint.pk}/").status_code == 404
    assert outsider_api.delete(f"/api/v1/journeys/{mortgage.pk}/").status_code == 404
    assert outsider_api.get("/api/v1/customers/").json()["results"] == []
    assert outsider_api.get("/api/v1/journeys/").json()["results"] == []
    hijack = outsider_api.post(
        "/api/v1/touchpoints/",
        {"journey": mortgage.pk, "position": 9, "name": "Mine now"},
        format="json",
    )
    assert hijack.status_code == 400 and "journey" in hijack.json()["errors"]


def test_no_key_is_401_everywhere(client):
    for path in ("/api/v1/customers/", "/api/v1/segments/", "/api/v1/journeys/"):
        assert client.get(path).status_code == 401


def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/events/batch/" in schema.content
    assert docs.status_code == 200
    external = re.findall(rb"(?:src|href)=[\"'](https?://[^\"']+)", docs.content)
    assert external == []
