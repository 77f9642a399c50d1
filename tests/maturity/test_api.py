"""The maturity API: assessments computed by a task, and the self-assessment."""

from __future__ import annotations

from maturity.models import Assessment


def test_requesting_an_assessment_answers_202_and_the_task_computes_it(
    api, mortgage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/maturity/assessments/", {}, format="json")

    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    detail = api.get(f"/api/v1/maturity/assessments/{response.json()['id']}/").json()
    assert detail["status"] == "done"
    assert detail["level"] == 1
    assert detail["level_name"] == "Tactically driven"
    assert {d["key"] for d in detail["dimensions"]} == {f"D{n}" for n in range(1, 10)}
    journeys = next(d for d in detail["dimensions"] if d["key"] == "D3")
    exists = next(m for m in journeys["markers"] if m["key"] == "d3_touchpoints_exist")
    assert exists["value"] == 1.0  # Aurora has mapped its mortgage journey
    assert detail["report_url"].endswith("/report.pdf")


def test_a_bad_period_is_a_400(api):
    response = api.post(
        "/api/v1/maturity/assessments/",
        {"period_start": "2026-10-01T00:00:00Z", "period_end": "2026-09-01T00:00:00Z"},
        format="json",
    )

    assert response.status_code == 400
    assert "period_start" in response.json()["errors"]
    assert Assessment.objects.count() == 0


def test_self_assessment_is_read_and_written(api):
    state = api.get("/api/v1/maturity/self-assessment/").json()
    assert {item["key"] for item in state["items"]} >= {
        "cx_targets",
        "customers_cocreate",
    }

    response = api.put(
        "/api/v1/maturity/self-assessment/",
        {"answers": {"cx_targets": 4, "cx_owner": 2}, "importance": {"D7": 5}},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["levels"]["D7"] == 3.0
    assert response.json()["importance"]["D7"] == 5


def test_self_assessment_rejects_unknown_items_and_steps(api):
    bad_step = api.put(
        "/api/v1/maturity/self-assessment/",
        {"answers": {"cx_targets": 7}},
        format="json",
    )
    bad_item = api.put(
        "/api/v1/maturity/self-assessment/", {"answers": {"vibes": 2}}, format="json"
    )

    assert bad_step.status_code == 400
    assert bad_item.status_code == 400
    assert "vibes" in bad_item.json()["errors"]


def test_other_organisations_assessments_are_404(
    api, outsider_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/maturity/assessments/", {}, format="json").json()

    assert (
        outsider_api.get(f"/api/v1/maturity/assessments/{created['id']}/").status_code
        == 404
    )
    assert outsider_api.get("/api/v1/maturity/assessments/").json()["results"] == []


def test_monthly_assessment_is_emailed_to_executives_once(
    aurora, aino, mailoutbox, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    from cx.models import Role
    from cx.services.organizations import member_add
    from maturity import services

    executive = get_user_model().objects.create_user(
        "eeva", email="eeva@aurora.example", password="x"
    )
    member_add(organization=aurora, user=executive, role=Role.EXECUTIVE)
    analyst = get_user_model().objects.create_user(
        "antti", email="antti@aurora.example"
    )
    member_add(organization=aurora, user=analyst, role=Role.ANALYST)

    with django_capture_on_commit_callbacks(execute=True):
        (assessment,) = services.assessments_schedule_monthly()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert sorted(message.to) == ["aino@aurora.example", "eeva@aurora.example"]
    assert message.attachments[0][2] == "application/pdf"
    assert message.attachments[0][1][:4] == b"%PDF"
    # A redelivered task does not mail twice.
    assert services.assessment_email_report(assessment_id=assessment.pk) == 0
    assert len(mailoutbox) == 1
