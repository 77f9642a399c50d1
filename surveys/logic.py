"""Question logic and piping. Pure: no database.

**Conditions** decide whether a question is shown. A condition is an AND/OR tree like a
segment rule (``{"all": [...]}`` / ``{"any": [...]}``) of:

- ``{"question": "<key>", "operator": "eq|ne|lt|lte|gt|gte|in", "value": ...}`` on an
  earlier answer (an unanswered question satisfies only ``ne``);
- ``{"segment": "<key>", "operator": "in|not_in"}`` on the customer's segments;
- ``{"attribute": "<name>", "operator": ..., "value": ...}`` on customer attributes, with
  the operators of :mod:`cx.segmentation`.

``None`` means always shown.

**Piping** fills ``{first_name}``, ``{touchpoint}``, ``{date}`` and ``{event.<property>}``
into question texts; an unknown or missing value becomes empty text, never an error.
The result is plain text: templates escape it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from cx import segmentation

ANSWER_OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in")


@dataclass(frozen=True)
class Context:
    """What a condition or a piped text may refer to."""

    answers: Mapping[str, Any] = field(default_factory=dict)  # question key → value
    segments: frozenset[str] = frozenset()
    attributes: Mapping[str, Any] = field(default_factory=dict)


def _compare(actual: Any, operator: str, value: Any) -> bool:
    if operator == "in":
        return actual in value if isinstance(value, list) else False
    if operator == "eq":
        return actual == value
    if operator == "ne":
        return actual != value
    if not isinstance(actual, int | float) or isinstance(actual, bool):
        return False
    return {
        "lt": actual < value,
        "lte": actual <= value,
        "gt": actual > value,
        "gte": actual >= value,
    }[operator]


def shows(condition: Mapping[str, Any] | None, context: Context) -> bool:
    """Return whether a question with ``condition`` is shown in ``context``."""
    if not condition:
        return True
    if "all" in condition:
        return all(shows(member, context) for member in condition["all"])
    if "any" in condition:
        return any(shows(member, context) for member in condition["any"])
    if "question" in condition:
        key = condition["question"]
        if key not in context.answers:
            return condition["operator"] == "ne"
        return _compare(
            context.answers[key], condition["operator"], condition.get("value")
        )
    if "segment" in condition:
        inside = condition["segment"] in context.segments
        return inside if condition["operator"] == "in" else not inside
    return segmentation.evaluate(condition, context.attributes)


def mentions_customer(condition: Mapping[str, Any] | None) -> bool:
    """Return whether ``condition`` looks at the customer (segments or attributes)."""
    if not condition:
        return False
    for group in ("all", "any"):
        if group in condition:
            return any(mentions_customer(member) for member in condition[group])
    return "question" not in condition


SYMBOLS = {
    "eq": "=", "ne": "≠", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "in": "in",
    "not_in": "not in", "exists": "exists",
}  # fmt: skip


def describe(condition: Mapping[str, Any] | None) -> str:
    """Return ``condition`` as a short formula for staff ("csat ≤ 3 or nps ≤ 6")."""
    if not condition:
        return ""
    for group, joiner in (("all", " and "), ("any", " or ")):
        if group in condition:
            parts = [describe(member) for member in condition[group]]
            text = joiner.join(parts)
            return f"({text})" if len(parts) > 1 and group == "any" else text
    operator = str(condition.get("operator"))
    symbol = SYMBOLS.get(operator, operator)
    if "segment" in condition:  # "in segment valuable", "not in segment new"
        return f"{symbol} segment {condition['segment']}"
    subject = condition.get("question") or condition.get("attribute", "?")
    return f"{subject} {symbol} {condition.get('value')!s}"


def validate_condition(condition: Any, *, earlier: set[str], depth: int = 0) -> None:
    """Raise ``ValidationError`` unless ``condition`` is well formed.

    ``earlier`` holds the keys of the questions before this one: a condition may only
    look back.
    """
    if condition is None:
        return
    if depth > segmentation.MAX_DEPTH or not isinstance(condition, Mapping):
        raise ValidationError("A condition must be an object, nested at most 8 deep.")
    for group in ("all", "any"):
        if group in condition:
            if len(condition) != 1 or not isinstance(condition[group], list):
                raise ValidationError(f"'{group}' must be the only key, with a list.")
            for member in condition[group]:
                validate_condition(member, earlier=earlier, depth=depth + 1)
            return
    if "question" in condition:
        if condition["question"] not in earlier:
            raise ValidationError(
                f"Condition refers to '{condition['question']}', which is not an earlier question."
            )
        if condition.get("operator") not in ANSWER_OPERATORS:
            raise ValidationError(
                f"'operator' must be one of {', '.join(ANSWER_OPERATORS)}."
            )
        if "value" not in condition:
            raise ValidationError("A condition on an answer needs a 'value'.")
        return
    if "segment" in condition:
        if condition.get("operator") not in ("in", "not_in"):
            raise ValidationError("A segment condition's operator is 'in' or 'not_in'.")
        return
    segmentation.validate_rule(condition)


PLACEHOLDER = re.compile(r"\{(first_name|touchpoint|date|event\.[A-Za-z0-9_]+)\}")


def pipe(text: str, values: Mapping[str, Any]) -> str:
    """Return ``text`` with its placeholders filled from ``values`` (missing → empty)."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("event."):
            properties = values.get("event") or {}
            value = (
                properties.get(name.removeprefix("event."))
                if isinstance(properties, Mapping)
                else None
            )
        else:
            value = values.get(name)
        return "" if value is None else str(value)

    return PLACEHOLDER.sub(fill, text)
