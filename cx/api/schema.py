"""OpenAPI schema: document every answer an operation can give, and its scope.

Every error is a ``Problem`` (RFC 9457 problem details, ``application/problem+json``,
see ``cx.api.errors``). Request bodies refuse unknown fields, as the serializers do.
A POST that creates an object links to the operations on what it created, so a
client (and Schemathesis's stateful run) can follow them.
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.openapi import AutoSchema

from cx.api.errors import PROBLEM_JSON
from cx.api.filters import UNTIL_AFTER_SINCE
from cx.api.permissions import required_scope

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details: every error answer of the API.",
    "properties": {
        "type": {"type": "string", "description": "Always 'about:blank'."},
        "title": {"type": "string", "description": "The HTTP status phrase."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What went wrong, in words."},
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": "Present when fields are at fault: each field's messages, "
            "nested as the input is; 'non_field_errors' for the input as a whole.",
        },
    },
    "required": ["type", "title", "status", "detail"],
}
ERROR = {"description": "", "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}
COMMON_ERRORS = {
    "400": "Invalid input: field errors, or a malformed body or cursor.",
    "401": "Missing, invalid or revoked API key.",
    "404": "Not found, or not your organisation's.",
    "405": "Method not allowed on this resource.",
    "406": "Not acceptable: the API answers JSON (or the documented file type).",
    "409": "Conflicts with an existing object (a name or key already used).",
    "413": "The request body is too large.",
    "415": "Unsupported content type: send application/json.",
    "429": "Too many requests: see Retry-After.",
    "503": "Temporarily unavailable (the database is down): see Retry-After.",
}
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


def _as_problem(response: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        **ERROR,
        **{k: v for k, v in response.items() if k != "content"},
        "description": response.get("description") or description,
    }


def _strict_request_bodies(result: dict[str, Any]) -> None:
    """Say of every request component that unknown fields are refused."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if (
            name.endswith("Request")
            and component.get("type") == "object"
            and "properties" in component
            and "additionalProperties" not in component
        ):
            component["additionalProperties"] = False


def _add_links(paths: dict[str, Any]) -> None:
    """Link each 201 of a collection's POST to the operations on the object made."""
    for path, operations in paths.items():
        create = operations.get("post")
        if create is None or "201" not in create.get("responses", {}):
            continue
        for detail_path, detail_ops in paths.items():
            names = _PATH_PARAMETER.findall(detail_path)
            if len(names) != 1 or not detail_path.startswith(path):
                continue
            if _PATH_PARAMETER.sub("X", detail_path) != f"{path}X/":
                continue
            parameter = names[0]
            field = "external_id" if parameter == "external_id" else "id"
            links = create["responses"]["201"].setdefault("links", {})
            for method, operation in detail_ops.items():
                if method not in {"get", "put", "patch", "delete"}:
                    continue
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": {parameter: f"$response.body#/{field}"},
                }


def _document_time_windows(operation: dict[str, Any]) -> None:
    """Say on an operation taking both 'since' and 'until' that until comes later.

    OpenAPI cannot relate two parameters, so the rule is written on the operation and
    on its 400 answer.
    """
    names = {parameter.get("name") for parameter in operation.get("parameters", [])}
    if not {"since", "until"} <= names:
        return
    description = operation.get("description", "")
    if UNTIL_AFTER_SINCE not in description:
        operation["description"] = f"{description}\n\n{UNTIL_AFTER_SINCE}".strip()
    bad_request = operation["responses"]["400"]
    if UNTIL_AFTER_SINCE not in bad_request["description"]:
        bad_request["description"] += " " + UNTIL_AFTER_SINCE


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Add the product's common error answers to every API operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = (
        PROBLEM_SCHEMA
    )
    paths = result.get("paths", {})
    for path, operations in paths.items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in COMMON_ERRORS.items():
                responses.setdefault(code, {**ERROR, "description": description})
            for code, response in list(responses.items()):
                if code[0] in "45":
                    responses[code] = _as_problem(response, COMMON_ERRORS.get(code, ""))
            _document_time_windows(operation)
    _strict_request_bodies(result)
    _add_links(paths)
    return result


class ScopedAutoSchema(AutoSchema):
    """Say in each operation which API key scope it needs, and document its 403."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        scope = required_scope(self.method, self.view)
        or_manage = {"owner": "", "manage": " (or 'owner')"}.get(
            scope, " (or 'manage')"
        )
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
