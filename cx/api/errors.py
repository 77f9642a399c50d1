"""Errors as clear JSON: 400 with field errors, 409 on a conflict, never a bare 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain and database errors to API responses, then defer to DRF."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DataError):
        return Response(
            {"detail": "A value is out of the range the database can store."},
            status=status.HTTP_400_BAD_REQUEST,
        )
    elif isinstance(exc, IntegrityError):
        return Response(
            {
                "detail": "This conflicts with an existing object (a name or key already used)."
            },
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
