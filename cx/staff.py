"""Which organisation a staff page is about, and the filters its lists carry."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, QueryDict

from cx.models import Membership
from cx.roles import PERMISSION_LABELS, Permission, roles_with


class RoleRequired(PermissionDenied):
    """The user's role does not allow ``permission`` (the 403 page names who may)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission
        super().__init__(f"This needs a role that may {PERMISSION_LABELS[permission]}.")


def signed_in_user(request: HttpRequest) -> User:
    """Return the signed-in user of a staff page or the admin (anonymous: 403).

    Staff pages and the admin require a login before they run, so the refusal only
    narrows ``request.user`` for the services that record who acted.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def staff_membership(request: HttpRequest, *, permission: Permission) -> Membership:
    """Return the user's membership (``?org=`` picks one) whose role allows ``permission``.

    404 without any membership (in the ``?org=`` organisation); :class:`RoleRequired`
    (403) when the user's memberships there have no role that allows ``permission``.
    """
    memberships = Membership.objects.filter(
        user=signed_in_user(request)
    ).select_related("organization")
    slug = request.GET.get("org")
    if slug:
        memberships = memberships.filter(organization__slug=slug)
    membership = (
        memberships.filter(role__in=roles_with(permission)).order_by("pk").first()
    )
    if membership is None:
        if memberships.exists():
            raise RoleRequired(permission)
        raise Http404("No organisation.")
    return membership


@dataclass(frozen=True)
class CarriedFilter:
    """A filter a list got from a link (the dashboard's) that its form does not show.

    The form carries ``fields`` as hidden inputs, so submitting it keeps the filter;
    the page shows ``label`` as a "filtered by" chip whose ``clear_href`` drops it.
    """

    label: str
    fields: tuple[tuple[str, str], ...]
    clear_href: str


def carried_filter(
    query: QueryDict, *, label: str, fields: dict[str, str]
) -> CarriedFilter:
    """Return the chip and hidden inputs of ``fields`` (parsed values), from ``query``."""
    rest = query.copy()
    for key in (*fields, "page"):
        rest.pop(key, None)
    return CarriedFilter(
        label=label,
        fields=tuple(fields.items()),
        clear_href=f"?{rest.urlencode()}",
    )
