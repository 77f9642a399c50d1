"""The staff preview of a survey: every question as a respondent sees it, in any language.

Reached from the survey's admin page. Nothing can be answered here: it shows the
questions with sample values piped in and, under a conditional question, when it shows.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from surveys import logic
from surveys.models import Question, Survey
from surveys.models.surveys import translate
from surveys.views.answer import question_fields


def _sample_values(survey: Survey) -> dict[str, object]:
    """Return what the preview pipes into ``{first_name}``, ``{touchpoint}``, ``{date}``."""
    return {
        "first_name": "" if survey.is_anonymous else _("Aino"),
        "touchpoint": _("the touchpoint"),
        "date": timezone.localdate().strftime("%-d.%-m.%Y"),
        "event": {},
    }


def _question_context(
    survey: Survey, question: Question, language: str
) -> dict[str, object]:
    text = logic.pipe(translate(question.text, language), _sample_values(survey))
    return {
        **question_fields(question, language, text),
        "selected": [],
        "field": f"preview-{question.key}",
        "shown_when": logic.describe(question.condition),
    }


def survey_preview(request: HttpRequest, survey: Survey) -> HttpResponse:
    """Render ``survey`` for staff in ``?lang=`` (its first language by default)."""
    languages = survey.languages or ["fi", "sv", "en"]
    language = survey.language_for(request.GET.get("lang", languages[0]))
    with translation.override(language):
        context = {
            "survey": survey,
            "organization": survey.organization,
            "survey_title": translate(survey.title, language) or survey.name,
            "intro": translate(survey.intro, language),
            "thank_you": translate(survey.thank_you, language),
            "questions": [
                _question_context(survey, question, language)
                for question in survey.questions.order_by("position")
            ],
            "language": language,
            "languages": languages,
        }
        return render(request, "surveys/preview.html", context)
