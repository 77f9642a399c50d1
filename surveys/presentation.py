"""How an answer is shown, everywhere: the question as asked, the score on its scale.

One module for every place a person reads an answer: the answer page and the email's
one-click row (a scale's end labels), and the staff pages, staff emails and exports
(the question in the response's language, "2 / 7 · difficult", coloured by category).
The end labels follow the question type (NPS likelihood, CSAT satisfaction, CES
agreement with a statement, FCR yes/no) unless the survey overrides them per question.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from surveys.models import Answer, Question, Response
from surveys.models.surveys import translate

Type = Question.Type

# What the lowest and the highest score mean, per question type.
SCALE_ENDS: dict[str, tuple[Promise, Promise]] = {
    Type.NPS: (_("not at all likely"), _("extremely likely")),
    Type.CSAT: (_("very dissatisfied"), _("very satisfied")),
    Type.CES: (_("strongly disagree"), _("strongly agree")),
    Type.FCR: (_("No"), _("Yes")),
    Type.RATING: (_("not at all"), _("very much")),
}

# Category and meaning of a score, per type: (highest score of the band, category,
# meaning), bands in rising order. NPS bands follow the standard; CSAT counts 4–5 as
# satisfied and CES 5–7 as agreeing that it was easy (DESIGN.md § 6).
BANDS: dict[str, tuple[tuple[int, str, Promise], ...]] = {
    Type.NPS: (
        (6, "detractor", _("detractor")),
        (8, "passive", _("passive")),
        (10, "promoter", _("promoter")),
    ),
    Type.CSAT: (
        (2, "low", _("dissatisfied")),
        (3, "neutral", _("neutral")),
        (5, "high", _("satisfied")),
    ),
    Type.CES: (
        (3, "low", _("difficult")),
        (4, "neutral", _("neutral")),
        (7, "high", _("easy")),
    ),
    Type.FCR: (
        (0, "low", _("not resolved on first contact")),
        (1, "high", _("resolved on first contact")),
    ),
}

CATEGORY_LABELS: dict[str, Promise] = {
    "detractor": _("detractor"),
    "passive": _("passive"),
    "promoter": _("promoter"),
    "low": _("low"),
    "neutral": _("neutral"),
    "high": _("high"),
}


def scale_ends(question: Question, language: str) -> tuple[str, str]:
    """Return what the question's lowest and highest answers mean, in ``language``.

    A survey's own label in that language wins; otherwise the type's wording. A label
    given only in another language is not used: a Finnish page never shows English.
    """
    low, high = SCALE_ENDS.get(question.type, SCALE_ENDS[Type.RATING])
    with translation.override(language):
        return (
            (question.scale_low_label or {}).get(language) or str(low),
            (question.scale_high_label or {}).get(language) or str(high),
        )


def category_of(question: Question, number: int) -> tuple[str, str]:
    """Return the score's category (detractor… or low/neutral/high) and meaning.

    Call with the reader's language active; a rating scale has no words of its own,
    so its meaning is empty and its thirds are low, neutral and high.
    """
    for upper, category, meaning in BANDS.get(question.type, ()):
        if number <= upper:
            return category, str(meaning)
    if question.type in BANDS:
        return "", ""
    low, high = question.scale() or (0, 0)
    third = (high - low) / 3
    if number < low + third:
        return "low", ""
    if number > high - third:
        return "high", ""
    return "neutral", ""


@dataclass(frozen=True)
class ShownAnswer:
    """One answer as a person reads it."""

    key: str
    type: str
    question: str  # as asked, in the response's language
    value: str  # "2 / 7", "Yes", "price, waiting", or the comment itself
    meaning: str = ""  # "difficult", "promoter"
    category: str = ""  # detractor | passive | promoter | low | neutral | high | ""
    number: int | None = None
    is_comment: bool = False

    @property
    def is_score(self) -> bool:
        return self.number is not None and not self.is_comment

    @property
    def category_label(self) -> str:
        label = CATEGORY_LABELS.get(self.category)
        return str(label) if label else ""

    @property
    def short(self) -> str:
        """Return "CES 2 / 7 · difficult" for a list row or an email line."""
        name = self.type.upper() if self.type in BANDS else self.key
        return " · ".join(
            part for part in (f"{name} {self.value}", self.meaning) if part
        )

    def __str__(self) -> str:
        return " · ".join(part for part in (self.value, self.meaning) if part)


def answer_shown(answer: Answer, language: str) -> ShownAnswer:
    """Return ``answer`` as read: question text in ``language``, value in the active one."""
    question = answer.question
    asked = translate(question.text, language) or question.key
    common: dict[str, Any] = {
        "key": question.key,
        "type": question.type,
        "question": asked,
    }
    if answer.number is not None and question.is_score:
        category, meaning = category_of(question, answer.number)
        if question.type == Type.FCR:
            value = str(_("Yes") if answer.number else _("No"))
        else:
            value = f"{answer.number} / {(question.scale() or (0, 0))[1]}"
        return ShownAnswer(
            **common, value=value, meaning=meaning, category=category,
            number=answer.number,
        )  # fmt: skip
    if answer.choices:
        labels = [question.choice_label(str(key), language) for key in answer.choices]
        return ShownAnswer(**common, value=", ".join(labels))
    return ShownAnswer(**common, value=answer.text, is_comment=bool(answer.text))


def response_answers(
    response: Response, answers: Iterable[Answer] | None = None
) -> list[ShownAnswer]:
    """Return every answer of ``response`` in question order, as read.

    Uses prefetched ``answers__question`` when there; else one query.
    """
    if answers is None:
        answers = response.answers.all()
    ordered = sorted(answers, key=lambda answer: answer.question.position)
    return [answer_shown(answer, response.language) for answer in ordered]


def scores_of(shown: Iterable[ShownAnswer]) -> list[ShownAnswer]:
    return [answer for answer in shown if answer.is_score]


def comments_of(shown: Iterable[ShownAnswer]) -> list[ShownAnswer]:
    return [answer for answer in shown if answer.is_comment]


def headline_category(shown: Iterable[ShownAnswer]) -> str:
    """Return the category a list row is coloured by: its first score's."""
    return next((answer.category for answer in shown if answer.is_score), "")


def question_column(question: Question, language: str) -> str:
    """Return an export's column title: the question as asked, then its key.

    "How likely are you to recommend us? (nps)": readable in a spreadsheet, and the key
    in the brackets stays what scripts match on.
    """
    asked = " ".join(translate(question.text, language).split())
    return f"{asked} ({question.key})" if asked else question.key


def question_legend(question: Question, language: str) -> list[str]:
    """Return a question as an export's legend row: key, text as asked, scale, ends.

    Call with the reader's language active (for the ends); the text is in ``language``.
    """
    scale = question.scale()
    low, high = scale_ends(question, language) if scale else ("", "")
    return [
        question_column(question, language),
        translate(question.text, language),
        question.get_type_display(),
        f"{scale[0]}–{scale[1]}" if scale else "",
        low,
        high,
    ]
