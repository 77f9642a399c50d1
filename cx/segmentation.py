"""Segment rules: a small AND/OR language over customer attributes.

A rule is either a condition or a group::

    {"attribute": "tier", "operator": "eq", "value": "gold"}
    {"any": [<rule>, ...]}          # OR
    {"all": [<rule>, ...]}          # AND  ({"all": []} matches everyone)

Operators: ``eq``, ``ne``, ``lt``, ``lte``, ``gt``, ``gte`` (numbers only), ``in`` (value
is a list), ``contains`` (case-insensitive substring of a text attribute), ``exists``
(value true/false).

The same rule is evaluated for one customer in Python (:func:`evaluate`, no database) and
turned into a ``Q`` for counts in SQL (:func:`to_q`); tests hold the two to the same answers.
A missing attribute satisfies only ``ne`` and ``exists: false``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler, _AsSqlType

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import NotSupportedError
from django.db.models import BooleanField, F, Func, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.lookups import IContains

# Customer attributes under this prefix hold a learned risk (0–1) that the predictions
# app keeps current; a trigger rule whose segments read one acts on a prediction, so it
# keeps a holdout (surveys.services.triggers).
PREDICTION_ATTRIBUTE_PREFIX = "risk_"

OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "contains", "exists")
ORDERING_OPERATORS = ("lt", "lte", "gt", "gte")
MAX_DEPTH = 8

Rule = Mapping[str, Any]


def match_all() -> dict[str, list[object]]:
    """Return the rule that matches every customer."""
    return {"all": []}


def validate_rule(rule: object, *, depth: int = 0) -> None:
    """Raise ``ValidationError`` unless ``rule`` is a well-formed segment rule."""
    if depth > MAX_DEPTH:
        raise ValidationError(f"Rules may nest at most {MAX_DEPTH} groups deep.")
    if not isinstance(rule, Mapping):
        raise ValidationError("A rule must be an object.")
    groups = [key for key in ("all", "any") if key in rule]
    if groups:
        if len(rule) != 1:
            raise ValidationError("A group has exactly one key: 'all' or 'any'.")
        members = rule[groups[0]]
        if not isinstance(members, list):
            raise ValidationError(f"'{groups[0]}' must be a list of rules.")
        for member in members:
            validate_rule(member, depth=depth + 1)
        return
    unknown = set(rule) - {"attribute", "operator", "value"}
    if unknown:
        raise ValidationError(
            f"Unknown keys in condition: {', '.join(sorted(unknown))}."
        )
    attribute, operator = rule.get("attribute"), rule.get("operator")
    if not isinstance(attribute, str) or not attribute or "__" in attribute:
        raise ValidationError("'attribute' must be a non-empty name without '__'.")
    if operator not in OPERATORS:
        raise ValidationError(f"'operator' must be one of {', '.join(OPERATORS)}.")
    if "value" not in rule:
        raise ValidationError("A condition needs a 'value'.")
    value = rule["value"]
    if operator in ORDERING_OPERATORS and not _is_number(value):
        raise ValidationError(
            f"'{operator}' compares numbers; 'value' must be a number."
        )
    if operator == "in" and not isinstance(value, list):
        raise ValidationError("'in' needs a list as 'value'.")
    if operator == "contains" and not isinstance(value, str):
        raise ValidationError("'contains' needs a text 'value'.")
    if operator == "exists" and not isinstance(value, bool):
        raise ValidationError("'exists' needs true or false as 'value'.")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def attributes_read(rule: Rule) -> set[str]:
    """Return the names of the attributes ``rule`` reads."""
    if "all" in rule or "any" in rule:
        members = rule.get("all", rule.get("any", []))
        return set().union(*(attributes_read(member) for member in members))
    return {rule["attribute"]}


def predictions_read(rule: Rule) -> set[str]:
    """Return the prediction (risk) attributes ``rule`` reads."""
    return {
        name
        for name in attributes_read(rule)
        if name.startswith(PREDICTION_ATTRIBUTE_PREFIX)
    }


def evaluate(rule: Rule, attributes: Mapping[str, Any]) -> bool:
    """Return whether a customer with ``attributes`` satisfies ``rule``."""
    if "all" in rule:
        return all(evaluate(member, attributes) for member in rule["all"])
    if "any" in rule:
        return any(evaluate(member, attributes) for member in rule["any"])
    name, operator, value = rule["attribute"], rule["operator"], rule["value"]
    present = name in attributes
    actual = attributes.get(name)
    if operator == "exists":
        return present is value
    if operator == "ne":
        return not present or actual != value
    if not present:
        return False
    if operator == "eq":
        return actual == value
    if operator == "in":
        return actual in value
    if operator == "contains":
        return isinstance(actual, str) and value.casefold() in actual.casefold()
    if not _is_number(actual):
        return False
    return {
        "lt": actual < value,
        "lte": actual <= value,
        "gt": actual > value,
        "gte": actual >= value,
    }[operator]


def to_q(rule: Rule, *, field: str = "attributes") -> Q:
    """Return a ``Q`` selecting the customers that satisfy ``rule``."""
    if "all" in rule:
        q = Q()
        for member in rule["all"]:
            q &= to_q(member, field=field)
        return q
    if "any" in rule:
        members = [to_q(member, field=field) for member in rule["any"]]
        if not members:
            return Q(pk__in=[])
        q = members[0]
        for member in members[1:]:
            q |= member
        return q
    name, operator, value = rule["attribute"], rule["operator"], rule["value"]
    has_key = Q(**{f"{field}__has_key": name})
    if operator == "exists":
        return has_key if value else ~has_key
    if operator == "eq":
        return has_key & Q(**{f"{field}__{name}": value})
    if operator == "ne":
        return ~has_key | ~Q(**{f"{field}__{name}": value})
    if operator == "in":
        return has_key & Q(**{f"{field}__{name}__in": value})
    if operator == "contains":
        return has_key & Q(IContains(KeyTextTransform(name, field), value))
    # Ordering compares numbers only, as evaluate() does: a JSON number compared with a
    # JSON number, never text with number.
    return (
        has_key
        & Q(JsonIsNumber(field, name))
        & Q(**{f"{field}__{name}__{operator}": value})
    )


class JsonIsNumber(Func):
    """True where the JSON ``field`` holds a number under ``key``."""

    output_field = BooleanField()

    def __init__(self, field: str, key: str) -> None:
        super().__init__(F(field))
        self.key = key

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra: Any,
    ) -> _AsSqlType:
        raise NotSupportedError("Segment rules support PostgreSQL and SQLite.")

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> _AsSqlType:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(jsonb_typeof({sql} -> %s) = 'number')", (*params, self.key)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> _AsSqlType:
        sql, params = compiler.compile(self.source_expressions[0])
        path = '$."' + self.key.replace('"', '\\"') + '"'
        return f"(json_type({sql}, %s) IN ('integer', 'real'))", (*params, path)
