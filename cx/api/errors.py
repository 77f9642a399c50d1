"""Errors in one shape: RFC 9457 problem details, ``application/problem+json``.

Every error the API answers looks like this, whatever raised it (a serializer, a
permission, the parser, the rate limiter, the database being down, an unknown path)::

    {"type": "about:blank", "title": "Bad Request", "status": 400,
     "detail": "Invalid input.", "errors": {"email": ["Enter a valid email address."]}}

``errors`` is present when fields are at fault: each field's messages, nested as the
input is (``{"customer": {"email": ["…"]}}``); ``non_field_errors`` holds what concerns
the input as a whole. Never a 500 for bad input.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_JSON = "application/problem+json"


class Conflict(exceptions.APIException):
    """409: the request conflicts with the state of what is stored."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This conflicts with the current state."
    default_code = "conflict"


def problem(
    status_code: int, detail: str, errors: Any = None, **extra: Any
) -> dict[str, Any]:
    """Return the problem-details body for ``status_code``."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return body


def problem_response(status_code: int, detail: str, errors: Any = None) -> JsonResponse:
    """Return a plain Django answer in the problem shape (outside DRF's views)."""
    return JsonResponse(
        problem(status_code, detail, errors),
        status=status_code,
        content_type=PROBLEM_JSON,
    )


def _as_problem(response: Response) -> Response:
    data = response.data
    if isinstance(data, dict) and set(data) <= {"detail"}:
        detail, errors = str(data.get("detail", "")), None
    elif isinstance(data, list):
        detail, errors = "Invalid input.", {"non_field_errors": data}
    else:
        detail, errors = "Invalid input.", data
    response.data = problem(response.status_code, detail or "Error.", errors)
    response.content_type = PROBLEM_JSON
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain and database errors to problem-details answers, then defer to DRF."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
        if "detail" in detail and len(detail) == 1:
            exc = exceptions.ValidationError({"non_field_errors": detail["detail"]})
        else:
            exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DataError):
        exc = exceptions.ValidationError(
            {
                "non_field_errors": [
                    "A value is out of the range the database can store."
                ]
            }
        )
    elif isinstance(exc, IntegrityError):
        response = Response(
            {
                "detail": "This conflicts with an existing object "
                "(a name or key already used)."
            },
            status=status.HTTP_409_CONFLICT,
        )
        return _as_problem(response)
    handled = drf_exception_handler(exc, context)
    return None if handled is None else _as_problem(handled)
