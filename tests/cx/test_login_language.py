"""Logging in brings back the language the member chose in the header."""

from __future__ import annotations

from django.test import Client

from cx.models import Membership, Role
from cx.services.organizations import member_add, staff_user_create


def _login(username: str) -> Client:
    """A fresh browser (no language cookie) logging in through the login page."""
    browser = Client()
    response = browser.post(
        "/admin/login/?next=/dashboard/",
        {"username": username, "password": "pw", "next": "/dashboard/"},
    )
    assert response.status_code == 302, "login refused"
    return browser


def test_the_language_chosen_on_one_browser_follows_the_member_to_the_next(aurora):
    user = staff_user_create(
        username="aino", email="aino@aurora.example", password="pw"
    )
    member_add(organization=aurora, user=user, role=Role.CX_MANAGER)
    first = _login("aino")
    first.post("/i18n/setlang/", {"language": "sv", "next": "/dashboard/"})
    assert Membership.objects.get(user=user).language == "sv"

    second = _login("aino")
    page = second.get("/dashboard/")

    assert second.cookies["django_language"].value == "sv"
    assert '<html lang="sv"' in page.content.decode()


def test_a_member_who_never_chose_keeps_the_browsers_language(aurora):
    user = staff_user_create(
        username="ilkka", email="ilkka@aurora.example", password="pw"
    )
    member_add(organization=aurora, user=user, role=Role.ANALYST)
    browser = Client(HTTP_ACCEPT_LANGUAGE="fi")

    browser.post(
        "/admin/login/?next=/dashboard/",
        {"username": "ilkka", "password": "pw", "next": "/dashboard/"},
    )
    page = browser.get("/dashboard/")

    assert "django_language" not in browser.cookies
    assert '<html lang="fi"' in page.content.decode()
