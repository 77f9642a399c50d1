"""Responses as CSV and Excel: the right rows and columns, filtered, safe, Aurora's only."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cx.models import Customer, Touchpoint
from insights import exports
from surveys.models import Answer, Question, Response
from tests.insights.conftest import WHEN, make_response, make_survey

API = "/api/v1/responses/export"
STAFF = "/dashboard/export"
QUESTION_KEYS = ["nps", "csat", "ces", "resolved", "comment", "topics", "change"]
# The fixtures' questions read as their keys: each column is "<as asked> (<key>)".
HEADER = [
    "id", "completed_at", "survey", "touchpoint", "journey", "process", "channel",
    "language", "origin", "customer", "segments",
    *(f"{key} ({key})" for key in QUESTION_KEYS),
]  # fmt: skip
EVIL = [
    '=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1",
]  # fmt: skip


@pytest.fixture
def survey(survey):
    """The insights survey, plus a multiple choice and a rating that can go negative."""
    Question.objects.create(
        survey=survey, key="topics", position=6, type=Question.Type.MULTIPLE,
        text={"en": "topics"}, required=False,
        choices=[{"key": "speed", "label": {"en": "Speed"}}],
    )  # fmt: skip
    Question.objects.create(
        survey=survey, key="change", position=7, type=Question.Type.RATING,
        text={"en": "change"}, required=False, scale_min=-100, scale_max=100,
    )  # fmt: skip
    return survey


@pytest.fixture
def responses(aurora, answer, survey, chat, pages, valuable, returner):
    """A named customer's happy chat in two segments; an anonymous visit to the pages."""
    (happy,) = answer(
        chat,
        nps=[10],
        csat=5,
        resolved=1,
        comment="Nopea ja ystävällinen",
        segments=[valuable, returner],
    )
    happy.customer = Customer.objects.create(organization=aurora, external_id="c-1")
    happy.save()
    topics = survey.questions.get(key="topics")
    Answer.objects.create(response=happy, question=topics, choices=["speed", "price"])
    (anonymous,) = answer(pages, nps=[3], completed_at=WHEN + timedelta(days=10))
    anonymous.is_anonymous = True
    anonymous.customer = happy.customer  # never shown for an anonymous response
    anonymous.origin = Response.Origin.PUBLIC_LINK
    anonymous.save()
    return {"happy": happy, "anonymous": anonymous}


def content_of(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = content_of(response).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def xlsx_rows(response) -> list[list[object]]:
    assert response["Content-Type"] == exports.XLSX_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(content_of(response)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def ids(rows: list[list]) -> list[int]:
    return [int(row[0]) for row in rows[1:]]


def test_csv_has_a_row_per_response_with_its_context_and_answers(
    api, responses, mortgage
):
    happy, anonymous = responses["happy"].pk, responses["anonymous"].pk

    rows = csv_rows(api.get(f"{API}.csv"))

    assert rows == [
        HEADER,
        [
            str(anonymous), "2026-03-14T14:00:00+02:00", "Feedback", "Loan pages",
            "Mortgage", "", "web", "fi", "public_link", "", "",
            "3", "", "", "", "", "", "",
        ],
        [
            str(happy), "2026-03-04T14:00:00+02:00", "Feedback", "Advisor chat",
            "Mortgage", "", "chat", "fi", "event", "c-1", "returner,valuable",
            "10", "5", "", "1", "Nopea ja ystävällinen", "speed, price", "",
        ],
    ]  # fmt: skip


def test_xlsx_has_the_same_rows_with_numbers_as_numbers(api, responses):
    happy, anonymous = responses["happy"].pk, responses["anonymous"].pk

    response = api.get(f"{API}.xlsx")
    rows = xlsx_rows(response)

    assert response["Content-Disposition"].startswith(
        'attachment; filename="responses-aurora-'
    )
    assert rows == [
        HEADER,
        [
            anonymous, "2026-03-14T14:00:00+02:00", "Feedback", "Loan pages",
            "Mortgage", None, "web", "fi", "public_link", None, None,
            3, None, None, None, None, None, None,
        ],
        [
            happy, "2026-03-04T14:00:00+02:00", "Feedback", "Advisor chat",
            "Mortgage", None, "chat", "fi", "event", "c-1", "returner,valuable",
            10, 5, None, 1, "Nopea ja ystävällinen", "speed, price", None,
        ],
    ]  # fmt: skip


def test_the_csv_is_utf8_with_a_bom_and_named_for_the_organisation_and_day(
    api, aurora, responses, survey
):
    survey.name = "Palaute: ääni ja öljy"
    survey.save()
    today = timezone.localdate(timezone=aurora.tzinfo)

    response = api.get(f"{API}.csv")
    content = content_of(response)

    assert content.startswith(b"\xef\xbb\xbf")
    assert "Palaute: ääni ja öljy".encode() in content
    assert response["Content-Disposition"] == (
        f'attachment; filename="responses-aurora-{today:%Y-%m-%d}.csv"'
    )
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_lists_filters_apply(api, responses, chat, valuable, fmt):
    read = csv_rows if fmt == "csv" else xlsx_rows
    happy, anonymous = responses["happy"].pk, responses["anonymous"].pk

    assert ids(read(api.get(f"{API}.{fmt}", {"touchpoint": chat.pk}))) == [happy]
    assert ids(read(api.get(f"{API}.{fmt}", {"segment": valuable.pk}))) == [happy]
    assert ids(read(api.get(f"{API}.{fmt}", {"score_max": 6}))) == [anonymous]
    assert ids(read(api.get(f"{API}.{fmt}", {"has_comment": "true"}))) == [happy]
    assert ids(read(api.get(f"{API}.{fmt}", {"since": "2026-03-10"}))) == [anonymous]
    assert ids(read(api.get(f"{API}.{fmt}", {"process": 999_999}))) == []


@pytest.mark.parametrize(
    "query",
    [
        {"score_min": "high"},
        {"since": "last week"},
        {"has_comment": "perhaps"},
        {"state": "lost"},
        {"survey": "9" * 20},
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_bad_filters_are_400_as_in_the_list(api, client, aino, query, fmt):
    answer = api.get(f"{API}.{fmt}", query, HTTP_ACCEPT="text/csv")
    client.force_login(aino)

    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert set(answer.json()["errors"]) == set(query)
    assert client.get(f"{STAFF}.{fmt}", query).status_code == 400


@pytest.fixture
def evil(aurora, survey, chat):
    """A response whose customer id, answers and touchpoint name are formulas."""
    Touchpoint.objects.filter(pk=chat.pk).update(name="=cmd|' /C calc'!A0")
    chat.refresh_from_db()
    for position in range(10, 10 + len(EVIL)):
        Question.objects.create(
            survey=survey, key=f"evil{position}", position=position,
            type=Question.Type.TEXT, text={"en": "?"}, required=False,
        )  # fmt: skip
    response = make_response(
        survey,
        chat,
        {"change": -40, **{f"evil{n}": text for n, text in enumerate(EVIL, start=10)}},
    )
    response.customer = Customer.objects.create(
        organization=aurora, external_id="@SUM(1+1)*cmd|' /C calc'!A0"
    )
    response.save()
    topics = survey.questions.get(key="topics")
    Answer.objects.create(response=response, question=topics, choices=["-2+3", "x"])
    return response


def _cells(header: list, row: list) -> dict[str, object]:
    """Return the row by column key: a question's key is in brackets at the end."""
    keys = [title.rsplit("(", 1)[-1].rstrip(")") for title in header]
    return dict(zip(keys, row, strict=True))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formulas_come_out_as_text_and_negative_numbers_as_numbers(api, evil, fmt):
    read = csv_rows if fmt == "csv" else xlsx_rows

    header, row = read(api.get(f"{API}.{fmt}"))
    cells = _cells(header, row)

    expected = [f"'{text}" for text in EVIL]
    if fmt == "xlsx":  # XML reads a raw carriage return as a line feed
        expected = [text.replace("\r", "\n") for text in expected]
    assert [cells[f"evil{n}"] for n in range(10, 16)] == expected
    assert cells["touchpoint"] == "'=cmd|' /C calc'!A0"
    assert cells["customer"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert cells["topics"] == "'-2+3, x"
    assert cells["change"] == ("-40" if fmt == "csv" else -40)


def test_no_excel_cell_is_a_formula(api, evil):
    workbook = openpyxl.load_workbook(io.BytesIO(content_of(api.get(f"{API}.xlsx"))))

    types = {cell.data_type for row in workbook.active.iter_rows() for cell in row}

    assert "f" not in types and "n" in types  # the -40 is stored as a number


def test_another_organisation_gets_none_of_auroras_rows(
    outsider_api, other_org, responses
):
    own = make_response(make_survey(other_org, name="Theirs"), None, {"nps": 9})

    for rows in (
        csv_rows(outsider_api.get(f"{API}.csv")),
        xlsx_rows(outsider_api.get(f"{API}.xlsx")),
    ):
        assert ids(rows) == [own.pk]
        assert "Feedback" not in str(rows) and "c-1" not in str(rows)


def test_an_outsiders_login_gets_none_of_auroras_rows(client, olli, responses):
    client.force_login(olli)

    assert ids(csv_rows(client.get(f"{STAFF}.csv"))) == []
    assert ids(xlsx_rows(client.get(f"{STAFF}.xlsx"))) == []


def test_without_a_login_or_key_there_is_no_file(client, api, responses):
    for fmt in ("csv", "xlsx"):
        answer = client.get(f"{STAFF}.{fmt}")
        assert answer.status_code == 302 and "/login" in answer["Location"]
        assert client.get(f"{API}.{fmt}").status_code == 401


def test_staff_download_the_same_files_from_the_dashboard(client, aino, responses):
    client.force_login(aino)
    happy = responses["happy"].pk

    page = client.get("/dashboard/").content.decode()
    csv_file = client.get(f"{STAFF}.csv", {"has_comment": "true"})
    xlsx_file = client.get(f"{STAFF}.xlsx", {"has_comment": "true"})

    assert f'href="{STAFF}.csv"' in page and f'href="{STAFF}.xlsx"' in page
    assert ids(csv_rows(csv_file)) == [happy]
    assert ids(xlsx_rows(xlsx_file)) == [happy]
    assert csv_file["Content-Disposition"].startswith(
        'attachment; filename="responses-aurora-'
    )


def test_an_export_reads_its_rows_in_chunks_of_a_few_queries(
    api, answer, chat, valuable, monkeypatch
):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 10)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            content_of(api.get(f"{API}.csv"))
        return len(captured)

    answer(chat, nps=list(range(10)), comment="ok", segments=[valuable])
    queries()  # notes the API key's use, which is written once a minute
    one_chunk = queries()
    answer(chat, nps=list(range(10)) * 3, comment="ok", segments=[valuable])

    # Three more chunks of ten: each reads its answers and its segments, nothing else.
    assert queries() - one_chunk == 3 * 2


def test_xlsx_says_what_each_question_column_asked_and_what_its_scale_means(
    api, responses, survey
):
    survey.questions.filter(key="nps").update(
        text={"fi": "Suosittelisitko meitä?", "en": "Would you recommend us?"}
    )

    workbook = openpyxl.load_workbook(io.BytesIO(content_of(api.get(f"{API}.xlsx"))))
    legend = {
        row[0]: row
        for row in workbook.worksheets[1].iter_rows(values_only=True)  # Aurora: fi
    }

    assert legend["Suosittelisitko meitä? (nps)"][1:] == (
        "Suosittelisitko meitä?", "Net Promoter Score (0–10)", "0–10",
        "ei lainkaan todennäköisesti", "erittäin todennäköisesti",
    )  # fmt: skip
    assert legend["ces (ces)"][4:] == ("täysin eri mieltä", "täysin samaa mieltä")
    assert legend["change (change)"][3] == "'-100–100"  # neutralised like every cell


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_names_touchpoints_and_journeys_in_the_organisations_language(
    api, responses, pages, mortgage, fmt
):
    pages.name_translations = {"fi": "Lainasivut", "en": "Loan pages"}
    pages.save()
    mortgage.name_translations = {"fi": "Asuntolaina", "sv": "Bolån"}
    mortgage.save()

    got = api.get(f"{API}.{fmt}")
    rows = csv_rows(got) if fmt == "csv" else xlsx_rows(got)

    # Aurora writes Finnish: its Finnish names; the chat has none, so its own name.
    context = {str(row[0]): (row[3], row[4]) for row in rows[1:]}
    assert context[str(responses["anonymous"].pk)] == ("Lainasivut", "Asuntolaina")
    assert context[str(responses["happy"].pk)] == ("Advisor chat", "Asuntolaina")


@pytest.mark.parametrize(
    ("language", "asked"),
    [
        ("fi", "Suosittelisitko meitä? (nps)"),
        ("sv", "Skulle du rekommendera oss? (nps)"),
        ("en", "Would you recommend us? (nps)"),
    ],
)
def test_staff_read_each_question_column_as_asked_in_their_language(
    client, aino, responses, survey, language, asked
):
    survey.questions.filter(key="nps").update(
        text={
            "fi": "Suosittelisitko meitä?",
            "sv": "Skulle du rekommendera oss?",
            "en": "Would you recommend  us?\n",  # as typed; the title is one line
        }
    )
    client.force_login(aino)
    client.post("/i18n/setlang/", {"language": language, "next": "/dashboard/"})

    header = csv_rows(client.get(f"{STAFF}.csv"))[0]
    workbook = openpyxl.load_workbook(
        io.BytesIO(content_of(client.get(f"{STAFF}.xlsx")))
    )
    sheet_header = next(workbook.worksheets[0].iter_rows(values_only=True))
    legend = [row[0] for row in workbook.worksheets[1].iter_rows(values_only=True)]

    assert header[11] == asked  # the first question column, after the context
    assert header[:11] == HEADER[:11]  # the context columns keep their names
    assert list(sheet_header) == header  # the Excel file's header is the same
    assert legend[1:] == header[11:]  # its Questions sheet names the same columns
