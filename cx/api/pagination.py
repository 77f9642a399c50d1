from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from cx.digits import MAX_ID, is_digits


class Pagination(CursorPagination):
    """Stable cursor pages, newest first. A tampered cursor is a 400, not a 404."""

    def decode_cursor(self, request: Any) -> Any:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({"cursor": ["Invalid cursor."]}) from None
        # Pages are ordered by id: a position must be an id the database can compare
        # (a forged one past 64 bits overflowed SQLite's integers: a 500, not a 400).
        position = cursor.position if cursor is not None else None
        if position is not None and not (
            is_digits(str(position)) and int(position) <= MAX_ID
        ):
            raise ValidationError({"cursor": ["Invalid cursor."]})
        return cursor

    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request: Any) -> int:
        """Return the asked page size; one that is no whole number in 1…1000 is a 400."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not is_digits(raw) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
            elif parameter["name"] == self.cursor_query_param:
                parameter["description"] = (
                    "The opaque cursor of a page, from 'next' or 'previous'; "
                    "any other value is a 400."
                )
        return parameters
