"""The survey API: questions nested, conditions checked, answers protected from edits."""

from __future__ import annotations

from surveys.models import Answer, Question, Response, Survey

SURVEY = {
    "name": "Loan application effort",
    "status": "active",
    "languages": ["fi", "en"],
    "title": {"fi": "Lainahakemuksesi", "en": "Your loan application"},
    "questions": [
        {
            "key": "nps",
            "position": 1,
            "type": "nps",
            "text": {"fi": "Suosittelisitko?"},
        },
        {
            "key": "why",
            "position": 2,
            "type": "text",
            "required": False,
            "text": {"fi": "Mikä meni pieleen?"},
            "condition": {"any": [{"question": "nps", "operator": "lte", "value": 6}]},
        },
        {
            "key": "channel",
            "position": 3,
            "type": "single",
            "text": {"en": "Where did you apply?"},
            "choices": [
                {"key": "web", "label": {"en": "Web"}},
                {"key": "branch", "label": {"en": "Branch"}},
            ],
        },
    ],
}


def test_create_and_read_a_survey_with_questions(api):
    created = api.post("/api/v1/surveys/", SURVEY, format="json")

    assert created.status_code == 201, created.json()
    body = api.get(f"/api/v1/surveys/{created.json()['id']}/").json()
    assert [q["key"] for q in body["questions"]] == ["nps", "why", "channel"]
    assert body["questions"][1]["condition"]["any"][0]["value"] == 6


def test_a_condition_may_only_look_back(api):
    bad = {
        **SURVEY,
        "questions": [
            {**SURVEY["questions"][1], "position": 1},
            {**SURVEY["questions"][0], "position": 2},
        ],
    }

    response = api.post("/api/v1/surveys/", bad, format="json")

    assert response.status_code == 400
    assert "not an earlier question" in str(response.json())
    assert Survey.objects.count() == 0  # nothing half-stored


def test_unknown_language_and_type_are_400(api):
    assert (
        api.post(
            "/api/v1/surveys/", {**SURVEY, "languages": ["de"]}, format="json"
        ).status_code
        == 400
    )
    odd = {**SURVEY, "questions": [{**SURVEY["questions"][0], "type": "vibes"}]}
    assert api.post("/api/v1/surveys/", odd, format="json").status_code == 400


def test_questions_with_answers_may_be_reworded_not_retyped_or_removed(api, aurora):
    survey_id = api.post("/api/v1/surveys/", SURVEY, format="json").json()["id"]
    survey = Survey.objects.get(pk=survey_id)
    response = Response.objects.create(
        organization=aurora, survey=survey, language="fi", started_at=survey.created_at
    )
    Answer.objects.create(
        response=response, question=survey.questions.get(key="nps"), number=9
    )
    Answer.objects.create(
        response=response, question=survey.questions.get(key="channel"), choices=["web"]
    )
    url = f"/api/v1/surveys/{survey_id}/"

    reworded = {**SURVEY, "questions": [
        {**SURVEY["questions"][0], "text": {"fi": "Kuinka todennäköisesti suosittelisit?"}},
        SURVEY["questions"][1], SURVEY["questions"][2],
    ]}  # fmt: skip
    retyped = {**SURVEY, "questions": [{**SURVEY["questions"][0], "type": "csat"},
                                       *SURVEY["questions"][1:]]}  # fmt: skip
    removed = {**SURVEY, "questions": SURVEY["questions"][:2]}
    branch_only = [{"key": "branch", "label": {"en": "Branch"}}]
    choice_dropped = {**SURVEY, "questions": [
        *SURVEY["questions"][:2], {**SURVEY["questions"][2], "choices": branch_only}]}  # fmt: skip

    assert api.put(url, reworded, format="json").status_code == 200
    assert "suosittelisit" in Question.objects.get(key="nps").text["fi"]
    for edit, message in [
        (retyped, "type cannot change"),
        (removed, "cannot be removed"),
        (choice_dropped, "choices in use cannot be removed: web"),
    ]:
        refused = api.put(url, edit, format="json")
        assert refused.status_code == 400
        assert message in str(refused.json())
    assert Answer.objects.count() == 2
    assert Question.objects.get(key="nps").type == "nps"


def test_reordering_questions_keeps_their_answers(api, aurora):
    survey_id = api.post("/api/v1/surveys/", SURVEY, format="json").json()["id"]
    survey = Survey.objects.get(pk=survey_id)
    response = Response.objects.create(
        organization=aurora, survey=survey, language="fi", started_at=survey.created_at
    )
    answer = Answer.objects.create(
        response=response, question=survey.questions.get(key="channel"), choices=["web"]
    )
    moved = {**SURVEY, "questions": [
        {**SURVEY["questions"][2], "position": 1},
        {**SURVEY["questions"][0], "position": 2},
    ]}  # fmt: skip

    assert (
        api.put(f"/api/v1/surveys/{survey_id}/", moved, format="json").status_code
        == 200
    )

    answer.refresh_from_db()
    assert answer.question.key == "channel" and answer.question.position == 1
    assert not Question.objects.filter(key="why").exists()


def test_surveys_of_other_organisations_are_404(api, outsider_api):
    survey_id = api.post("/api/v1/surveys/", SURVEY, format="json").json()["id"]

    assert outsider_api.get(f"/api/v1/surveys/{survey_id}/").status_code == 404
    assert outsider_api.get("/api/v1/surveys/").json()["results"] == []
