"""Segment rules: the same answer for one customer in Python and for counts in SQL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cx import segmentation
from cx.models import Customer

PEOPLE = [
    {"tier": "gold", "customer_value": 150000, "previous_products": 2, "city": "Turku"},
    {
        "tier": "silver",
        "customer_value": 20000,
        "previous_products": 0,
        "city": "Helsinki",
    },
    {"tier": "gold", "customer_value": 99999.5, "city": "Vantaa"},
    {"tier": "bronze", "previous_products": 1, "authenticated": False},
    {"authenticated": True, "customer_value": "lots"},
    {"tier": None, "customer_value": 100000},
    {"city": "HELSINKI", "previous_products": 5},
    {},
]

RULES = [
    {"all": []},
    {"any": []},
    {"attribute": "tier", "operator": "eq", "value": "gold"},
    {"attribute": "tier", "operator": "ne", "value": "gold"},
    {"attribute": "customer_value", "operator": "gte", "value": 100000},
    {"attribute": "customer_value", "operator": "gt", "value": 100000},
    {"attribute": "customer_value", "operator": "lt", "value": 50000},
    {"attribute": "customer_value", "operator": "lte", "value": 99999.5},
    {"attribute": "tier", "operator": "in", "value": ["gold", "bronze"]},
    {"attribute": "city", "operator": "contains", "value": "helsin"},
    {"attribute": "authenticated", "operator": "eq", "value": False},
    {"attribute": "previous_products", "operator": "exists", "value": True},
    {"attribute": "previous_products", "operator": "exists", "value": False},
    {
        "any": [
            {"attribute": "previous_products", "operator": "eq", "value": 0},
            {"attribute": "previous_products", "operator": "exists", "value": False},
        ]
    },
    {
        "all": [
            {"attribute": "tier", "operator": "eq", "value": "gold"},
            {
                "any": [
                    {"attribute": "city", "operator": "eq", "value": "Turku"},
                    {"attribute": "customer_value", "operator": "lt", "value": 100000},
                ]
            },
        ]
    },
]


def test_conditions_in_python():
    gold = PEOPLE[0]
    assert segmentation.evaluate(
        {"attribute": "tier", "operator": "eq", "value": "gold"}, gold
    )
    assert not segmentation.evaluate(
        {"attribute": "customer_value", "operator": "gt", "value": 10}, PEOPLE[4]
    )  # text is never greater than a number
    assert segmentation.evaluate({"attribute": "x", "operator": "ne", "value": 1}, {})
    assert not segmentation.evaluate(
        {"attribute": "x", "operator": "eq", "value": None}, {}
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ([], "must be an object"),
        (
            {"attribute": "a", "operator": "like", "value": 1},
            "'operator' must be one of",
        ),
        ({"attribute": "a", "operator": "gt", "value": "10"}, "must be a number"),
        ({"attribute": "a", "operator": "in", "value": 3}, "needs a list"),
        ({"attribute": "a__b", "operator": "eq", "value": 3}, "without '__'"),
        ({"attribute": "a", "operator": "eq"}, "needs a 'value'"),
        ({"all": [], "any": []}, "exactly one key"),
        ({"all": {}}, "must be a list"),
        ({"attribute": "a", "operator": "eq", "value": 1, "x": 2}, "Unknown keys"),
    ],
)
def test_malformed_rules_are_refused_with_a_reason(rule, message):
    with pytest.raises(ValidationError, match=message):
        segmentation.validate_rule(rule)


def test_deep_rules_are_refused():
    rule: dict = {"all": []}
    for _ in range(segmentation.MAX_DEPTH + 2):
        rule = {"all": [rule]}
    with pytest.raises(ValidationError, match="nest at most"):
        segmentation.validate_rule(rule)


@pytest.mark.django_db
@pytest.mark.parametrize("rule", RULES, ids=range(len(RULES)))
def test_sql_selects_exactly_whom_python_selects(aurora, rule):
    for number, attributes in enumerate(PEOPLE):
        Customer.objects.create(
            organization=aurora, external_id=f"c{number}", attributes=attributes
        )
    segmentation.validate_rule(rule)

    in_sql = set(
        Customer.objects.filter(segmentation.to_q(rule)).values_list(
            "external_id", flat=True
        )
    )
    in_python = {
        customer.external_id
        for customer in Customer.objects.all()
        if segmentation.evaluate(rule, customer.attributes)
    }

    assert in_sql == in_python
