"""The Maturity page: who reads it, who assesses, and what it explains.

Owners, CX managers and executives read, assess, answer the self-assessment and
download reports; analysts read only; another organisation's assessment is a 404.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from cx.models import Role
from cx.services.organizations import member_add
from maturity.method import SELF_ASSESSMENT_ITEM_KEYS
from maturity.models import Assessment, SelfAssessmentAnswer, SelfAssessmentRound


@pytest.fixture
def done_assessment(
    aurora, api, mortgage, django_capture_on_commit_callbacks
) -> Assessment:
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/api/v1/maturity/assessments/", {}, format="json")
    return Assessment.objects.get()


def login_as(client, organization, role: str, username: str):
    user = get_user_model().objects.create_user(
        username, password="pw", first_name=username.title()
    )
    member_add(organization=organization, user=user, role=role)
    client.login(username=username, password="pw")
    return user


def all_answers(step: int) -> dict[str, str]:
    answers = {f"item_{key}": str(step) for key in SELF_ASSESSMENT_ITEM_KEYS}
    answers.update({f"importance_D{i}": "3" for i in range(1, 10)})
    return answers


def test_an_executive_sees_the_ladder_the_blocker_and_three_linked_actions(
    client, aurora, done_assessment
):
    login_as(client, aurora, Role.EXECUTIVE, "eeva")

    page = client.get("/maturity/").content.decode()

    assert 'aria-current="step"' in page and "Tactically driven" in page
    assert "You are here" in page and "What holds you back" in page
    actions = page.split('class="actions"')[1].split("</ol>")[0]
    assert actions.count("<li>") == 3
    assert actions.count('href="/') == 3  # each action links to where it is done
    assert "Assess now" in page
    assert "<svg" in page  # evidence vs self-assessment, and the trend


@pytest.mark.parametrize("role", [Role.OWNER, Role.CX_MANAGER, Role.EXECUTIVE])
def test_those_who_may_assess_download_the_report_in_three_languages(
    client, aurora, done_assessment, role
):
    login_as(client, aurora, role, "reader")

    page = client.get("/maturity/").content.decode()
    english = client.get(f"/maturity/{done_assessment.pk}/report.pdf?lang=en")

    for code in ("fi", "sv", "en"):
        assert f"/maturity/{done_assessment.pk}/report.pdf?lang={code}" in page
    assert english.status_code == 200 and english.content[:4] == b"%PDF"
    assert english["Content-Disposition"].endswith('-en.pdf"')


def test_the_report_follows_the_readers_language(client, aurora, done_assessment):
    login_as(client, aurora, Role.EXECUTIVE, "eeva")

    pdf = client.get(
        f"/maturity/{done_assessment.pk}/report.pdf", HTTP_ACCEPT_LANGUAGE="sv"
    )

    assert pdf["Content-Disposition"].endswith('-sv.pdf"')


def test_a_report_in_an_unknown_language_is_a_clear_400(
    client, aurora, done_assessment
):
    login_as(client, aurora, Role.EXECUTIVE, "eeva")

    response = client.get(f"/maturity/{done_assessment.pk}/report.pdf?lang=de")

    assert response.status_code == 400
    assert b"Finnish" in response.content


def test_an_analyst_reads_the_page_without_assessing(client, aurora, done_assessment):
    login_as(client, aurora, Role.ANALYST, "antti")

    page = client.get("/maturity/")

    assert page.status_code == 200
    assert "What holds you back" in page.content.decode()
    assert "Assess now" not in page.content.decode()
    assert "report.pdf" not in page.content.decode()
    assert client.post("/maturity/assess/").status_code == 403
    assert client.get("/maturity/self-assessment/").status_code == 403
    assert client.get(f"/maturity/{done_assessment.pk}/report.pdf").status_code == 403


def test_another_organisations_executive_gets_404(client, other_org, done_assessment):
    login_as(client, other_org, Role.EXECUTIVE, "otto")

    assert client.get(f"/maturity/{done_assessment.pk}/report.pdf").status_code == 404
    assert "Tactically" not in client.get("/maturity/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, done_assessment):
    response = client.get("/maturity/")

    assert response.status_code == 302 and "login" in response["Location"]


def test_a_cx_manager_can_ask_for_a_new_assessment(
    client, aurora, done_assessment, django_capture_on_commit_callbacks
):
    login_as(client, aurora, Role.CX_MANAGER, "bertil")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/maturity/assess/")

    assert response.status_code == 302
    assert Assessment.objects.filter(status="done").count() == 2


def test_assessing_through_htmx_returns_a_part_that_polls_until_done(
    client, aurora, done_assessment, django_capture_on_commit_callbacks
):
    login_as(client, aurora, Role.EXECUTIVE, "eeva")

    # The task waits for the commit: the answer shows the wait and polls for the state.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        waiting = client.post("/maturity/assess/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every' in waiting.content.decode()
    assert "<progress" in waiting.content.decode()

    for callback in callbacks:
        callback()
    finished = client.get("/maturity/live/?waiting=1", HTTP_HX_REQUEST="true")

    assert "hx-trigger" not in finished.content.decode()
    assert "Assessment finished: level 1" in finished.content.decode()


def test_the_self_assessment_is_kept_as_history_with_who_and_when(
    client, aurora, done_assessment
):
    user = login_as(client, aurora, Role.EXECUTIVE, "eeva")

    first = client.post("/maturity/self-assessment/", all_answers(2))
    client.post("/maturity/self-assessment/", all_answers(3))
    form = client.get("/maturity/self-assessment/").content.decode()
    page = client.get("/maturity/").content.decode()

    assert first.status_code == 302
    rounds = SelfAssessmentRound.objects.filter(organization=aurora)
    assert rounds.count() == 2
    assert {r.answered_by for r in rounds} == {user}
    assert sorted(set(r.answers.values()).pop() for r in rounds) == [2, 3]
    assert set(SelfAssessmentAnswer.objects.values_list("step", flat=True)) == {3}
    assert "Eeva" in form and "Last answered by Eeva" in page


def test_an_incomplete_self_assessment_is_a_400_and_changes_nothing(
    client, aurora, done_assessment
):
    login_as(client, aurora, Role.OWNER, "olga")
    answers = all_answers(2)
    del answers["item_cx_owner"]

    response = client.post("/maturity/self-assessment/", answers)

    assert response.status_code == 400
    assert not SelfAssessmentRound.objects.exists()


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_self_assessment_speaks_finnish_and_swedish(
    client, aurora, done_assessment, language
):
    login_as(client, aurora, Role.EXECUTIVE, "eeva")

    form = client.get(
        "/maturity/self-assessment/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert "Undeveloped" not in form and "Save the self-assessment" not in form
