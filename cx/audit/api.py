"""API views that show personal data record each read in the audit log."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from cx.api.permissions import organization_of
from cx.audit.models import Action, Channel, Subject
from cx.audit.services import audit_record


class AuditedReadsMixin:
    """Record a ``retrieve`` as one viewed subject and a ``list`` page by its ids.

    Only successful reads are recorded: a 404 or a 400 showed nothing.
    """

    audit_subject: Subject
    audit_list_subject: Subject

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)  # type: ignore[misc]
        audit_record(
            request=request,
            organization=organization_of(request),
            channel=Channel.API,
            action=Action.VIEWED,
            subject=self.audit_subject,
            subject_id=response.data["id"],
        )
        return response

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)  # type: ignore[misc]
        rows = (
            response.data.get("results", []) if isinstance(response.data, dict) else []
        )
        if rows:
            audit_record(
                request=request,
                organization=organization_of(request),
                channel=Channel.API,
                action=Action.VIEWED,
                subject=self.audit_list_subject,
                detail={"ids": [row["id"] for row in rows]},
            )
        return response
