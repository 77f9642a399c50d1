"""Configuration changed through the API is in the audit log, with the key as actor;
a refused change leaves no entry."""

from __future__ import annotations

from typing import Any

import pytest

from cx.audit.models import AuditEntry
from surveys.models import Survey


def _entries(subject: str) -> list[tuple[Any, ...]]:
    return [
        (entry.channel, entry.action, entry.api_key_id, entry.subject_id, entry.detail)
        for entry in AuditEntry.objects.filter(subject=subject).order_by("pk")
    ]


@pytest.fixture
def web(aurora) -> Survey:
    return Survey.objects.create(
        organization=aurora, name="Web", status="active", languages=["en"]
    )


def test_metric_targets_set_through_the_api_are_audited(api, aurora):
    journey = api.post("/api/v1/journeys/", {"name": "Mortgage"}, format="json").json()[
        "id"
    ]
    refused = api.put("/api/v1/targets/", {"nps": 400}, format="json")
    api.put("/api/v1/targets/", {"nps": 40, "csat": None}, format="json")
    api.put("/api/v1/targets/", {"journey": journey, "nps": 50}, format="json")

    key = api.api_key.pk
    assert refused.status_code == 400
    every_journey = {"journey": None, "targets": {"nps": 40, "csat": None}}
    one_journey = {"journey": journey, "targets": {"nps": 50}}
    assert _entries("targets") == [
        ("api", "changed", key, None, every_journey),
        ("api", "changed", key, None, one_journey),
    ]
    assert AuditEntry.objects.get(subject="targets", detail__journey=None).actor == (
        str(api.api_key)
    )


def test_the_contact_policy_set_through_the_api_is_audited(api):
    api.put(
        "/api/v1/contact-policy/", {"min_days_between_invitations": 400}, format="json"
    )
    api.put(
        "/api/v1/contact-policy/", {"min_days_between_invitations": 0}, format="json"
    )

    [(channel, action, key, policy_id, detail)] = _entries("contact_policy")
    assert (channel, action, key) == ("api", "changed", api.api_key.pk)
    assert policy_id is not None
    assert detail == {"min_days_between_invitations": 0}


def test_the_followup_policy_changed_through_the_api_is_audited(api, web):
    api.patch("/api/v1/followup-policy/", {"sla_hours": 0}, format="json")
    api.patch(
        "/api/v1/followup-policy/",
        {"nps_at_most": 4, "recovery_survey": web.pk},
        format="json",
    )
    api.put("/api/v1/followup-policy/", {"keywords": ["cancel"]}, format="json")

    details = [detail for *_, detail in _entries("followup_policy")]
    assert details == [
        {"nps_at_most": 4, "recovery_survey": web.pk},
        {"keywords": ["cancel"]},
    ]
    assert {action for _, action, *_ in _entries("followup_policy")} == {"changed"}


def test_public_links_opened_and_closed_through_the_api_are_audited(
    api, outsider_api, web
):
    api.post("/api/v1/public-links/", {"survey": web.pk}, format="json")
    api.post("/api/v1/public-links/", {"survey": web.pk}, format="json")  # open already
    outsider_api.delete(f"/api/v1/public-links/{web.pk}/")  # 404: not theirs
    api.delete(f"/api/v1/public-links/{web.pk}/")

    key = api.api_key.pk
    assert _entries("public_link") == [
        ("api", "created", key, web.pk, {}),
        ("api", "removed", key, web.pk, {}),
    ]
