"""Fast validation of posted events, for the batch endpoint.

The batch endpoint validates up to a thousand events per request; DRF's field machinery
costs about as much as storing them. This module applies the same rules as
``EventInSerializer`` (which stays the documented schema and validates single events)
with plain Python, and reports errors in the same shape: ``{"field": ["message"]}``,
nested for the customer. ``tests/cx/test_event_input.py`` holds the two to the same
answers on a corpus of good and bad events.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cx.api.fields import json_object_problem
from cx.models import Language
from cx.services.customers import CustomerIn
from cx.services.events import EventIn

EVENT_FIELDS = frozenset({"event_id", "type", "occurred_at", "customer", "properties"})
CUSTOMER_FIELDS = frozenset({"external_id", "email", "name", "language", "attributes"})
MAX_LENGTH = 200
MAX_KEYS = 200
PROPERTIES_MAX_KEYS = 100
LANGUAGES = frozenset(Language.values)
_email = EmailValidator()

Errors = dict[str, Any]


# Addresses of the everyday shape, every one of which Django's validator accepts (a
# strict subset of its grammar: dot-atom of common characters, ASCII labels, a letter
# TLD); only other addresses need the validator's several expressions.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


@lru_cache(maxsize=65_536)
def _email_valid(email: str) -> bool:
    """Return whether Django's validator accepts ``email``; customers post again and
    again with the same address, and the validator's regular expressions cost most of
    validating an event."""
    if len(email) <= 320 and _PLAIN_EMAIL.fullmatch(email):
        return True
    try:
        _email(email)
    except DjangoValidationError:
        return False
    return True


def _text(
    data: dict[str, Any],
    name: str,
    errors: Errors,
    *,
    required: bool,
    blank: bool = False,
) -> str:
    value = data.get(name)
    if type(value) is str:  # the common case, checked first
        text = value.strip()
        if len(text) <= MAX_LENGTH and (text or blank):
            return text
    if name not in data:
        if required:
            errors[name] = ["This field is required."]
        return ""
    value = data[name]
    if value is None:
        errors[name] = ["This field may not be null."]
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errors[name] = ["Not a valid string."]
        return ""
    text = str(value).strip()
    if not text and not blank:
        errors[name] = ["This field may not be blank."]
    elif len(text) > MAX_LENGTH:
        errors[name] = [f"Ensure this field has no more than {MAX_LENGTH} characters."]
    return text


def _object(
    data: dict[str, Any], name: str, errors: Errors, max_keys: int = MAX_KEYS
) -> dict[str, Any]:
    value = data.get(name)
    if value is None and name not in data:
        return {}
    if not isinstance(value, dict):
        errors[name] = ["Must be a JSON object."]
        return {}
    problem = json_object_problem(value, max_keys=max_keys)
    if problem:
        errors[name] = [problem]
    return value


def _unknown(data: dict[str, Any], known: frozenset[str], errors: Errors) -> None:
    if data.keys() <= known:
        return
    for name in data:
        if name not in known:
            errors[str(name)] = ["Unknown field."]


def _customer(raw: Any, errors: Errors) -> CustomerIn | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        errors["customer"] = {
            "non_field_errors": [
                f"Invalid data. Expected a dictionary, but got {type(raw).__name__}."
            ]
        }
        return None
    problems: Errors = {}
    _unknown(raw, CUSTOMER_FIELDS, problems)
    external_id = _text(raw, "external_id", problems, required=True)
    email = _text(raw, "email", problems, required=False, blank=True)
    if email and "email" not in problems and not _email_valid(email):
        problems["email"] = ["Enter a valid email address."]
    name = _text(raw, "name", problems, required=False, blank=True)
    language = raw.get("language", "")
    if language not in LANGUAGES and language != "":
        problems["language"] = [f'"{language}" is not a valid choice.']
    attributes = _object(raw, "attributes", problems)
    if problems:
        errors["customer"] = problems
        return None
    return CustomerIn(
        external_id=external_id,
        email=email,
        name=name,
        language=language,
        attributes=attributes,
    )


def parse_event(raw: Any, zone: tzinfo | None = None) -> tuple[EventIn | None, Errors]:
    """Return the event and no errors, or None and field errors.

    ``zone`` is the current time zone, when the caller looked it up once for many.
    """
    if not isinstance(raw, dict):
        message = f"Invalid data. Expected a dictionary, but got {type(raw).__name__}."
        return None, {"non_field_errors": [message]}
    errors: Errors = {}
    _unknown(raw, EVENT_FIELDS, errors)
    event_id = _text(raw, "event_id", errors, required=True)
    event_type = _text(raw, "type", errors, required=True)
    occurred_at = None
    moment = raw.get("occurred_at")
    if moment is not None:
        parsed = parse_datetime(moment) if isinstance(moment, str) else None
        if parsed is None:
            errors["occurred_at"] = [
                "Datetime has wrong format. Use one of these formats instead: "
                "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
            ]
        else:
            zone = zone or timezone.get_current_timezone()
            aware = (
                timezone.make_aware(parsed, zone)
                if timezone.is_naive(parsed)
                else parsed
            )
            occurred_at = aware.astimezone(zone)
    customer = _customer(raw.get("customer"), errors)
    properties = _object(raw, "properties", errors, PROPERTIES_MAX_KEYS)
    if errors:
        return None, errors
    return (
        EventIn(
            event_id=event_id,
            type=event_type,
            occurred_at=occurred_at,
            customer=customer,
            properties=properties,
        ),
        {},
    )
