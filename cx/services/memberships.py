"""Who belongs to an organisation, in which role: every change is checked and audited.

Two rules hold on every path (the admin's forms, its changelist and bulk delete):
nobody changes their own role or removes their own membership, and an organisation
always keeps at least one owner. The owners' rows are locked (``select_for_update``,
in primary-key order) while a change is decided, so that two concurrent demotions
cannot both pass the last-owner check.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cx.audit.models import Action, Channel, Subject
from cx.audit.services import audit_access_change
from cx.models import ApiKey, Language, Membership, Organization, Role


class MembershipRefused(ValidationError):
    """A membership change that the rules do not allow; the message says why."""


def membership_decide(
    *,
    current: Membership | None,
    user_id: int,
    role: Role | str | None,
    by: User | None,
    owner_ids: list[int],
) -> None:
    """Refuse a change of ``current`` (``None``: a new membership) to ``role``.

    ``role`` ``None`` means removing the membership; ``owner_ids`` are the
    organisation's owners' memberships now; ``by`` is who asks (``None``: the server).
    """
    if by is not None and by.pk == user_id:
        raise MembershipRefused(
            _(
                "Nobody changes their own role or membership: ask another owner "
                "of the organisation."
            ),
            code="own_membership",
        )
    losing_owner = (
        current is not None and current.role == Role.OWNER and role != Role.OWNER
    )
    if losing_owner and owner_ids == [current.pk]:  # type: ignore[union-attr]
        raise MembershipRefused(
            _(
                "An organisation keeps at least one owner: make another member "
                "owner first."
            ),
            code="last_owner",
        )


def _owner_ids(organization_id: int, *, lock: bool) -> list[int]:
    owners = Membership.objects.filter(
        organization_id=organization_id, role=Role.OWNER
    ).order_by("pk")
    if lock:
        owners = owners.select_for_update()
    return list(owners.values_list("pk", flat=True))


def membership_check(
    *,
    current: Membership | None,
    organization: Organization,
    user_id: int,
    role: Role | str | None,
    by: User | None,
) -> None:
    """Refuse (without locking) what the services would refuse: for a form's errors."""
    if current is None and (
        Membership.objects.filter(organization=organization, user_id=user_id).exists()
    ):
        raise MembershipRefused(
            _("This user is already a member of the organisation."),
            code="already_member",
        )
    membership_decide(
        current=current,
        user_id=user_id,
        role=role,
        by=by,
        owner_ids=_owner_ids(organization.pk, lock=False),
    )


@transaction.atomic
def membership_add(
    *,
    organization: Organization,
    user: User,
    role: Role | str,
    by: User | None,
    channel: Channel = Channel.ADMIN,
    api_key: ApiKey | None = None,
) -> Membership:
    """Give ``user`` ``role`` in ``organization``; refused for oneself or twice."""
    membership_check(
        current=None, organization=organization, user_id=user.pk, role=role, by=by
    )
    membership = Membership.objects.create(
        organization=organization, user=user, role=role
    )
    if not getattr(user, "is_staff", True):
        user.is_staff = True  # members use the admin
        user.save(update_fields=["is_staff"])
    audit_access_change(
        organization=organization,
        by=by,
        channel=channel,
        action=Action.CREATED,
        subject=Subject.MEMBERSHIP,
        subject_id=membership.pk,
        detail={"user": user.pk, "role": str(role)},
        api_key=api_key,
    )
    return membership


@transaction.atomic
def membership_change_role(
    *,
    membership: Membership,
    role: Role | str,
    by: User | None,
    channel: Channel = Channel.ADMIN,
    api_key: ApiKey | None = None,
) -> Membership:
    """Change ``membership``'s role; never one's own, never the last owner's."""
    owner_ids = _owner_ids(membership.organization_id, lock=True)
    current = Membership.objects.select_for_update().get(pk=membership.pk)
    membership_decide(
        current=current, user_id=current.user_id, role=role, by=by, owner_ids=owner_ids
    )
    if current.role == role:
        return current
    previous = current.role
    current.role = role
    current.save(update_fields=["role"])
    audit_access_change(
        organization=current.organization,
        by=by,
        channel=channel,
        action=Action.CHANGED,
        subject=Subject.MEMBERSHIP,
        subject_id=current.pk,
        detail={"user": current.user_id, "from": previous, "to": str(role)},
        api_key=api_key,
    )
    return current


@transaction.atomic
def membership_remove(
    *,
    membership: Membership,
    by: User | None,
    channel: Channel = Channel.ADMIN,
    api_key: ApiKey | None = None,
) -> None:
    """Remove ``membership``; never one's own, never the last owner's."""
    owner_ids = _owner_ids(membership.organization_id, lock=True)
    current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if current is None:
        return  # removed meanwhile
    membership_decide(
        current=current, user_id=current.user_id, role=None, by=by, owner_ids=owner_ids
    )
    pk = current.pk
    audit_access_change(
        organization=current.organization,
        by=by,
        channel=channel,
        action=Action.REMOVED,
        subject=Subject.MEMBERSHIP,
        subject_id=pk,
        detail={"user": current.user_id, "role": current.role},
        api_key=api_key,
    )
    current.delete()


def membership_language_set(*, membership: Membership, language: str) -> Membership:
    """Set the language of the member's emails ("" for the organisation's)."""
    if language not in ("", *Language.values):
        raise ValidationError({"language": _("Choose Finnish, Swedish or English.")})
    if membership.language != language:
        Membership.objects.filter(pk=membership.pk).update(language=language)
        membership.language = language
    return membership


def member_language_choose(*, user: User, language: str) -> int:
    """Set the language of every membership of ``user`` to the one they chose.

    The header's language switch is a person's choice, not an organisation's: the
    emails of each of their organisations follow it. Returns the memberships changed.
    """
    if language not in Language.values:
        raise ValidationError({"language": _("Choose Finnish, Swedish or English.")})
    return (
        Membership.objects.filter(user_id=user.pk)
        .exclude(language=language)
        .update(language=language)
    )
