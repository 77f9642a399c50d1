"""The Maturity page: every staff role reads it; those who may assess (owners, CX
managers, executives) ask for assessments and download reports; analysts do not."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from cx.models import Role
from cx.services.organizations import member_add
from maturity.models import Assessment


@pytest.fixture
def done_assessment(
    aurora, api, mortgage, django_capture_on_commit_callbacks
) -> Assessment:
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/maturity/assessments/", {}, format="json")
    return Assessment.objects.get()


def login_as(client, organization, role: str, username: str):
    user = get_user_model().objects.create_user(username, password="pw")
    member_add(organization=organization, user=user, role=role)
    client.login(username=username, password="pw")


def test_an_executive_sees_the_list_and_downloads_the_report(
    client, aurora, done_assessment
):
    login_as(client, aurora, Role.EXECUTIVE, "eeva")

    page = client.get("/maturity/")
    pdf = client.get(f"/maturity/{done_assessment.pk}/report.pdf")

    assert page.status_code == 200
    assert "Tactically driven" in page.content.decode()
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert "attachment" in pdf["Content-Disposition"]


def test_an_analyst_reads_the_page_but_neither_assesses_nor_downloads(
    client, aurora, done_assessment
):
    login_as(client, aurora, Role.ANALYST, "antti")

    page = client.get("/maturity/")

    assert page.status_code == 200
    assert "Tactically driven" in page.content.decode()
    assert "report.pdf" not in page.content.decode()
    assert "Assess now" not in page.content.decode()
    assert client.get(f"/maturity/{done_assessment.pk}/report.pdf").status_code == 403
    assert client.post("/maturity/").status_code == 403
    assert Assessment.objects.count() == 1


def test_another_organisations_executive_gets_404(client, other_org, done_assessment):
    login_as(client, other_org, Role.EXECUTIVE, "otto")

    assert client.get(f"/maturity/{done_assessment.pk}/report.pdf").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, done_assessment):
    response = client.get("/maturity/")

    assert response.status_code == 302 and "login" in response["Location"]


def test_an_owner_can_ask_for_a_new_assessment(
    client, aurora, done_assessment, django_capture_on_commit_callbacks
):
    login_as(client, aurora, Role.OWNER, "olga")

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/maturity/")

    assert Assessment.objects.filter(status="done").count() == 2
