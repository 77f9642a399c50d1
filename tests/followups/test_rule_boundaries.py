"""Follow-up thresholds at their edges: one point either side opens a case or does not.

Pure: the rules take thresholds and answers, no database. Each limit is tried at the
threshold and one unit past it, with the defaults and with thresholds of an
organisation's own that differ from them.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from followups.rules import (
    NOT_RESOLVED,
    GivenAnswer,
    Thresholds,
    reason_text,
    reasons,
)

DEFAULTS = Thresholds()


@pytest.mark.parametrize(
    ("kind", "label", "at_limit"),
    [("nps", "NPS", 6), ("csat", "CSAT", 2), ("ces", "CES", 3)],
)
def test_default_thresholds_open_at_the_limit_and_not_one_above(
    kind: str, label: str, at_limit: int
) -> None:
    assert reasons(DEFAULTS, [GivenAnswer(kind, at_limit)]) == [f"{label} {at_limit}"]
    assert reasons(DEFAULTS, [GivenAnswer(kind, at_limit + 1)]) == []


@pytest.mark.parametrize(
    ("kind", "label", "own"),
    [("nps", "NPS", 4), ("nps", "NPS", 8), ("csat", "CSAT", 3), ("ces", "CES", 1)],
)
def test_an_organisations_own_threshold_replaces_the_default(
    kind: str, label: str, own: int
) -> None:
    thresholds = Thresholds(**{f"{kind}_at_most": own})

    assert reasons(thresholds, [GivenAnswer(kind, own)]) == [f"{label} {own}"]
    assert reasons(thresholds, [GivenAnswer(kind, own + 1)]) == []


@pytest.mark.parametrize("kind", ["nps", "csat", "ces"])
def test_a_threshold_turned_off_opens_nothing_even_at_the_lowest_score(
    kind: str,
) -> None:
    thresholds = Thresholds(**{f"{kind}_at_most": None})

    assert reasons(thresholds, [GivenAnswer(kind, 0)]) == []


def test_a_score_left_empty_opens_nothing() -> None:
    assert reasons(DEFAULTS, [GivenAnswer("nps", None), GivenAnswer("fcr")]) == []


def test_not_resolved_opens_only_on_no_and_only_while_enabled() -> None:
    assert reasons(DEFAULTS, [GivenAnswer("fcr", 0)]) == [NOT_RESOLVED]
    assert reasons(DEFAULTS, [GivenAnswer("fcr", 1)]) == []
    assert reasons(Thresholds(fcr_no=False), [GivenAnswer("fcr", 0)]) == []


def test_a_score_of_another_question_type_is_no_reason() -> None:
    assert reasons(DEFAULTS, [GivenAnswer("rating", 0)]) == []


def test_keywords_match_any_case_inside_words_and_ignore_blank_ones() -> None:
    thresholds = Thresholds(keywords=("  Cancel ", " ", "jono"))

    found = reasons(
        thresholds, [GivenAnswer("text", text="I will CANCELLATE; jonottaa")]
    )

    assert found == ["comment mentions 'cancel'", "comment mentions 'jono'"]
    assert reasons(thresholds, [GivenAnswer("text", text="all fine")]) == []
    assert reasons(Thresholds(), [GivenAnswer("text", text="cancel")]) == []


def test_a_scored_answer_with_a_comment_gives_both_reasons_in_order() -> None:
    thresholds = Thresholds(keywords=("slow",))

    found = reasons(
        thresholds,
        [GivenAnswer("csat", 1, text="slow"), GivenAnswer("fcr", 0, text="")],
    )

    assert found == ["CSAT 1", "comment mentions 'slow'", NOT_RESOLVED]


def test_reason_text_translates_the_words_and_keeps_the_scores() -> None:
    stored = "CSAT 2; not resolved on first contact; comment mentions 'peru'"

    with translation.override("fi"):
        shown = reason_text(stored)

    parts = shown.split("; ")
    assert parts[0] == "CSAT 2"
    assert parts[1] != NOT_RESOLVED and parts[1]
    assert "peru" in parts[2] and "comment mentions" not in parts[2]
    with translation.override("en"):
        assert reason_text(stored) == (
            "CSAT 2; not resolved on first contact; the comment mentions “peru”"
        )
