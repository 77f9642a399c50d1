"""Tenants (organisations), who belongs to them, and their API keys."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cx.models.scoping import OrganizationManager


class Language(models.TextChoices):
    FINNISH = "fi", _("Finnish")
    SWEDISH = "sv", _("Swedish")
    ENGLISH = "en", _("English")


def validate_timezone(value: str) -> None:
    """Reject a name that is not an IANA time zone."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone."), params={"value": value}
        )


class Organization(models.Model):
    """A tenant: a company whose customers give feedback. Everything else hangs off it."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Helsinki",
        validators=[validate_timezone],
    )
    default_language = models.CharField(
        _("default language"), max_length=2, choices=Language, default=Language.FINNISH
    )
    cx_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("CX owner"),
        help_text=_("The one person accountable for customer experience as a whole."),
    )
    response_retention_months = models.PositiveSmallIntegerField(
        _("keep identified responses (months)"),
        null=True,
        blank=True,
        help_text=_(
            "Responses older than this are anonymised daily: scores stay; the "
            "customer link, comments, addresses and notes go. Empty or 0 keeps them."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Bumped by database triggers on every change to what event ingestion compiles
    # (rules, surveys, segments, touchpoints, contact policy): see cx/versioning.py.
    config_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_language__in=Language.values),
                name="organization_language_known",
            ),
            models.CheckConstraint(
                condition=models.Q(response_retention_months__isnull=True)
                | models.Q(response_retention_months__gte=0),
                name="organization_retention_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, but never write back a ``config_version`` read before a later bump."""
        loaded = not self._state.adding and not kwargs.get("force_insert")
        if loaded and not args and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.attname
                for field in self._meta.concrete_fields
                if not field.primary_key and field.attname != "config_version"
            ]
        super().save(*args, **kwargs)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        """Return the organisation's time zone."""
        return zoneinfo.ZoneInfo(self.timezone)

    def language_of(self, user_id: int | None) -> str:
        """Return the language a member reads their emails in: theirs, else ours."""
        chosen = (
            self.memberships.filter(user_id=user_id)
            .values_list("language", flat=True)
            .first()
            if user_id is not None
            else None
        )
        return chosen or self.default_language


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    CX_MANAGER = "cx_manager", _("CX manager")
    ANALYST = "analyst", _("Analyst")
    EXECUTIVE = "executive", _("Executive")


class Membership(models.Model):
    """A staff user's role in one organisation."""

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(
        _("role"), max_length=16, choices=Role, default=Role.ANALYST
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language,
        blank=True,
        default="",
        help_text=_(
            "The language of this person's emails (case alerts, reminders); empty "
            "uses the organisation's language."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_once"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


API_KEY_PREFIX = "cxk"


def api_key_digest(secret: str) -> str:
    """Return the stored form of an API key secret (SHA-256; keys are random, not passwords)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def default_api_key_scopes() -> str:
    """Return the scopes a new key gets unless told otherwise (``roles.DEFAULT_SCOPE``)."""
    from cx.roles import DEFAULT_SCOPE  # cx.roles imports this module

    return DEFAULT_SCOPE.value


def parse_api_key_scopes(value: str) -> list[str]:
    """Return the scopes of a stored ``scopes`` value, in the table's order.

    Raise ValueError for an empty list or an unknown scope.
    """
    from cx.roles import Scope

    named = {part.strip() for part in value.split(",") if part.strip()}
    unknown = sorted(named - set(Scope))
    if unknown:
        raise ValueError(f"unknown scope {', '.join(unknown)}")
    if not named:
        raise ValueError("no scope")
    return [scope.value for scope in Scope if scope in named]


def validate_api_key_scopes(value: str) -> None:
    """Reject a scope list that is empty, holds unknown scopes or is not canonical."""
    try:
        canonical = ",".join(parse_api_key_scopes(value))
    except ValueError as error:
        raise ValidationError(
            _("Invalid API key scopes: %(error)s."), params={"error": error}
        ) from error
    if canonical != value:
        raise ValidationError(
            _("Write the scopes as %(canonical)s."), params={"canonical": canonical}
        )


class ApiKeyQuerySet(models.QuerySet):
    def active(self) -> ApiKeyQuerySet:
        """Return the keys that have not been revoked."""
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A per-organisation key for integrating systems. Only its hash is stored.

    The full key reads ``cxk_<lookup>_<secret>``: ``lookup`` finds the row, the secret is
    compared with the stored SHA-256 digest in constant time.
    """

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="api_keys",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100, default="default")
    scopes = models.CharField(
        _("scopes"),
        max_length=64,
        default=default_api_key_scopes,
        validators=[validate_api_key_scopes],
        help_text=_(
            "What the key may do, comma-separated: events:write (post events), "
            "read (every GET), manage (everything)."
        ),
    )
    lookup = models.CharField(_("lookup"), max_length=16, unique=True, editable=False)
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({API_KEY_PREFIX}_{self.lookup}_…)"

    @staticmethod
    def generate() -> tuple[str, str, str]:
        """Return a new ``(full key, lookup, secret)``; the secret has 256 bits."""
        lookup = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        return f"{API_KEY_PREFIX}_{lookup}_{secret}", lookup, secret

    def matches(self, secret: str) -> bool:
        """Return whether ``secret`` is this key's secret."""
        return hmac.compare_digest(self.digest, api_key_digest(secret))

    @property
    def scope_list(self) -> list[str]:
        """Return the key's scopes; none if the stored value is not valid."""
        try:
            return parse_api_key_scopes(self.scopes)
        except ValueError:
            return []

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        """Revoke the key now; requests using it get 401 from then on."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
