"""Survey definitions: create and edit a survey with its questions in one call.

Answers already given must stay meaningful, so once a question has answers it may be
reworded or reordered but not removed, retyped, rescaled or stripped of a choice that
answers use. Such an edit is refused with a clear error instead.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cx.models import Organization
from surveys import logic
from surveys.models import Answer, Question, Survey

SURVEY_FIELDS = (
    "name", "audience", "purpose", "status", "languages", "title", "intro", "thank_you",
    "is_anonymous", "min_days_between_invitations",
)  # fmt: skip
QUESTION_FIELDS = (
    "key", "position", "type", "text", "help_text_i18n", "required", "scale_min",
    "scale_low_label", "scale_high_label",
    "scale_max", "choices", "condition",
)  # fmt: skip


def _check_conditions(questions: list[dict[str, Any]]) -> None:
    earlier: set[str] = set()
    for index, question in enumerate(sorted(questions, key=lambda q: q["position"])):
        try:
            logic.validate_condition(question.get("condition"), earlier=earlier)
        except ValidationError as exc:
            where = f"question {index + 1} ({question['key']}) condition"
            raise ValidationError(
                {"questions": [f"{where}: {message}" for message in exc.messages]}
            ) from None
        earlier.add(question["key"])


def _destructive_changes(question: Question, new: dict[str, Any]) -> list[str]:
    problems = []
    if new.get("type", question.type) != question.type:
        problems.append("its type cannot change")
    if (
        new.get("scale_min", question.scale_min),
        new.get("scale_max", question.scale_max),
    ) != (
        question.scale_min,
        question.scale_max,
    ):
        problems.append("its scale cannot change")
    kept = {
        str(choice.get("key")) for choice in new.get("choices", question.choices) or []
    }
    used = {
        key
        for choices in Answer.objects.filter(question=question).values_list(
            "choices", flat=True
        )
        for key in choices or []
    }
    if used - kept:
        problems.append(
            f"choices in use cannot be removed: {', '.join(sorted(used - kept))}"
        )
    return problems


@transaction.atomic
def survey_save(
    *,
    organization: Organization,
    fields: dict[str, Any],
    questions: list[dict[str, Any]] | None,
    survey: Survey | None = None,
) -> Survey:
    """Create or update a survey and, when given, replace its questions.

    Questions are matched by ``key``: a known key updates that question (its answers
    stay attached), a new key adds one, a missing key removes one — unless it has
    answers, which refuses the whole save.
    """
    survey = survey or Survey(organization=organization)
    for name in SURVEY_FIELDS:
        if name in fields:
            setattr(survey, name, fields[name])
    survey.full_clean(exclude=["organization"])
    survey.save()
    if questions is None:
        return survey
    keys = [question["key"] for question in questions]
    if len(keys) != len(set(keys)):
        raise ValidationError({"questions": ["Question keys must be unique."]})
    _check_conditions(questions)
    existing = {question.key: question for question in survey.questions.all()}
    answered = set(
        Answer.objects.filter(question__survey=survey).values_list(
            "question__key", flat=True
        )
    )
    problems: dict[str, list[str]] = {}
    for key in set(existing) - set(keys):
        if key in answered:
            problems[key] = ["it has answers, so it cannot be removed"]
    for new in questions:
        if new["key"] in existing and new["key"] in answered:
            found = _destructive_changes(existing[new["key"]], new)
            if found:
                problems[new["key"]] = found
    if problems:
        raise ValidationError(
            {
                "questions": [
                    f"'{key}': {'; '.join(why)}."
                    for key, why in sorted(problems.items())
                ]
            }
        )
    survey.questions.exclude(key__in=keys).delete()
    # Positions are unique: park the kept questions out of the way before renumbering.
    for offset, question in enumerate(survey.questions.all()):
        Question.objects.filter(pk=question.pk).update(position=10000 + offset)
    for new in questions:
        question = existing.get(new["key"]) or Question(survey=survey)
        for name in QUESTION_FIELDS:
            if name in new:
                setattr(question, name, new[name])
        question.full_clean(exclude=["survey"], validate_unique=False)
        question.save()
    return survey
