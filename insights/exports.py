"""Responses as CSV or Excel files that are safe to open in a spreadsheet.

Every cell goes through ``neutralise``: an answer such as ``=HYPERLINK(…)`` must reach
the reader as text, never run as a formula (OWASP: CSV injection). Rows are read
``CHUNK_SIZE`` responses at a time, with their answers and segments in one query each
per chunk, so an export of any size costs a few queries per thousand rows.
"""

from __future__ import annotations

import codecs
import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import tzinfo
from decimal import Decimal
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cx.audit.services import Action, Channel, Subject, audit_record, filters_of
from cx.models import Organization
from cx.names import localized_name
from insights.selectors.responses import ResponseFilter, responses_filtered
from surveys import presentation
from surveys.models import Answer, Question, Response, ResponseSegment

Number = int | float | Decimal
Cell = str | Number

CHUNK_SIZE = 1000
FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = (
    "id", "completed_at", "survey", "touchpoint", "journey", "process", "channel",
    "language", "origin", "customer", "segments",
)  # fmt: skip

# What a row reads of a response and of the objects it links to.
ROW_FIELDS = (
    "completed_at", "language", "origin", "is_anonymous", "survey__name",
    "touchpoint__name", "touchpoint__name_translations", "touchpoint__channel",
    "journey__name", "journey__name_translations", "process__name",
    "process__name_translations", "customer__external_id",
)  # fmt: skip

# What a spreadsheet may take for the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters XML 1.0 cannot carry: dropped, so that none hides a formula start.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Rows of CSV sent to the client at a time.
CSV_ROWS_PER_CHUNK = 100


def neutralise(value: object) -> Cell:
    """Return ``value`` as a cell a spreadsheet shows but never evaluates.

    Numbers stay numbers; None is empty; text that could start a formula gets a
    leading apostrophe, after control characters are dropped.
    """
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    text = UNPRINTABLE.sub("", str(value))
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _questions(responses: QuerySet[Response]) -> dict[str, Question]:
    """Return the questions of the surveys of ``responses`` by key, each key once.

    In survey (by name) and question order; of two surveys asking under one key,
    the first names the column.
    """
    questions = Question.objects.filter(
        survey__in=responses.order_by().values("survey_id")
    ).order_by("survey__name", "survey_id", "position")
    found: dict[str, Question] = {}
    for question in questions:
        found.setdefault(question.key, question)
    return found


def question_legend(
    responses: QuerySet[Response], *, language: str
) -> list[list[Cell]]:
    """Return the header and one row per question column: the question as asked, its scale.

    The first cell is the column's title in the export (the question as asked in
    ``language`` with its key), so a reader finds each column's scale by its title.
    """
    header: list[Cell] = [_("Column"), _("Question"), _("Type"), _("Scale"), _("Lowest"),
              _("Highest")]  # fmt: skip
    rows = [
        [neutralise(cell) for cell in presentation.question_legend(question, language)]
        for question in _questions(responses).values()
    ]
    return [header, *rows]


def _answer_value(answer: Answer) -> Cell | None:
    if answer.number is not None:
        return answer.number
    if answer.choices:
        return ", ".join(str(choice) for choice in answer.choices)
    return answer.text


def responses_rows(
    responses: QuerySet[Response],
    *,
    keys: Sequence[str],
    time_zone: tzinfo,
    language: str,
) -> Iterator[list[Cell | None]]:
    """Yield one row per response: ``COLUMNS``, then its answer to each of ``keys``.

    Times are ISO 8601 in ``time_zone``; the customer is empty when anonymous; the
    touchpoint, journey and process are named in ``language`` where the organisation
    gave a name in it (``cx.names.localized_name``), else by their own name.
    """
    answers = Answer.objects.select_related("question").only(
        "response", "number", "choices", "text", "question__key"
    )
    segments = ResponseSegment.objects.only("response", "key").order_by("key")
    rows = (
        responses.select_related(
            "survey", "touchpoint", "journey", "process", "customer"
        )
        .only(*ROW_FIELDS)
        .prefetch_related(
            Prefetch("answers", queryset=answers),
            Prefetch("segments", queryset=segments),
        )
    )
    for response in rows.iterator(chunk_size=CHUNK_SIZE):
        given = {
            answer.question.key: _answer_value(answer)
            for answer in response.answers.all()
        }
        touchpoint, customer = response.touchpoint, response.customer
        yield [
            response.pk,
            response.completed_at.astimezone(time_zone).isoformat()
            if response.completed_at
            else None,
            response.survey.name,
            localized_name(touchpoint, language),
            localized_name(response.journey, language),
            localized_name(response.process, language),
            touchpoint.channel if touchpoint else None,
            response.language,
            response.origin,
            None if response.is_anonymous or not customer else customer.external_id,
            ",".join(segment.key for segment in response.segments.all()),
            *(given.get(key) for key in keys),
        ]


def responses_table(
    responses: QuerySet[Response], *, time_zone: tzinfo, language: str
) -> Iterator[list[Cell]]:
    """Yield the header, then each response's row, every cell neutralised.

    The header names each question column as it was asked, in ``language``, with its
    key: ``How likely are you to recommend us? (nps)``.
    """
    questions = _questions(responses)
    titles = [
        presentation.question_column(question, language)
        for question in questions.values()
    ]
    yield [neutralise(column) for column in (*COLUMNS, *titles)]
    keys = list(questions)
    rows = responses_rows(responses, keys=keys, time_zone=time_zone, language=language)
    for row in rows:
        yield [neutralise(cell) for cell in row]


class _Echo:
    """A file that hands back what is written, so ``csv.writer`` can stream."""

    def write(self, text: str) -> str:
        return text


def csv_chunks(table: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """Yield ``table`` as UTF-8 CSV, after a BOM so that Excel reads ä and ö right."""
    yield codecs.BOM_UTF8
    writer = csv.writer(_Echo())
    lines: list[str] = []
    for row in table:
        lines.append(writer.writerow(row))
        if len(lines) == CSV_ROWS_PER_CHUNK:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


def xlsx_file(
    table: Iterable[Sequence[Cell]], legend: Sequence[Sequence[Cell]] = ()
) -> IO[bytes]:
    """Return ``table`` as an Excel workbook in a temporary file, read from its start.

    Write-only mode keeps one row in memory at a time; the file goes when closed. The
    ``legend`` (what each question column asked) is a second sheet.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Responses"))
    for row in table:
        sheet.append([None if cell == "" else cell for cell in row])
    if legend:
        questions = workbook.create_sheet(title=_("Questions"))
        for row in legend:
            questions.append([None if cell == "" else cell for cell in row])
    file = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    workbook.save(file)
    file.seek(0)
    return file


def export_response(
    *,
    responses: QuerySet[Response],
    organization: Organization,
    fmt: str,
    language: str | None = None,
) -> HttpResponseBase:
    """Return ``responses`` as a download in ``fmt`` (one of ``FORMATS``).

    Questions are titled in ``language`` (the reader's; the organisation's if None).
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format: {fmt}")
    # One language for the whole file, header and legend alike: the reader's, else the
    # organisation's. The CSV streams after the view returns, so it is passed, not read
    # from the thread.
    language = language or organization.default_language
    table = responses_table(responses, time_zone=organization.tzinfo, language=language)
    today = timezone.localdate(timezone=organization.tzinfo)
    filename = f"responses-{organization.slug}-{today:%Y-%m-%d}.{fmt}"
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_chunks(table), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        with translation.override(language):
            legend = question_legend(responses, language=language)
        response = FileResponse(
            xlsx_file(table, legend),
            as_attachment=True,
            filename=filename,
            content_type=XLSX_TYPE,
        )
    # Answers and customer ids: not for shared caches, nor kept after the download.
    response["Cache-Control"] = "private, no-store"
    return response


def responses_export(
    *,
    request: HttpRequest,
    organization: Organization,
    channel: Channel,
    fmt: str,
    params: Mapping[str, Any],
    language: str | None = None,
) -> HttpResponseBase:
    """Return the responses the list filters ``params`` select, as a download in ``fmt``.

    ``language`` is the reader's (a staff user's choice); an API key reads the
    organisation's.

    The export is noted in the audit log (format and filters) once the filters parse;
    filters that do not parse raise ``ValidationError`` (by parameter) and record nothing.
    """
    responses = responses_filtered(organization=organization, params=params)
    audit_record(
        request=request,
        organization=organization,
        channel=channel,
        action=Action.EXPORTED,
        subject=Subject.RESPONSES,
        detail={
            "format": fmt,
            "filters": filters_of(params, ResponseFilter.base_filters),
        },
    )
    return export_response(
        responses=responses, organization=organization, fmt=fmt, language=language
    )
