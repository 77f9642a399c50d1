"""Organisations, their staff and their API keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction

from cx.models import ApiKey, Membership, Organization, Role
from cx.models.tenancy import api_key_digest, parse_api_key_scopes
from cx.roles import DEFAULT_SCOPE, Scope
from cx.services.memberships import membership_decide


@transaction.atomic
def organization_create(
    *,
    slug: str,
    name: str,
    timezone: str = "Europe/Helsinki",
    default_language: str = "fi",
) -> Organization:
    """Create an organisation after validating its fields."""
    organization = Organization(
        slug=slug, name=name, timezone=timezone, default_language=default_language
    )
    organization.full_clean()
    organization.save()
    return organization


@dataclass(frozen=True)
class IssuedKey:
    """A new API key: ``secret_key`` is shown once and never stored."""

    api_key: ApiKey
    secret_key: str


def api_key_create(
    *,
    organization: Organization,
    name: str = "default",
    scopes: Iterable[Scope | str] = (DEFAULT_SCOPE,),
) -> IssuedKey:
    """Issue a new API key for ``organization`` holding ``scopes``; only its hash is stored.

    Raise ValueError for an empty or unknown scope.
    """
    canonical = ",".join(parse_api_key_scopes(",".join(scopes)))
    full_key, lookup, secret = ApiKey.generate()
    api_key = ApiKey.objects.create(
        organization=organization,
        name=name,
        scopes=canonical,
        lookup=lookup,
        digest=api_key_digest(secret),
    )
    return IssuedKey(api_key=api_key, secret_key=full_key)


@transaction.atomic
def member_add(
    *, organization: Organization, user: User, role: Role | str
) -> Membership:
    """Give ``user`` a role in ``organization`` (changing it if they already have one).

    For setting up (the demo, first owners, tests): not audited. Staff change
    memberships through :mod:`cx.services.memberships`; this keeps its last-owner rule.
    """
    existing = (
        Membership.objects.select_for_update()
        .filter(organization=organization, user=user)
        .first()
    )
    if existing is not None and existing.role != role:
        owners = Membership.objects.select_for_update().filter(
            organization=organization, role=Role.OWNER
        )
        membership_decide(
            current=existing,
            user_id=user.pk,
            role=role,
            by=None,
            owner_ids=list(owners.order_by("pk").values_list("pk", flat=True)),
        )
    membership, _ = Membership.objects.update_or_create(
        organization=organization, user=user, defaults={"role": role}
    )
    if not user.is_staff:
        user.is_staff = True  # members work in the admin and the staff UI
        user.save(update_fields=["is_staff"])
    return membership


def staff_user_create(*, username: str, email: str, password: str) -> User:
    """Create (or return) a staff login."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"email": email, "is_staff": True}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user
