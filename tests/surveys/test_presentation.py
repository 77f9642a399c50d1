"""How a score reads: its category and meaning on each scale (no database)."""

from __future__ import annotations

import pytest
from django.utils import translation

from surveys.models import Answer, Question
from surveys.presentation import answer_shown, category_of, scale_ends


def question(kind: str, **fields: object) -> Question:
    return Question(
        key=kind, type=kind, text={"fi": "Kysymys", "en": "Question"}, **fields
    )


@pytest.mark.parametrize(
    ("kind", "number", "expected"),
    [
        ("nps", 0, ("detractor", "detractor")),
        ("nps", 6, ("detractor", "detractor")),
        ("nps", 7, ("passive", "passive")),
        ("nps", 8, ("passive", "passive")),
        ("nps", 9, ("promoter", "promoter")),
        ("csat", 2, ("low", "dissatisfied")),
        ("csat", 3, ("neutral", "neutral")),
        ("csat", 4, ("high", "satisfied")),
        ("ces", 3, ("low", "difficult")),
        ("ces", 4, ("neutral", "neutral")),
        ("ces", 5, ("high", "easy")),
        ("fcr", 0, ("low", "not resolved on first contact")),
        ("fcr", 1, ("high", "resolved on first contact")),
    ],
)
def test_each_score_has_the_category_and_meaning_of_its_scale(kind, number, expected):
    with translation.override("en"):
        assert category_of(question(kind), number) == expected


def test_a_rating_scale_is_split_in_thirds_without_words():
    rating = question("rating", scale_min=1, scale_max=7)

    assert [category_of(rating, n)[0] for n in range(1, 8)] == [
        "low", "low", "neutral", "neutral", "neutral", "high", "high",
    ]  # fmt: skip


def test_the_question_is_in_the_responses_language_the_value_in_the_readers():
    shown = answer_shown(Answer(question=question("ces"), number=2), "fi")

    with translation.override("en"):
        assert (shown.question, str(shown)) == ("Kysymys", "2 / 7 · difficult")
        assert shown.short == "CES 2 / 7 · difficult"
        assert shown.category == "low"


def test_a_label_in_another_language_is_never_shown():
    csat = question("csat", scale_low_label={"en": "poor"})

    assert scale_ends(csat, "en")[0] == "poor"
    assert scale_ends(csat, "fi")[0] == "erittäin tyytymätön"
