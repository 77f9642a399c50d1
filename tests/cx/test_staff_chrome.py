"""The staff header, the navigation by role, and the styled 403, 404 and 500 pages."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.utils import translation

from cx.errors import server_error
from cx.models import Organization, Role
from cx.services.organizations import member_add, staff_user_create

# What each role finds in the navigation (the admin link is asked of the admin site).
PAGES_BY_ROLE = {
    Role.OWNER: [
        "/dashboard/",
        "/feedback/",
        "/followups/",
        "/predictions/",
        "/maturity/",
        "/api/docs/",
    ],
    Role.CX_MANAGER: [
        "/dashboard/",
        "/feedback/",
        "/followups/",
        "/predictions/",
        "/maturity/",
        "/api/docs/",
    ],
    Role.ANALYST: [
        "/dashboard/",
        "/feedback/",
        "/followups/",
        "/predictions/",
        "/maturity/",
    ],
    Role.EXECUTIVE: ["/dashboard/", "/maturity/"],
}


def _nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="staff-nav".*?</nav>', html, re.S)
    assert nav, "no staff navigation"
    return re.findall(r'href="([^"?]+)', nav.group(0))


def _member(organization: Organization, role: Role, username: str | None = None):  # type: ignore[no-untyped-def]
    user = staff_user_create(
        username=username or f"{role.value}-user",
        email=f"{role.value}@aurora.example",
        password="pw",
    )
    member_add(organization=organization, user=user, role=role)
    return user


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", list(Role))
def test_the_navigation_shows_exactly_what_the_role_may_open(aurora, role):
    user = _member(aurora, role)
    request = RequestFactory().get("/dashboard/")
    request.user = user
    admin_shows_something = bool(admin.site.get_app_list(request))

    response = _client(user).get("/dashboard/")

    assert response.status_code == 200
    expected = PAGES_BY_ROLE[role] + (["/admin/"] if admin_shows_something else [])
    assert sorted(_nav_links(response.text)) == sorted(expected)


def test_a_member_the_admin_shows_nothing_gets_no_admin_link(aurora):
    user = _member(aurora, Role.OWNER)
    user.is_staff = False
    user.save(update_fields=["is_staff"])

    response = _client(user).get("/dashboard/")

    assert "/admin/" not in _nav_links(response.text)
    assert "/dashboard/" in _nav_links(response.text)


def test_the_header_names_the_user_the_organisation_and_the_role(aurora):
    user = _member(aurora, Role.ANALYST)
    user.first_name, user.last_name = "Anna", "Analyytikko"
    user.save()

    html = _client(user).get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").text

    header = re.search(r"<header.*?</header>", html, re.S).group(0)
    assert "Anna Analyytikko" in header
    assert "Aurora Bank" in header
    assert ">Analyst<" in header
    assert 'action="/admin/logout/"' in header
    assert 'aria-current="page"' in header
    assert 'name="org"' not in header  # one organisation: no switcher


def test_a_member_of_two_organisations_switches_with_org(aurora, other_org):
    user = _member(aurora, Role.ANALYST)
    member_add(organization=other_org, user=user, role=Role.EXECUTIVE)
    client = _client(user)

    first = client.get("/dashboard/").text
    other = client.get("/dashboard/?org=other").text

    assert '<option value="other"' in first
    assert "/feedback/" in _nav_links(first)
    # Other Oy is the executive's: no feedback, links keep the organisation.
    assert "/feedback/" not in _nav_links(other)
    assert 'href="/maturity/?org=other"' in other
    assert ">Executive<" in other


def test_logout_posts_and_then_the_dashboard_asks_to_log_in(aurora):
    client = _client(_member(aurora, Role.OWNER))
    html = client.get("/dashboard/").text
    form = re.search(
        r'<form class="logout" method="post" action="([^"]+)">(.*?)</form>', html, re.S
    )
    next_url = re.search(r'name="next" value="([^"]+)"', form.group(2)).group(1)

    assert client.get(form.group(1)).status_code == 405  # not by a link or a prefetch
    response = client.post(form.group(1), {"next": next_url.replace("&amp;", "&")})

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    again = client.get("/dashboard/")
    assert again.status_code == 302
    assert again.url == "/admin/login/?next=/dashboard/"


@pytest.mark.urls("tests.cx.chrome_urls")
def test_the_403_page_says_who_may_open_it_in_the_users_language(aurora):
    client = _client(_member(aurora, Role.EXECUTIVE))
    client.cookies["django_language"] = "fi"

    response = client.get("/feedback/")

    assert response.status_code == 403
    html = response.text
    assert '<link rel="stylesheet" href="/static/staff/staff.css">' in html
    assert '<html lang="fi">' in html
    assert sorted(_nav_links(html)) == sorted(
        PAGES_BY_ROLE[Role.EXECUTIVE]
        + (["/admin/"] if 'href="/admin/"' in html else [])
    )
    assert (
        "Tämän sivun voivat avata omistajat, asiakaskokemuspäälliköt ja analyytikot: "
        "sillä he voivat lukea palautetta, asiakkaita ja jatkotoimenpiteitä."
    ) in html
    assert 'href="/dashboard/">Takaisin koontinäyttöön' in html


@pytest.mark.urls("tests.cx.chrome_urls")
def test_the_403_page_in_english_names_the_roles(aurora):
    client = _client(_member(aurora, Role.EXECUTIVE))

    html = client.get("/feedback/", HTTP_ACCEPT_LANGUAGE="en").text

    assert (
        "This page is for owners, CX managers and analysts: "
        "it lets them read feedback, customers and follow-up cases."
    ) in html
    assert "You are signed in as Executive." in html


def test_a_plain_permission_denied_gets_the_styled_page_without_the_sentence(aurora):
    # The admin refuses with Django's own PermissionDenied: still the styled page.
    client = _client(_member(aurora, Role.ANALYST))
    client.cookies["django_language"] = "sv"

    response = client.get("/admin/auth/group/add/")

    assert response.status_code == 403
    assert "staff-nav" in response.text
    assert "Den här sidan är inte öppen för din roll" in response.text
    assert "Den här sidan är för" not in response.text


def test_a_staff_404_is_styled_with_the_navigation(aurora):
    client = _client(_member(aurora, Role.ANALYST))

    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="sv")

    assert response.status_code == 404
    assert "Vi hittade inte den här sidan" in response.text
    assert "/feedback/" in _nav_links(response.text)


@pytest.mark.django_db
def test_an_anonymous_404_shows_no_staff_navigation():
    response = Client().get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fi")

    assert response.status_code == 404
    assert "Emme löytäneet tätä sivua" in response.text
    assert "staff-nav" not in response.text
    assert "/dashboard/" not in response.text
    assert "/static/surveys/answer.css" in response.text


@pytest.mark.django_db
def test_a_wrong_survey_link_keeps_its_own_friendly_page():
    response = Client().get("/s/not-a-token/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert "We could not find this link" in response.text
    assert "staff-nav" not in response.text


def test_the_500_page_renders_without_the_database():
    # No django_db mark: any query here fails the test.
    request = RequestFactory().get("/dashboard/")

    with translation.override("en"):
        response = server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'href="/dashboard/"' in html


def test_a_customers_500_offers_no_way_into_the_staff_pages():
    response = server_error(RequestFactory().get("/s/some-token/"))

    assert response.status_code == 500
    assert "/dashboard/" not in response.content.decode()


@pytest.mark.urls("tests.cx.chrome_urls")
def test_a_crash_answers_the_styled_500_in_the_users_language(db):
    client = Client(raise_request_exception=False)

    response = client.get("/test/breaks/", HTTP_ACCEPT_LANGUAGE="fi")

    assert response.status_code == 500
    assert "Jokin meni vikaan meidän päässämme" in response.content.decode()
