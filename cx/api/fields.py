"""Serializer building blocks shared by every API of the product."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class StrictSerializerMixin:
    """Reject fields the serializer does not know, instead of silently dropping them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(self.fields)  # type: ignore[attr-defined]
            unknown = sorted(str(name) for name in data if name not in known)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in unknown}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


class StrictQuerySerializer(StrictSerializer):
    """The query string of an operation that is no list: unknown parameters and empty
    values of anything but free text are refused, as the list filters refuse them
    (:func:`cx.api.filters.refuse_unknown_parameters`); an empty choice is no choice."""

    def to_internal_value(self, data: Any) -> Any:
        empty = {
            str(name): ["May not be empty."]
            for name, value in data.items()
            if value == ""
            and name in self.fields
            and not isinstance(self.fields[name], serializers.CharField)
        }
        if empty:
            raise serializers.ValidationError(empty)
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    pass


# Limits of a JSON object posted to the API (event properties, customer attributes).
OBJECT_MAX_BYTES = 64 * 1024
OBJECT_MAX_KEY_LENGTH = 100


def json_object_problem(value: dict[str, Any], *, max_keys: int) -> str | None:
    """Return why ``value`` is too large to store, or None.

    At most ``max_keys`` keys, each key at most ``OBJECT_MAX_KEY_LENGTH`` characters,
    and at most ``OBJECT_MAX_BYTES`` as compact JSON (which bounds every string in it).
    """
    if len(value) > max_keys:
        return f"Must have at most {max_keys} keys."
    if any(len(str(key)) > OBJECT_MAX_KEY_LENGTH for key in value):
        return f"Keys must be at most {OBJECT_MAX_KEY_LENGTH} characters."
    if _surely_small(value):
        return None
    size = len(
        json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    )
    if size > OBJECT_MAX_BYTES:
        return f"Must be at most {OBJECT_MAX_BYTES:,} bytes as JSON (this is {size:,})."
    return None


# Bytes of compact UTF-8 JSON a character can take at most ("\u001f" for a control
# character), and a flat object's punctuation per key: quotes, colon, comma.
_MAX_BYTES_PER_CHARACTER = 6
_PUNCTUATION_PER_KEY = 6


def _surely_small(value: dict[str, Any]) -> bool:
    """Whether a flat object of short scalars is surely under ``OBJECT_MAX_BYTES``.

    An upper bound of its JSON size, without encoding it: most event properties and
    customer attributes are a few short scalars, and encoding each of a thousand
    events' objects only to measure them cost a tenth of a batch. Anything nested or
    near the limit is measured exactly.
    """
    bound = 2
    for key, item in value.items():
        if item is None or type(item) is bool:
            length = 5
        elif type(item) is str:
            length = len(item) + 2
        elif type(item) is int or type(item) is float:
            length = len(repr(item))
        else:
            return False
        bound += (
            _MAX_BYTES_PER_CHARACTER * (len(str(key)) + length) + _PUNCTUATION_PER_KEY
        )
        if bound > OBJECT_MAX_BYTES:
            return False
    return True


class JSONObjectField(serializers.JSONField):
    """A JSON object (not a list or a scalar) of bounded size."""

    default_error_messages = {"not_object": "Must be a JSON object."}

    def __init__(self, *, max_keys: int = 200, **kwargs: Any) -> None:
        self.max_keys = max_keys
        kwargs.setdefault(
            "help_text",
            f"A JSON object: at most {max_keys} keys of at most "
            f"{OBJECT_MAX_KEY_LENGTH} characters, and {OBJECT_MAX_BYTES // 1024} KB "
            "as JSON.",
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail("not_object")
        problem = json_object_problem(data, max_keys=self.max_keys)
        if problem:
            raise serializers.ValidationError(problem)
        return data


class OrganizationScopedField(serializers.PrimaryKeyRelatedField):
    """A foreign key that can only point at objects of the caller's organisation."""

    def get_queryset(self) -> QuerySet[Model]:
        queryset = super().get_queryset()
        assert queryset is not None  # every scoped field is declared with a queryset
        return queryset.filter(organization=self.context["organization"])


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "minimum": 1},
            {"type": "string", "format": "email", "maxLength": 254},
        ],
        "nullable": True,
        "description": "A member of the organisation, by user id or by email "
        "address (answered as the id; `owner_email` shows the address).",
    }
)
class MemberField(serializers.PrimaryKeyRelatedField):
    """A member of the caller's organisation, given by user id or by email address."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "no_member": _("No member of the organisation has this email address."),
    }

    def get_queryset(self) -> QuerySet[Model]:
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(
            memberships__organization=self.context["organization"]
        )

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "@" in data:
            members = list(self.get_queryset().filter(email__iexact=data)[:2])
            if len(members) != 1:
                self.fail("no_member")
            return members[0]
        if not isinstance(data, int) or isinstance(data, bool):
            # As the schema says: an integer id or an address, not "12" as text.
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


@extend_schema_field(
    {"type": "string", "maxLength": 254, "description": "An email address, or empty."}
)
class EmailOrBlankField(serializers.CharField):
    """An email address, or empty text when there is none.

    A CharField that checks the address itself: an EmailField would make the schema
    promise ``format: email``, which an empty value breaks.
    """

    default_error_messages = {"invalid_email": "Enter a valid email address."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        from django.core.exceptions import ValidationError as DjangoValidationError
        from django.core.validators import validate_email

        value = super().to_internal_value(data)
        if value:
            try:
                validate_email(value)
            except DjangoValidationError:
                self.fail("invalid_email")
        return value
