"""Historical import: past survey results from another tool, kept with their origin.

An organisation starts with its history — a yearly anonymous survey, say — so that its
trends and its maturity evidence begin before the product did. Imported responses keep
how they were collected (``origin``: event-triggered, periodic list, public link) and
whether they were anonymous, and are marked with ``imported_at``: the maturity evidence
keeps them apart from the product's own listening (a label says how the other tool
collected them, it proves no trigger here) and weighs them as self-reported history.
Answers of known customers get segment snapshots, as answers completed here do.

An import can be retried: a row carrying the caller's own id (``external_id``, unique
per organisation in the database) that is stored already is answered with the stored
response's id instead of being stored again. A row naming a customer is linked to that
customer (created if unknown, upserted by external id) and never silently anonymised:
a row that names a customer and says ``anonymous`` is refused with the reason, as is
one naming a customer for an anonymous survey. The valid rows, their customers and
answers are stored in one transaction: all of them or, on a failure, none.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cx.models import Language, Organization, Touchpoint
from cx.services.customers import CustomerIn, customers_upsert
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
    # None: anonymous exactly when no customer is named.
    anonymous: bool | None = None
    customer_external_id: str = ""
    touchpoint_id: int | None = None
    language: str = ""
    external_id: str = ""


class RowStatus(enum.Enum):
    STORED = "stored"
    ALREADY_STORED = "already_stored"
    REJECTED = "rejected"


@dataclass
class RowOutcome:
    """What became of one row: the response stored (now or before), or why not."""

    status: RowStatus
    response_id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ImportOutcome:
    rows: list[RowOutcome] = field(default_factory=list)

    def count(self, status: RowStatus) -> int:
        return sum(1 for row in self.rows if row.status is status)

    @property
    def imported(self) -> int:
        return self.count(RowStatus.STORED)

    @property
    def errors(self) -> dict[int, dict[str, list[str]]]:
        """Return the rejected rows' field errors by row index."""
        return {
            index: row.errors
            for index, row in enumerate(self.rows)
            if row.status is RowStatus.REJECTED
        }


class ImportConflict(Exception):
    """A concurrent import stored a row with one of these external ids first."""


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
            return _("'%(value)s' is not a number") % {"value": value}
        if not scale[0] <= number <= scale[1]:
            return _("%(number)s is outside %(low)s–%(high)s") % {
                "number": number,
                "low": scale[0],
                "high": scale[1],
            }
        return Answer(question=question, number=number)
    if question.type in (Question.Type.SINGLE, Question.Type.MULTIPLE):
        keys = (
            value
            if isinstance(value, list)
            else [part.strip() for part in str(value).split("|")]
        )
        unknown = [key for key in keys if key not in question.choice_keys()]
        if unknown:
            return _("unknown choice(s) %(keys)s") % {
                "keys": ", ".join(map(str, unknown))
            }
        return Answer(question=question, choices=[str(key) for key in keys])
    return Answer(question=question, text=str(value)[:10000])


def _row_errors(
    row: ImportedResponse,
    *,
    survey: Survey,
    touchpoints: dict[int, tuple[int | None, int | None]],
    now: datetime,
) -> dict[str, list[str]]:
    """Return the field errors of a row's own fields (its answers apart)."""
    errors: dict[str, list[str]] = {}
    if row.origin not in ORIGINS:
        errors["origin"] = [
            _("Use one of %(origins)s.") % {"origins": ", ".join(ORIGINS)}
        ]
    if row.language and row.language not in Language.values:
        errors["language"] = [_("Use fi, sv or en.")]
    if row.touchpoint_id is not None and row.touchpoint_id not in touchpoints:
        errors["touchpoint"] = [_("No such touchpoint.")]
    if row.completed_at > now:
        errors["completed_at"] = [_("Lies in the future.")]
    if row.customer_external_id and row.anonymous:
        errors["anonymous"] = [
            _(
                "An anonymous response names no customer: leave out the customer, "
                "or anonymous."
            )
        ]
    elif row.customer_external_id and survey.is_anonymous:
        errors["customer"] = [
            _("The survey is anonymous: its responses name no customer.")
        ]
    elif row.anonymous is False and not row.customer_external_id:
        errors["customer"] = [_("A response that is not anonymous names its customer.")]
    return errors


def _answers(
    row: ImportedResponse, questions: dict[str, Question], errors: dict[str, list[str]]
) -> list[Answer]:
    """Return the row's answers, adding to ``errors`` those that do not fit."""
    answers: list[Answer] = []
    for key, value in row.answers.items():
        question = questions.get(key)
        if question is None:
            errors.setdefault("answers", []).append(
                _("Unknown question '%(key)s'.") % {"key": key}
            )
            continue
        answer = _answer(question, value)
        if isinstance(answer, str):
            if answer != "empty":
                errors.setdefault("answers", []).append(f"{key}: {answer}.")
            continue
        answers.append(answer)
    if not answers and "answers" not in errors:
        errors["answers"] = [_("No answers.")]
    return answers


def _stored_before(
    organization: Organization, rows: Sequence[ImportedResponse]
) -> dict[str, int]:
    """Return the ids of the responses stored before under the rows' external ids."""
    return dict(
        Response.objects.for_organization(organization)
        .filter(external_id__in={row.external_id for row in rows if row.external_id})
        .values_list("external_id", "pk")
    )


def responses_import(
    *, organization: Organization, survey: Survey, rows: Sequence[ImportedResponse]
) -> ImportOutcome:
    """Store the valid rows not stored before; return what became of each row.

    Raise ``ImportConflict`` (nothing stored) when a concurrent import stored one of
    the rows' external ids first: the same import retried then finds them.
    """
    questions = {question.key: question for question in survey.questions.all()}
    stored_before = _stored_before(organization, rows)
    touchpoints: dict[int, tuple[int | None, int | None]] = {
        pk: (journey_id, process_id)
        for pk, journey_id, process_id in Touchpoint.objects.for_organization(
            organization
        ).values_list("pk", "journey_id", "process_id")
    }
    outcome = ImportOutcome()
    valid: list[tuple[ImportedResponse, Response, list[Answer]]] = []
    # A later row with the external id of an earlier valid row of the same request.
    repeated: dict[int, Response] = {}
    first_of: dict[str, Response] = {}
    now = timezone.now()
    for index, row in enumerate(rows):
        if row.external_id in stored_before:
            outcome.rows.append(
                RowOutcome(RowStatus.ALREADY_STORED, stored_before[row.external_id])
            )
            continue
        if row.external_id in first_of:
            repeated[index] = first_of[row.external_id]
            outcome.rows.append(RowOutcome(RowStatus.ALREADY_STORED))
            continue
        errors = _row_errors(row, survey=survey, touchpoints=touchpoints, now=now)
        answers = _answers(row, questions, errors)
        if errors:
            outcome.rows.append(RowOutcome(RowStatus.REJECTED, errors=errors))
            continue
        journey_id, process_id = (
            touchpoints[row.touchpoint_id]
            if row.touchpoint_id is not None
            else (None, None)
        )
        response = Response(
            organization=organization,
            survey=survey,
            touchpoint_id=row.touchpoint_id,
            journey_id=journey_id,
            process_id=process_id,
            origin=ORIGINS[row.origin],
            is_anonymous=not row.customer_external_id,
            language=row.language or survey.language_for(organization.default_language),
            state=Response.State.COMPLETED,
            started_at=row.completed_at,
            completed_at=row.completed_at,
            imported_at=now,
            external_id=row.external_id,
        )
        if row.external_id:
            first_of[row.external_id] = response
        valid.append((row, response, answers))
        outcome.rows.append(RowOutcome(RowStatus.STORED))
    try:
        _store(organization, valid)
    except IntegrityError as error:
        if "external_id" in str(error) or "response_external_id_once" in str(error):
            raise ImportConflict from error
        raise
    stored = iter(response for _row, response, _answers in valid)
    for index, row_outcome in enumerate(outcome.rows):
        if row_outcome.status is RowStatus.STORED:
            row_outcome.response_id = next(stored).pk
        elif index in repeated:
            row_outcome.response_id = repeated[index].pk
    return outcome


@transaction.atomic
def _store(
    organization: Organization,
    valid: Sequence[tuple[ImportedResponse, Response, list[Answer]]],
) -> None:
    """Store the named customers, the responses and answers, with segment snapshots.

    Customers are upserted by external id (an unknown one is created with that id
    alone). Imported answers of known customers get segment snapshots like answers
    completed in the product (the segments the customer is in at import: the best
    known), so results by segment include history. They stay marked ``imported_at``.
    """
    customer_ids = customers_upsert(
        organization=organization,
        customers=[
            CustomerIn(external_id=row.customer_external_id)
            for row, _response, _answers in valid
            if row.customer_external_id
        ],
    )
    for row, response, _answers in valid:
        response.customer_id = customer_ids.get(row.customer_external_id)
    for start in range(0, len(valid), CHUNK):
        chunk = valid[start : start + CHUNK]
        responses = Response.objects.bulk_create(
            [response for _row, response, _answers in chunk]
        )
        answers = []
        scored = []
        for response, (_row, _response, response_answers) in zip(
            responses, chunk, strict=True
        ):
            nps = None
            for answer in response_answers:
                answer.response = response
                answers.append(answer)
                if nps is None and answer.question.type == Question.Type.NPS:
                    nps = answer.number
            scored.append((response, nps))
        Answer.objects.bulk_create(answers)
        responses_segments_snapshot(organization_id=organization.pk, responses=scored)
