"""Who may call the API: a valid key, whose scopes allow the request.

The scope a request needs comes from the view and the method, in one place
(``required_scope``): a safe method (GET, HEAD, OPTIONS) needs ``read``; a write needs
the view's ``write_scope``, ``manage`` unless the view says otherwise (the event
views say ``events:write``; memberships say ``owner`` for every method, reads too).
A key holding ``owner`` may do everything; ``manage``, everything but memberships.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import SAFE_METHODS, BasePermission

from cx.api.authentication import ApiClient
from cx.roles import Scope

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from cx.models import Organization


def required_scope(method: str, view: object) -> Scope:
    """Return the scope a ``method`` request to ``view`` needs."""
    if getattr(view, "owner_only", False):
        return Scope.OWNER
    if method.upper() in SAFE_METHODS:
        return Scope.READ
    return Scope(getattr(view, "write_scope", Scope.MANAGE))


def scopes_allow(scopes: list[str], needed: Scope) -> bool:
    """Return whether a key holding ``scopes`` may do what needs ``needed``.

    ``owner`` allows everything; ``manage`` everything but what needs ``owner``
    (memberships).
    """
    if needed in scopes or Scope.OWNER in scopes:
        return True
    return Scope.MANAGE in scopes and needed != Scope.OWNER


class HasScope(BasePermission):
    """Allow requests made with a valid API key whose scopes cover the request.

    Every query is then scoped to the key's organisation. A request without a valid
    key is answered 401 (by authentication); a key beyond its scopes, 403.
    """

    message = "This API key's scopes do not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        client = request.user
        if not isinstance(client, ApiClient):
            return False
        needed = required_scope(request.method or "GET", view)
        held = client.key.scope_list
        if scopes_allow(held, needed):
            return True
        self.message = (
            f"This API key's scopes ({', '.join(held) or 'none'}) do not allow "
            f"this; it needs '{needed}'."
        )
        return False


def organization_of(request: Request) -> Organization:
    """Return the organisation the request acts for."""
    client = request.user
    assert isinstance(client, ApiClient)
    return client.organization
