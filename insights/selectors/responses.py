"""Responses narrowed by the filters of ``/api/v1/responses/``, for the list and exports.

One ``FilterSet`` reads the query string for the API list (through DRF's filter backend),
the API exports and the staff exports, so that a filter means the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, OuterRef, QuerySet, Subquery, When

from cx.api.filters import IdFilter, TimeWindowForm, UTCDateTimeFilter
from cx.models import Organization
from surveys.models import Answer, Question, Response


def score_of_response() -> Subquery:
    """Return, per response, its NPS answer, else its first answer with a number."""
    answers = (
        Answer.objects.filter(response=OuterRef("pk"), number__isnull=False)
        .order_by(
            Case(When(question__type=Question.Type.NPS, then=0), default=1),
            "question__position",
        )
        .values("number")[:1]
    )
    return Subquery(answers)


class ScoreFilter(django_filters.NumberFilter):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=-32768, max_value=32767, **kwargs)


class ResponseFilter(django_filters.FilterSet):
    """The filters of a response list; ``score_*`` need the ``score`` annotation."""

    survey = IdFilter(field_name="survey")
    touchpoint = IdFilter(field_name="touchpoint")
    journey = IdFilter(field_name="journey")
    process = IdFilter(field_name="process")
    segment = IdFilter(
        field_name="segments__segment", label="In this segment when answered"
    )
    customer = django_filters.CharFilter(
        method="filter_customer",
        max_length=200,
        help_text="The customer's external id (anonymous responses never match).",
    )
    since = UTCDateTimeFilter(
        field_name="completed_at", lookup_expr="gte", label="Completed from (incl.)"
    )
    until = UTCDateTimeFilter(
        field_name="completed_at", lookup_expr="lt", label="Completed before"
    )
    score_min = ScoreFilter(
        field_name="score", lookup_expr="gte", label="Score (NPS, else first) at least"
    )
    score_max = ScoreFilter(
        field_name="score", lookup_expr="lte", label="Score (NPS, else first) at most"
    )
    # A choice rather than a BooleanFilter, which would take "perhaps" for "either".
    has_comment = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_has_comment",
        label="With (true) or without (false) a free-text answer",
    )

    class Meta:
        model = Response
        fields = ["state", "origin"]
        form = TimeWindowForm

    def filter_customer(
        self, responses: QuerySet[Response], name: str, value: str
    ) -> QuerySet[Response]:
        return responses.filter(customer__external_id=value, is_anonymous=False)

    def filter_has_comment(
        self, responses: QuerySet[Response], name: str, value: str
    ) -> QuerySet[Response]:
        commented = Exists(
            Answer.objects.filter(response=OuterRef("pk")).exclude(text="")
        )
        return responses.filter(commented if value == "true" else ~commented)


def responses_filtered(
    *, organization: Organization, params: Mapping[str, Any]
) -> QuerySet[Response]:
    """Return the organisation's responses that match the query ``params``, newest first.

    Raise ``ValidationError`` (by parameter) when a filter does not parse. Keys that are
    not filters (``org``, ``page_size``…) are ignored.
    """
    # An alias, not an annotation: filterable by score_min/max without selecting it.
    responses = Response.objects.for_organization(organization).alias(
        score=score_of_response()
    )
    filterset = ResponseFilter(data=params, queryset=responses)
    if not filterset.is_valid():
        raise ValidationError(
            {field: list(messages) for field, messages in filterset.errors.items()}
        )
    return filterset.qs.order_by("-pk")
