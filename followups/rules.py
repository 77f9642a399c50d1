"""Which answers call for a follow-up: pure rules, no database."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

NOT_RESOLVED = "not resolved on first contact"
KEYWORD = re.compile(r"comment mentions '(?P<word>.*)'")


@dataclass(frozen=True)
class Thresholds:
    """A policy's triggers; None turns one off."""

    nps_at_most: int | None = 6
    csat_at_most: int | None = 2
    ces_at_most: int | None = 3
    fcr_no: bool = True
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class GivenAnswer:
    """One answer as the rules see it: its question type, number and free text."""

    type: str  # nps | csat | ces | fcr | text | ...
    number: int | None = None
    text: str = ""


def reasons(thresholds: Thresholds, answers: Iterable[GivenAnswer]) -> list[str]:
    """Return why these answers need a follow-up (empty when they do not).

    Reasons are short and in English on purpose: they are stored on the case and read
    like data ("NPS 3", "comment mentions 'cancel'").
    """
    found: list[str] = []
    limits = {
        "nps": ("NPS", thresholds.nps_at_most),
        "csat": ("CSAT", thresholds.csat_at_most),
        "ces": ("CES", thresholds.ces_at_most),
    }
    words = [word.strip().casefold() for word in thresholds.keywords if word.strip()]
    for answer in answers:
        if answer.type in limits and answer.number is not None:
            label, limit = limits[answer.type]
            if limit is not None and answer.number <= limit:
                found.append(f"{label} {answer.number}")
        elif answer.type == "fcr" and thresholds.fcr_no and answer.number == 0:
            found.append(NOT_RESOLVED)
        if answer.text and words:
            text = answer.text.casefold()
            found.extend(f"comment mentions '{w}'" for w in words if w in text)
    return found


def reason_text(reason: str) -> str:
    """Return a stored reason ("CSAT 2; not resolved on first contact") for reading.

    In the active language: the stored form stays English data, every page and email
    shows it translated. A score ("NPS 3") reads the same in every language.
    """
    parts = []
    for part in reason.split("; "):
        keyword = KEYWORD.fullmatch(part)
        if part == NOT_RESOLVED:
            parts.append(_("not resolved on first contact"))
        elif keyword:
            parts.append(
                _("the comment mentions “%(word)s”") % {"word": keyword["word"]}
            )
        else:
            parts.append(part)
    return "; ".join(parts)
