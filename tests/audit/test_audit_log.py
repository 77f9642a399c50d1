"""Every view, export and erasure of personal data leaves one audit entry: who, what, when.

The entries name subjects by id only, so the log survives an erasure holding nothing of
the customer; nobody edits or deletes them, and each organisation sees only its own.
"""

from __future__ import annotations

import pytest

from cx.audit.models import AuditEntry
from followups.models import FollowUp

pytestmark = pytest.mark.django_db

EMAIL = (
    "customer-1@example.com"  # tests.surveys.conftest.chat_event's address for n = 1
)


@pytest.fixture
def case(answered) -> FollowUp:
    answered(1, csat="2", resolved="1")
    return FollowUp.objects.select_related("response", "customer").get()


def _entries() -> list[tuple[str, str, str, str, int | None]]:
    return list(
        AuditEntry.objects.order_by("pk").values_list(
            "actor", "channel", "action", "subject", "subject_id"
        )
    )


def test_staff_pages_record_the_response_and_case_a_user_opened(client, aino, case):
    client.force_login(aino)
    assert _entries() == []

    assert client.get(f"/feedback/{case.response_id}/").status_code == 200
    assert client.get(f"/followups/{case.pk}/").status_code == 200
    client.get("/feedback/")  # a list of scores and snippets: not a case opened

    assert _entries() == [
        ("aino", "staff", "viewed", "response", case.response_id),
        ("aino", "staff", "viewed", "followup", case.pk),
    ]
    entry = AuditEntry.objects.first()
    assert entry.user == aino and entry.organization == case.organization
    assert entry.at is not None


def test_pages_of_another_organisation_record_nothing(client, olli, case):
    client.force_login(olli)

    assert client.get(f"/feedback/{case.response_id}/").status_code == 404
    assert client.get(f"/followups/{case.pk}/").status_code == 404
    assert AuditEntry.objects.count() == 0


def test_exports_record_format_and_filters_through_pages_and_api(
    client, aino, api, case
):
    client.force_login(aino)

    assert client.get("/dashboard/export.csv", {"score_max": "6"}).status_code == 200
    assert api.get("/api/v1/responses/export.xlsx").status_code == 200
    bad = client.get("/dashboard/export.csv", {"since": "yesterday"})

    assert bad.status_code == 400  # nothing was exported, nothing is recorded
    staff, by_key = AuditEntry.objects.order_by("pk")
    assert (staff.actor, staff.channel, staff.action, staff.subject) == (
        "aino", "staff", "exported", "responses",
    )  # fmt: skip
    assert staff.detail == {"format": "csv", "filters": {"score_max": "6"}}
    assert by_key.api_key == api.api_key and by_key.user is None
    assert by_key.channel == "api" and by_key.detail["format"] == "xlsx"
    assert str(by_key.api_key) == by_key.actor


def test_api_reads_record_the_ids_shown(api, outsider_api, case):
    assert api.get(f"/api/v1/responses/{case.response_id}/").status_code == 200
    assert api.get("/api/v1/responses/").status_code == 200
    assert api.get("/api/v1/customers/c-1/").status_code == 200
    assert outsider_api.get(f"/api/v1/responses/{case.response_id}/").status_code == 404
    assert outsider_api.get("/api/v1/responses/").json()["results"] == []

    rows = list(
        AuditEntry.objects.order_by("pk").values_list(
            "subject", "subject_id", "detail", "organization"
        )
    )
    assert rows == [
        ("response", case.response_id, {}, case.organization_id),
        ("responses", None, {"ids": [case.response_id]}, case.organization_id),
        ("customer", case.customer_id, {}, case.organization_id),
    ]


def test_erasure_through_the_api_is_recorded_without_the_personal_data(api, case):
    assert api.delete("/api/v1/customers/c-1/").status_code == 204

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.subject, entry.subject_id) == (
        "erased", "customer", case.customer_id,
    )  # fmt: skip
    assert EMAIL not in str(entry) + str(entry.detail) + entry.actor
    assert "c-1" not in str(entry.detail)


def test_the_admin_records_views_lists_and_erasures(client, aino, case):
    client.force_login(aino)
    customer_url = f"/admin/cx/customer/{case.customer_id}/change/"

    assert client.get(customer_url).status_code == 200
    assert (
        client.get(f"/admin/surveys/response/{case.response_id}/change/").status_code
        == 200
    )
    assert client.get("/admin/followups/followup/").status_code == 200
    erased = client.post(
        "/admin/cx/customer/",
        {"action": "erase", "_selected_action": [case.customer_id]},
    )

    assert erased.status_code == 302
    assert _entries()[:3] == [
        ("aino", "admin", "viewed", "customer", case.customer_id),
        ("aino", "admin", "viewed", "response", case.response_id),
        ("aino", "admin", "viewed", "followups", None),
    ]
    assert AuditEntry.objects.get(subject="followups").detail == {"ids": [case.pk]}
    assert ("aino", "admin", "erased", "customer", case.customer_id) in _entries()


def test_the_log_is_read_only_and_each_organisation_sees_its_own(
    client, aino, olli, case
):
    client.force_login(aino)
    client.get(f"/feedback/{case.response_id}/")
    entry = AuditEntry.objects.get()
    url = f"/admin/audit/auditentry/{entry.pk}/"

    listing = client.get("/admin/audit/auditentry/")
    assert listing.status_code == 200 and "aino" in listing.content.decode()
    assert client.post(url + "change/", {"actor": "someone else"}).status_code == 403
    assert client.post(url + "delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert AuditEntry.objects.get().actor == "aino"

    client.force_login(olli)
    assert client.get(url + "change/").status_code in (302, 404)
    assert "aino" not in client.get("/admin/audit/auditentry/").content.decode()
