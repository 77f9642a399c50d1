from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import BasePermission

from cx.api.authentication import ApiClient

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from cx.models import Organization


class HasOrganization(BasePermission):
    """Allow requests made with a valid API key; every query is then scoped to its org."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.user, ApiClient)


def organization_of(request: Request) -> Organization:
    """Return the organisation the request acts for."""
    client = request.user
    assert isinstance(client, ApiClient)
    return client.organization
