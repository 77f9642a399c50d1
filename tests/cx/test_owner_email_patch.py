"""A journey's answer names its owner's email (null without one) after every write, PATCH too."""

import pytest

pytestmark = pytest.mark.django_db


def test_patch_answer_keeps_owner_email(api):
    made = api.post("/api/v1/journeys/", {"name": "J"}, format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["owner_email"] is None
    patched = api.patch(
        f"/api/v1/journeys/{made.json()['id']}/", {"name": "K"}, format="json"
    )
    assert patched.status_code == 200, patched.json()
    assert "owner_email" in patched.json() and patched.json()["owner_email"] is None
