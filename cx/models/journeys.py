"""Business processes, journeys and their touchpoints: the map that events land on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cx.models.scoping import OrganizationManager
from cx.models.tenancy import Organization
from cx.names import NAME_TRANSLATIONS_HELP, validate_name_translations


class Process(models.Model):
    """A business process ("mortgage lending", "claims handling") with an accountable owner."""

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="processes",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    name_translations = models.JSONField(
        _("name in other languages"),
        default=dict,
        blank=True,
        validators=[validate_name_translations],
        help_text=NAME_TRANSLATIONS_HELP,
    )
    description = models.TextField(_("description"), blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("business process")
        verbose_name_plural = _("business processes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="process_name_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Journey(models.Model):
    """A customer journey: the mapped "happy path" of ordered touchpoints."""

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="journeys",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    name_translations = models.JSONField(
        _("name in other languages"),
        default=dict,
        blank=True,
        validators=[validate_name_translations],
        help_text=NAME_TRANSLATIONS_HELP,
    )
    description = models.TextField(_("description"), blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="journey_name_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    BRANCH = "branch", _("Branch")
    APP = "app", _("App")
    OTHER = "other", _("Other")


class Touchpoint(models.Model):
    """One step of a journey, where the customer meets the organisation in a channel."""

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="touchpoints",
        verbose_name=_("organisation"),
    )
    journey = models.ForeignKey(
        Journey, models.CASCADE, related_name="touchpoints", verbose_name=_("journey")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=200)
    name_translations = models.JSONField(
        _("name in other languages"),
        default=dict,
        blank=True,
        validators=[validate_name_translations],
        help_text=NAME_TRANSLATIONS_HELP,
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel, default=Channel.WEB
    )
    process = models.ForeignKey(
        Process,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="touchpoints",
        verbose_name=_("business process"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["journey", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "position"], name="touchpoint_position_once"
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values),
                name="touchpoint_channel_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.journey} · {self.position}. {self.name}"


class TouchpointEventType(models.Model):
    """An event type that identifies a touchpoint: one type names one touchpoint."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    touchpoint = models.ForeignKey(
        Touchpoint,
        models.CASCADE,
        related_name="event_types",
        verbose_name=_("touchpoint"),
    )
    event_type = models.CharField(_("event type"), max_length=200)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("event type")
        verbose_name_plural = _("event types")
        ordering = ["event_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "event_type"],
                name="event_type_names_one_touchpoint",
            ),
        ]

    def __str__(self) -> str:
        return self.event_type
