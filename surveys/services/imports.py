"""Historical import: past survey results from another tool, kept with their origin.

An organisation starts with its history — a yearly anonymous survey, say — so that its
trends and its maturity evidence begin before the product did. Imported responses keep
how they were collected (``origin``: event-triggered, periodic list, public link) and
whether they were anonymous, and are marked with ``imported_at``: the maturity evidence
keeps them apart from the product's own listening (a label says how the other tool
collected them, it proves no trigger here) and weighs them as self-reported history.
Answers of known customers get segment snapshots, as answers completed here do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from cx.models import Customer, Language, Organization, Touchpoint
from surveys.models import Answer, Question, Response, Survey
from surveys.services.snapshots import responses_segments_snapshot

CHUNK = 1000

ORIGINS = {
    "event": Response.Origin.EVENT,
    "periodic": Response.Origin.LIST,
    "list": Response.Origin.LIST,
    "public_link": Response.Origin.PUBLIC_LINK,
}


@dataclass
class ImportedResponse:
    """One past response: when, from whom (optional), how collected, and its answers."""

    completed_at: datetime
    answers: dict[str, Any]
    origin: str = "periodic"
    anonymous: bool = True
    customer_external_id: str = ""
    touchpoint_id: int | None = None
    language: str = ""


@dataclass
class ImportOutcome:
    imported: int = 0
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)


def _answer(question: Question, value: Any) -> Answer | str:
    """Return an unsaved Answer for ``value``, or the reason it does not fit."""
    if value is None or value == "":
        return "empty"
    scale = question.scale()
    if scale is not None:
        if question.type == Question.Type.FCR and isinstance(value, str):
            value = {"yes": 1, "no": 0, "true": 1, "false": 0}.get(
                value.strip().lower(), value
            )
        try:
            number = int(value)
        except (TypeError, ValueError):
            return f"'{value}' is not a number"
        if not scale[0] <= number <= scale[1]:
            return f"{number} is outside {scale[0]}–{scale[1]}"
        return Answer(question=question, number=number)
    if question.type in (Question.Type.SINGLE, Question.Type.MULTIPLE):
        keys = (
            value
            if isinstance(value, list)
            else [part.strip() for part in str(value).split("|")]
        )
        unknown = [key for key in keys if key not in question.choice_keys()]
        if unknown:
            return f"unknown choice(s) {', '.join(map(str, unknown))}"
        return Answer(question=question, choices=[str(key) for key in keys])
    return Answer(question=question, text=str(value)[:10000])


def responses_import(
    *, organization: Organization, survey: Survey, rows: Sequence[ImportedResponse]
) -> ImportOutcome:
    """Validate every row, then store the valid ones in bulk; return counts and errors."""
    questions = {question.key: question for question in survey.questions.all()}
    external_ids = {
        row.customer_external_id for row in rows if row.customer_external_id
    }
    customers = dict(
        Customer.objects.for_organization(organization)
        .filter(external_id__in=external_ids)
        .values_list("external_id", "pk")
    )
    touchpoints: dict[int, tuple[int | None, int | None]] = {
        pk: (journey_id, process_id)
        for pk, journey_id, process_id in Touchpoint.objects.for_organization(
            organization
        ).values_list("pk", "journey_id", "process_id")
    }
    outcome = ImportOutcome()
    valid: list[tuple[Response, list[Answer]]] = []
    now = timezone.now()
    for index, row in enumerate(rows):
        errors: dict[str, list[str]] = {}
        if row.origin not in ORIGINS:
            errors["origin"] = [f"Use one of {', '.join(ORIGINS)}."]
        if row.language and row.language not in Language.values:
            errors["language"] = ["Use fi, sv or en."]
        if row.touchpoint_id is not None and row.touchpoint_id not in touchpoints:
            errors["touchpoint"] = ["No such touchpoint."]
        if row.customer_external_id and row.customer_external_id not in customers:
            errors["customer"] = [f"No customer '{row.customer_external_id}'."]
        if row.completed_at > now:
            errors["completed_at"] = ["Lies in the future."]
        answers: list[Answer] = []
        for key, value in row.answers.items():
            question = questions.get(key)
            if question is None:
                errors.setdefault("answers", []).append(f"Unknown question '{key}'.")
                continue
            answer = _answer(question, value)
            if isinstance(answer, str):
                if answer != "empty":
                    errors.setdefault("answers", []).append(f"{key}: {answer}.")
                continue
            answers.append(answer)
        if not answers and "answers" not in errors:
            errors["answers"] = ["No answers."]
        if errors:
            outcome.errors[index] = errors
            continue
        customer_id = None if row.anonymous else customers.get(row.customer_external_id)
        journey_id, process_id = (
            touchpoints[row.touchpoint_id]
            if row.touchpoint_id is not None
            else (None, None)
        )
        valid.append(
            (
                Response(
                    organization=organization,
                    survey=survey,
                    customer_id=customer_id,
                    touchpoint_id=row.touchpoint_id,
                    journey_id=journey_id,
                    process_id=process_id,
                    origin=ORIGINS[row.origin],
                    is_anonymous=row.anonymous or customer_id is None,
                    language=row.language
                    or survey.language_for(organization.default_language),
                    state=Response.State.COMPLETED,
                    started_at=row.completed_at,
                    completed_at=row.completed_at,
                    imported_at=now,
                ),
                answers,
            )
        )
    _store(organization, valid)
    outcome.imported = len(valid)
    return outcome


@transaction.atomic
def _store(
    organization: Organization, valid: Iterable[tuple[Response, list[Answer]]]
) -> None:
    """Store the responses and answers in chunks, with known customers' segments.

    Imported answers of known customers get segment snapshots like answers completed
    in the product (the segments the customer is in at import: the best known), so
    results by segment include history. They stay marked ``imported_at``.
    """
    pending = list(valid)
    for start in range(0, len(pending), CHUNK):
        chunk = pending[start : start + CHUNK]
        responses = Response.objects.bulk_create([response for response, _ in chunk])
        answers = []
        scored = []
        for response, (_, response_answers) in zip(responses, chunk, strict=True):
            nps = None
            for answer in response_answers:
                answer.response = response
                answers.append(answer)
                if nps is None and answer.question.type == Question.Type.NPS:
                    nps = answer.number
            scored.append((response, nps))
        Answer.objects.bulk_create(answers)
        responses_segments_snapshot(organization_id=organization.pk, responses=scored)
