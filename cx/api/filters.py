"""The filter backend of every API list: scoped to the caller, strict on its input."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from cx.api.permissions import organization_of
from cx.digits import MAX_ID

PAGING = ("cursor", "page_size")
BOOLEAN_VALUES = ("true", "false")


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 moment, compared in UTC (any offset the client sends is accepted)."""

    def filter(self, qs: QuerySet[Any], value: datetime | None) -> QuerySet[Any]:
        return super().filter(qs, value.astimezone(UTC) if value else value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number from 1 that the database can hold, else a 400.

    A plain ``NumberFilter`` takes any decimal (``9.3e18``) and hands it to the
    database, where one past 64 bits is a 500 (SQLite cannot bind it).
    """

    field_class = forms.IntegerField

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field({"type": "string", "enum": list(BOOLEAN_VALUES)})
class YesNoFilter(django_filters.BooleanFilter):
    """``true`` or ``false``, and so in the schema (which otherwise says "string")."""


class OrganizationFilterBackend(DjangoFilterBackend):
    """Filter by the query string, where another organisation's object is no choice.

    A filter by object (``?survey=<id>``) otherwise accepts any organisation's id and
    refuses only ids that exist nowhere, which tells the caller which ids others use.
    A list refuses what its schema does not offer: an unknown query parameter, or an
    empty value for a filter that is not free text, is a 400 (not silently ignored).
    A view that reads parameters of its own names them in ``scope_parameters``.
    """

    def filter_queryset(
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> QuerySet[Any]:
        if getattr(view, "action", None) == "list":
            self._refuse_unknown(request, queryset, view)
        return super().filter_queryset(request, queryset, view)

    def _refuse_unknown(
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> None:
        filterset_class = self.get_filterset_class(view, queryset)
        refuse_unknown_parameters(
            request,
            filterset_class.base_filters if filterset_class else {},
            PAGING + tuple(getattr(view, "scope_parameters", ())),
        )

    def get_filterset(
        self, request: Request, queryset: QuerySet[Any], view: Any
    ) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None or getattr(view, "swagger_fake_view", False):
            return filterset
        for field in filterset.form.fields.values():
            choices = getattr(field, "queryset", None)
            if choices is not None and any(
                f.name == "organization" for f in choices.model._meta.get_fields()
            ):
                field.queryset = choices.filter(organization=organization_of(request))
        return filterset


def refuse_unknown_parameters(
    request: Request, filters: dict[str, Any], extra: tuple[str, ...] = PAGING
) -> None:
    """Raise a 400 for a query parameter the operation does not document, an empty
    value for a filter that is not free text (an empty choice is no choice), or a
    yes/no filter given anything but true or false."""
    errors: dict[str, list[str]] = {}
    for name, value in request.query_params.items():
        if name not in filters and name not in extra:
            errors[name or "(empty name)"] = ["Unknown query parameter."]
        elif (
            value == ""
            and name in filters
            and not isinstance(filters[name], django_filters.CharFilter)
        ):
            errors[name] = ["May not be empty."]
        elif (
            isinstance(filters.get(name), django_filters.BooleanFilter)
            and value not in BOOLEAN_VALUES
        ):
            # The schema says boolean: "1", "0" or "True" are no JSON booleans.
            errors[name] = [_("Use true or false.")]
    if errors:
        raise ValidationError(errors)


UNTIL_AFTER_SINCE = "400 when 'until' is not later than 'since'."


class TimeWindowForm(forms.Form):
    """The form of a filter set with ``since`` and ``until``: until after since."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since is not None and until is not None and until <= since:
            self.add_error("until", _("Must be later than since."))
        return cleaned
