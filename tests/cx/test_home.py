"""The site's root takes staff to the dashboard; the admin's "View site" goes there too."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_root_sends_a_logged_out_visitor_to_the_one_login_page_then_the_dashboard(
    client, aino
):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/dashboard/"
    login = client.post(
        response["Location"],
        {"username": "aino", "password": "pw-aino", "next": "/dashboard/"},
    )
    assert login.status_code == 302
    assert login["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_root_sends_logged_in_staff_to_the_dashboard(client, aino):
    client.force_login(aino)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_admin_view_site_opens_the_dashboard(client, aino):
    client.force_login(aino)

    page = client.get("/admin/").content.decode()

    assert '<a href="/dashboard/">' in page


@pytest.mark.django_db
def test_public_pages_beside_the_root_still_answer(client):
    assert client.get("/s/not-a-token/").status_code == 404
    assert client.get("/healthz").status_code == 200
