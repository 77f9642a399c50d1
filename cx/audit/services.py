"""Writing the audit log. Views call ``audit_record`` after they have shown or changed data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from cx.api.authentication import ApiClient
from cx.audit.models import Action, AuditEntry, Channel, Subject
from cx.models import ApiKey, Organization

__all__ = [
    "Action",
    "Channel",
    "Subject",
    "audit_access_change",
    "audit_record",
    "filters_of",
]


def _actor_fields(request: HttpRequest) -> dict[str, Any]:
    """Return who is behind ``request``: a staff user or an integration's API key."""
    user = getattr(request, "user", None)
    if isinstance(user, ApiClient):
        return {"api_key": user.key, "actor": str(user.key)}
    if user is not None and user.is_authenticated:
        return {"user": user, "actor": user.get_username()}
    return {"actor": "anonymous"}


# Who is named when a command on the server (no logged-in user) changed access.
COMMAND_ACTOR = "manage.py"


def audit_record(
    *,
    request: HttpRequest,
    organization: Organization,
    channel: Channel,
    action: Action,
    subject: Subject,
    subject_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Record that the caller of ``request`` did ``action`` to ``subject`` of ``organization``."""
    return AuditEntry.objects.create(
        organization=organization,
        channel=channel,
        action=action,
        subject=subject,
        subject_id=subject_id,
        detail=dict(detail or {}),
        **_actor_fields(request),
    )


def audit_access_change(
    *,
    organization: Organization,
    by: User | None,
    channel: Channel,
    action: Action,
    subject: Subject,
    subject_id: int | None,
    detail: Mapping[str, Any] | None = None,
    api_key: ApiKey | None = None,
) -> AuditEntry:
    """Record that ``by`` (``None``: ``api_key``, else a command on the server)
    changed who has access."""
    actor = (
        by.get_username()
        if by is not None
        else str(api_key)
        if api_key is not None
        else COMMAND_ACTOR
    )
    return AuditEntry.objects.create(
        organization=organization,
        channel=channel,
        action=action,
        subject=subject,
        subject_id=subject_id,
        detail=dict(detail or {}),
        user=by,
        api_key=api_key,
        actor=actor,
    )


def filters_of(params: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, str]:
    """Return the list filters in ``params`` worth recording (``allowed`` keys only)."""
    return {
        key: str(params[key]) for key in allowed if params.get(key) not in (None, "")
    }
