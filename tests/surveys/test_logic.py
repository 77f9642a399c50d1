"""Question conditions and piping, without a database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from surveys.logic import Context, pipe, shows, validate_condition

LOW_NPS = {"any": [{"question": "nps", "operator": "lte", "value": 6}]}


@pytest.mark.parametrize(
    ("nps", "shown"), [(0, True), (6, True), (7, False), (10, False)]
)
def test_follow_up_shows_only_for_detractors(nps, shown):
    assert shows(LOW_NPS, Context(answers={"nps": nps})) is shown


def test_an_unanswered_question_satisfies_only_ne():
    assert not shows(LOW_NPS, Context())
    assert shows({"question": "nps", "operator": "ne", "value": 3}, Context())


def test_no_condition_always_shows():
    assert shows(None, Context()) and shows({}, Context())


def test_segment_and_attribute_conditions():
    valuable = Context(segments=frozenset({"valuable"}), attributes={"tier": "gold"})

    assert shows({"segment": "valuable", "operator": "in"}, valuable)
    assert not shows({"segment": "valuable", "operator": "not_in"}, valuable)
    assert shows({"attribute": "tier", "operator": "eq", "value": "gold"}, valuable)
    assert not shows(
        {"attribute": "tier", "operator": "eq", "value": "gold"}, Context()
    )


def test_all_and_any_combine():
    rule = {
        "all": [
            {"question": "ces", "operator": "lte", "value": 3},
            {
                "any": [
                    {"segment": "new", "operator": "in"},
                    {"question": "fcr", "operator": "eq", "value": 0},
                ]
            },
        ]
    }

    assert shows(rule, Context(answers={"ces": 2, "fcr": 0}))
    assert shows(rule, Context(answers={"ces": 2}, segments=frozenset({"new"})))
    assert not shows(rule, Context(answers={"ces": 5, "fcr": 0}))


def test_text_is_never_less_than_a_number():
    assert not shows(LOW_NPS, Context(answers={"nps": "3"}))


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (
            {"question": "later", "operator": "eq", "value": 1},
            "not an earlier question",
        ),
        (
            {"question": "nps", "operator": "like", "value": 1},
            "'operator' must be one of",
        ),
        ({"question": "nps", "operator": "eq"}, "needs a 'value'"),
        ({"segment": "x", "operator": "eq"}, "'in' or 'not_in'"),
        ({"all": [], "any": []}, "the only key"),
        ("nps <= 6", "must be an object"),
    ],
)
def test_malformed_conditions_are_refused(condition, message):
    with pytest.raises(ValidationError, match=message):
        validate_condition(condition, earlier={"nps"})


def test_piping_fills_known_values_and_blanks_the_rest():
    text = (
        "Hei {first_name}! Miten {touchpoint} {date} sujui? "
        "Summa {event.amount} {event.nope} {oops}"
    )

    piped = pipe(text, {"first_name": "Maija", "touchpoint": "chat", "date": "20.11.2026",
                        "event": {"amount": 250000}})  # fmt: skip

    assert piped == "Hei Maija! Miten chat 20.11.2026 sujui? Summa 250000  {oops}"


def test_piping_leaves_markup_to_the_template():
    assert pipe("{first_name}", {"first_name": "<b>x</b>"}) == "<b>x</b>"


def test_a_condition_reads_as_a_short_formula_for_staff():
    from surveys.logic import describe

    assert describe(None) == ""
    assert describe({"any": [{"question": "csat", "operator": "lte", "value": 3}]}) == (
        "csat ≤ 3"
    )
    assert (
        describe(
            {
                "all": [
                    {"segment": "valuable", "operator": "not_in"},
                    {
                        "any": [
                            {"question": "nps", "operator": "lte", "value": 6},
                            {"attribute": "age", "operator": "gte", "value": 30},
                        ]
                    },
                ]
            }
        )
        == "not in segment valuable and (nps ≤ 6 or age ≥ 30)"
    )


def test_only_conditions_on_segments_or_attributes_need_the_customer():
    from surveys.logic import mentions_customer

    assert not mentions_customer(None)
    assert not mentions_customer(
        {"any": [{"question": "csat", "operator": "lte", "value": 3}]}
    )
    assert mentions_customer(
        {"all": [{"question": "csat", "operator": "lte", "value": 3},
                 {"segment": "valuable", "operator": "in"}]}
    )  # fmt: skip
    assert mentions_customer({"attribute": "age", "operator": "gte", "value": 30})
