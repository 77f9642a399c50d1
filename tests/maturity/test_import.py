"""Historical import: past results arrive with their origin, so the evidence stays right."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from surveys.models import Answer, Question, Response, Survey


@pytest.fixture
def yearly_survey(aurora) -> Survey:
    survey = Survey.objects.create(
        organization=aurora,
        name="Yearly survey 2025",
        status="closed",
        languages=["fi", "en"],
    )
    Question.objects.create(
        survey=survey, key="nps", position=1, type="nps", text={"en": "Recommend?"}
    )
    Question.objects.create(
        survey=survey,
        key="comment",
        position=2,
        type="text",
        text={"en": "Anything else?"},
    )
    return survey


def test_api_import_keeps_origin_and_anonymity(api, yearly_survey, mortgage):
    touchpoint = mortgage.touchpoints.get(position=2)
    payload = {
        "survey": yearly_survey.pk,
        "responses": [
            {
                "completed_at": "2025-05-02T10:00:00Z",
                "answers": {"nps": 9, "comment": "Hyvä"},
            },
            {
                "completed_at": "2025-05-03T10:00:00Z",
                "answers": {"nps": "4"},
                "origin": "event",
                "touchpoint": touchpoint.pk,
            },
            {"completed_at": "2025-05-04T10:00:00Z", "answers": {"nps": 11}},
            {"completed_at": "2025-05-04T10:00:00Z", "answers": {"colour": "red"}},
        ],
    }

    response = api.post("/api/v1/responses/import/", payload, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["created"], body["rejected"]) == (2, 2)
    results = body["results"]
    assert "outside 0–10" in results[2]["errors"]["answers"][0]
    assert "Unknown question 'colour'." in results[3]["errors"]["answers"]
    yearly, triggered = Response.objects.order_by("completed_at")
    assert (yearly.origin, yearly.is_anonymous) == (Response.Origin.LIST, True)
    assert yearly.imported_at is not None and yearly.state == "completed"
    assert (triggered.origin, triggered.touchpoint, triggered.journey) == (
        Response.Origin.EVENT,
        touchpoint,
        mortgage,
    )
    assert sorted(
        Answer.objects.values_list("number", flat=True).exclude(number=None)
    ) == [4, 9]


def test_api_import_of_another_organisations_survey_is_refused(
    outsider_api, yearly_survey
):
    response = outsider_api.post(
        "/api/v1/responses/import/",
        {
            "survey": yearly_survey.pk,
            "responses": [
                {"completed_at": "2025-05-02T10:00:00Z", "answers": {"nps": 9}}
            ],
        },
        format="json",
    )

    assert response.status_code == 400
    assert Response.objects.count() == 0


def test_csv_import_command_reports_progress_and_errors(
    aurora, yearly_survey, tmp_path
):
    path = tmp_path / "yearly.csv"
    path.write_text(
        "completed_at,anonymous,nps,comment\n"
        "2025-05-02T10:00:00+03:00,yes,10,Kiitos\n"
        "not a date,yes,5,\n"
        "2025-05-03T10:00:00+03:00,yes,3,Jono oli pitkä\n"
        "2025-05-03T11:00:00+03:00,yes,eleven,\n",
        encoding="utf-8",
    )
    out, err = StringIO(), StringIO()

    call_command(
        "import_responses", str(path), org="aurora", survey="Yearly survey 2025",
        stdout=out, stderr=err,
    )  # fmt: skip

    assert "Imported 2 responses; rejected 2." in out.getvalue()
    assert "row 3: completed_at 'not a date' is not a date" in err.getvalue()
    assert "row 5:" in err.getvalue() and "'eleven' is not a number" in err.getvalue()
    assert Response.objects.filter(imported_at__isnull=False).count() == 2


def test_csv_import_of_unknown_survey_fails_clearly(aurora, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("completed_at\n", encoding="utf-8")

    with pytest.raises(CommandError, match="No survey named"):
        call_command("import_responses", str(path), org="aurora", survey="Nope")


def test_employee_survey_templates_are_created_once(aurora):
    from io import StringIO

    from surveys.models import Survey

    for _ in range(2):
        call_command("create_survey_template", org="aurora", template="employee_pulse",
                     stdout=StringIO())  # fmt: skip
    call_command(
        "create_survey_template", org="aurora", template="leadership", stdout=StringIO()
    )

    pulse = Survey.objects.get(purpose="employee_pulse")
    assert Survey.objects.count() == 2
    assert pulse.audience == "employees" and pulse.is_anonymous and pulse.public_token
    assert [q.key for q in pulse.questions.order_by("position")] == [
        "enps", "customer_impact", "tools", "idea"
    ]  # fmt: skip
    assert pulse.questions.get(key="enps").text["sv"].startswith("Hur troligt")
