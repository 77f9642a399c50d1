"""Which organisation a staff page is about: the logged-in user's membership."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from cx.models import Membership, Role
from cx.roles import Permission


class RoleRequired(PermissionDenied):
    """The user's role lacks ``permission``; the 403 page names who has it."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(f"This page needs the permission {permission.value!r}.")
        self.permission = permission


def staff_membership(
    request: HttpRequest, *, roles: Iterable[Role] | None = None
) -> Membership:
    """Return the user's membership (``?org=`` picks one) that may see the page.

    404 without any membership; 403 when ``roles`` are given and the user's
    memberships have none of them.
    """
    memberships = Membership.objects.filter(user=request.user).select_related(
        "organization"
    )
    slug = request.GET.get("org")
    if slug:
        memberships = memberships.filter(organization__slug=slug)
    allowed = memberships if roles is None else memberships.filter(role__in=roles)
    membership = allowed.order_by("pk").first()
    if membership is None:
        if roles is not None and memberships.exists():
            raise PermissionDenied("This page is for other roles.")
        raise Http404("No organisation.")
    return membership
