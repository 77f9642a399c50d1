"""Cells of an export: text a spreadsheet could run is neutralised, numbers stay numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from insights.exports import csv_chunks, neutralise


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-40", "'-40"),  # text that looks like a number is still text
    ],
)
def test_text_that_could_start_a_formula_gets_an_apostrophe(text, cell):
    assert neutralise(text) == cell


@pytest.mark.parametrize(
    "text", ["Quick and kind", "Nopea ja ystävällinen", "a=1", "1+1", "", "'quoted"]
)
def test_other_text_is_kept_as_it_is(text):
    assert neutralise(text) == text


def test_numbers_stay_numbers_even_when_negative():
    for number in (-40, 0, 10, -2.5, Decimal("-3.5")):
        assert neutralise(number) == number
        assert type(neutralise(number)) is type(number)


def test_nothing_is_an_empty_cell():
    assert neutralise(None) == ""


def test_control_characters_are_dropped_so_none_hides_a_formula():
    assert neutralise("\x00=1") == "'=1"
    assert neutralise("a\x07b\x1fc") == "abc"
    assert neutralise("line\nbreak") == "line\nbreak"


def test_csv_starts_with_a_bom_and_quotes_what_needs_it():
    table = [["id", "comment"], [1, "'=1"], [2, 'Hyvä, "kiitos"\nrivi']]

    content = b"".join(csv_chunks(table))

    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig") == (
        'id,comment\r\n1,\'=1\r\n2,"Hyvä, ""kiitos""\nrivi"\r\n'
    )
