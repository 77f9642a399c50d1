"""``Authorization: Bearer <key>`` authentication with per-organisation API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from cx.models import ApiKey, Organization
from cx.models.tenancy import API_KEY_PREFIX
from cx.selectors import api_key_active

LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiClient:
    """The integrating system behind a request: an organisation, through one key."""

    organization: Organization
    key: ApiKey
    is_authenticated: bool = True
    is_staff: bool = False

    def __str__(self) -> str:
        return f"API key {self.key.name} of {self.organization.slug}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiClient, ApiKey] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme != self.keyword or not token.strip():
            raise exceptions.AuthenticationFailed(
                "Use 'Authorization: Bearer <API key>'."
            )
        key = self._key_for(token.strip())
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            # Written at most once a minute, so that the hot path stays read-only.
            ApiKey.objects.filter(pk=key.pk).filter(
                Q(last_used_at__isnull=True)
                | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
            ).update(last_used_at=now)
        return ApiClient(organization=key.organization, key=key), key

    def authenticate_header(self, request: Request) -> str:
        return self.keyword

    @staticmethod
    def _key_for(token: str) -> ApiKey:
        prefix, _, rest = token.partition("_")
        lookup, _, secret = rest.partition("_")
        invalid = exceptions.AuthenticationFailed("Invalid or revoked API key.")
        if prefix != API_KEY_PREFIX or not lookup or not secret:
            raise invalid
        key = api_key_active(lookup=lookup)
        if key is None or not key.matches(secret):
            raise invalid
        return key


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An organisation's API key.",
        }
