"""Staff preview a survey from the admin: every question, in each language, nothing saved."""

from __future__ import annotations

from surveys.models import Question, Response


def preview_url(survey) -> str:  # type: ignore[no-untyped-def]
    return f"/admin/surveys/survey/{survey.pk}/preview/"


def add_follow_up(survey) -> None:  # type: ignore[no-untyped-def]
    Question.objects.create(
        survey=survey,
        key="what_went_wrong",
        position=9,
        type=Question.Type.TEXT,
        required=False,
        text={"fi": "Mikä meni pieleen, {first_name}?", "en": "What went wrong?"},
        condition={"any": [{"question": "csat", "operator": "lte", "value": 3}]},
    )


def test_the_survey_page_links_to_its_preview(client, aino, chat_survey):
    client.force_login(aino)

    page = client.get(f"/admin/surveys/survey/{chat_survey.pk}/change/")

    assert preview_url(chat_survey) in page.content.decode()


def test_the_preview_shows_every_question_with_its_condition(client, aino, chat_survey):
    add_follow_up(chat_survey)
    client.force_login(aino)

    finnish = client.get(preview_url(chat_survey)).content.decode()
    english = client.get(preview_url(chat_survey), {"lang": "en"}).content.decode()

    assert 'lang="fi"' in finnish and "Kuinka tyytyväinen olit?" in finnish
    assert "Mikä meni pieleen, Aino?" in finnish  # sample values piped in
    assert "csat ≤ 3" in finnish
    assert "Kysymys 3/3" in finnish
    assert "What went wrong?" in english and "How satisfied were you?" in english
    assert Response.objects.count() == 0


def test_other_organisations_and_visitors_cannot_preview(
    client, olli, aino, chat_survey
):
    assert client.get(preview_url(chat_survey)).status_code == 302  # to the login

    client.force_login(olli)
    assert client.get(preview_url(chat_survey)).status_code == 404
