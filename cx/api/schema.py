"""OpenAPI schema: document the errors every operation can answer, and its scope."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from cx.api.permissions import required_scope

ERROR = {
    "description": "",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "description": "{'detail': '…'} or field errors: {'field': ['…']}",
                "additionalProperties": True,
            }
        }
    },
}
COMMON_ERRORS = {
    "400": "Invalid input: field errors, or a malformed body or cursor.",
    "401": "Missing, invalid or revoked API key.",
    "404": "Not found, or not your organisation's.",
    "405": "Method not allowed on this resource.",
    "409": "Conflicts with an existing object (a name or key already used).",
    "413": "The request body is too large.",
    "415": "Unsupported content type: send application/json.",
    "429": "Too many requests: see Retry-After.",
    "503": "Temporarily unavailable (the database is down): see Retry-After.",
}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Add the product's common error answers to every API operation."""
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON_ERRORS.items():
                responses.setdefault(code, {**ERROR, "description": description})
    return result


class ScopedAutoSchema(AutoSchema):
    """Say in each operation which API key scope it needs, and document its 403."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        scope = required_scope(self.method, self.view)
        or_manage = "" if scope == "manage" else " (or 'manage')"
        description = operation.get("description", "")
        operation["description"] = (
            f"{description}\n\nNeeds an API key with the scope '{scope}'{or_manage}."
        ).strip()
        operation.setdefault("responses", {})["403"] = {
            **ERROR,
            "description": f"The API key's scopes do not allow this; it needs "
            f"'{scope}'{or_manage}.",
        }
        return operation
