"""API keys given and taken away, each written to the audit log."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db import transaction

from cx.audit.models import Action, Channel, Subject
from cx.audit.services import audit_access_change
from cx.models import ApiKey, Organization
from cx.models.tenancy import parse_api_key_scopes
from cx.roles import DEFAULT_SCOPE, Scope
from cx.services.organizations import IssuedKey, api_key_create


@transaction.atomic
def api_key_issue(
    *,
    organization: Organization,
    name: str = "default",
    scopes: Iterable[Scope | str] = (DEFAULT_SCOPE,),
    by: User | None,
    channel: Channel,
) -> IssuedKey:
    """Issue a key for ``organization`` (see ``api_key_create``) and audit it."""
    issued = api_key_create(organization=organization, name=name, scopes=scopes)
    audit_access_change(
        organization=organization,
        by=by,
        channel=channel,
        action=Action.CREATED,
        subject=Subject.API_KEY,
        subject_id=issued.api_key.pk,
        detail={"name": name, "scopes": issued.api_key.scopes},
    )
    return issued


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, by: User | None, channel: Channel) -> bool:
    """Revoke ``api_key`` and audit it; return whether it was active until now."""
    locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if not locked.is_active:
        return False
    locked.revoke()
    audit_access_change(
        organization=locked.organization,
        by=by,
        channel=channel,
        action=Action.REVOKED,
        subject=Subject.API_KEY,
        subject_id=locked.pk,
        detail={"name": locked.name},
    )
    return True


@transaction.atomic
def api_key_change(
    *,
    api_key: ApiKey,
    name: str,
    scopes: Iterable[Scope | str],
    by: User | None,
    channel: Channel,
) -> ApiKey:
    """Rename ``api_key`` or change its scopes; a change of scopes is audited.

    Raise ValueError for an empty or unknown scope.
    """
    locked = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    before = locked.scopes
    locked.name = name
    locked.scopes = ",".join(parse_api_key_scopes(",".join(scopes)))
    locked.save(update_fields=["name", "scopes"])
    if locked.scopes != before:
        audit_access_change(
            organization=locked.organization,
            by=by,
            channel=channel,
            action=Action.CHANGED,
            subject=Subject.API_KEY,
            subject_id=locked.pk,
            detail={"name": locked.name, "scopes": locked.scopes, "was": before},
        )
    return locked
