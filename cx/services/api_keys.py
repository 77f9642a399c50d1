"""API keys given and taken away, each written to the audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from audit.models import Action, Channel, Subject
from audit.services import audit_access_change
from cx.models import ApiKey, Organization
from cx.services.organizations import IssuedKey, api_key_create


@transaction.atomic
def api_key_issue(
    *,
    organization: Organization,
    name: str = "default",
    by: AbstractBaseUser | None,
    channel: Channel,
) -> IssuedKey:
    """Issue a key for ``organization`` (see ``api_key_create``) and audit it."""
    issued = api_key_create(organization=organization, name=name)
    audit_access_change(
        organization=organization,
        by=by,
        channel=channel,
        action=Action.CREATED,
        subject=Subject.API_KEY,
        subject_id=issued.api_key.pk,
        detail={"name": name},
    )
    return issued


@transaction.atomic
def api_key_revoke(
    *, api_key: ApiKey, by: AbstractBaseUser | None, channel: Channel
) -> bool:
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
