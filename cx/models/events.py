"""Business events posted by the organisation's other systems."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cx.models.customers import Customer
from cx.models.journeys import Touchpoint
from cx.models.scoping import OrganizationManager
from cx.models.tenancy import Organization


class Event(models.Model):
    """Something the customer just did ("chat ended"), stored once per ``event_id``."""

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="events",
        verbose_name=_("organisation"),
    )
    event_id = models.CharField(_("event id"), max_length=200)
    type = models.CharField(_("type"), max_length=200)
    customer = models.ForeignKey(
        Customer,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("customer"),
    )
    touchpoint = models.ForeignKey(
        Touchpoint,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("touchpoint"),
    )
    occurred_at = models.DateTimeField(_("occurred"))
    received_at = models.DateTimeField(_("received"))
    properties = models.JSONField(_("properties"), default=dict, blank=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-occurred_at"]
        constraints = [
            # Idempotency of ingestion rests on this constraint, not on a prior lookup.
            models.UniqueConstraint(
                fields=["organization", "event_id"], name="event_id_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "type", "occurred_at"], name="event_type_idx"
            ),
            models.Index(fields=["customer", "occurred_at"], name="event_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} ({self.event_id})"
