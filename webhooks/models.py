"""Webhook endpoints an organisation subscribes, and the delivery log of what went to them.

A delivery is a row before it is a request: its state is the truth about the work, and a
Celery message only says "look at row N now" (see ``webhooks.services``).
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cx.models import Organization
from cx.models.scoping import OrganizationManager

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
# Plain http is accepted only for a receiver on the developer's own machine.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class EventType(models.TextChoices):
    RESPONSE_COMPLETED = "response.completed", _("Response completed")
    FOLLOWUP_OPENED = "followup.opened", _("Follow-up opened")
    FOLLOWUP_CLOSED = "followup.closed", _("Follow-up closed")
    RISK_CROSSED = "prediction.risk_crossed", _("Customer's risk crossed the threshold")


def new_secret() -> str:
    """Return a fresh signing secret: ``whsec_`` and the base64 of 24 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def new_message_id() -> str:
    """Return a fresh message id, the ``webhook-id`` receivers deduplicate by."""
    return "msg_" + secrets.token_urlsafe(18)


def endpoint_url_validator(value: str) -> None:
    """Require an https address, except a local one while developing or testing.

    The payloads carry customers' feedback; over plain http anyone on the path reads it.
    """
    parts = urlsplit(value)
    if parts.username is not None or parts.password is not None:
        raise ValidationError(
            _("Put no user name or password in the address: requests are signed."),
            code="credentials",
        )
    if parts.scheme == "https":
        return
    local = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if local and (settings.DEBUG or settings.TESTING):
        return
    raise ValidationError(_("Use an https:// address."), code="https_required")


def event_types_validator(value: object) -> None:
    """Require a non-empty list of known event types, each named once."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one event type."), code="required")
    unknown = [str(name) for name in value if name not in EventType.values]
    if unknown:
        raise ValidationError(
            _("Unknown event type(s): %(names)s."),
            code="unknown",
            params={"names": ", ".join(unknown)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("Name each event type once."), code="duplicate")


class WebhookEndpoint(models.Model):
    """An address of the organisation's own system that wants some of our events.

    The secret signs every request (Standard Webhooks); it is kept in clear because
    signing needs it, and shown to the organisation only when the endpoint is created.
    """

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[endpoint_url_validator],
        help_text=_("Where the events are POSTed; https is required."),
    )
    description = models.CharField(
        _("description"), max_length=200, blank=True, default=""
    )
    event_types = models.JSONField(
        _("event types"),
        default=list,
        validators=[event_types_validator],
        help_text=_("Which events this endpoint receives."),
    )
    secret = models.CharField(
        _("signing secret"), max_length=64, default=new_secret, editable=False
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("An inactive endpoint receives nothing until it is activated."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["organization", "active"], name="webhook_endpoint_active_idx"
            )
        ]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        """Return whether this endpoint is active and subscribed to ``event_type``."""
        return self.active and event_type in (self.event_types or [])

    @property
    def masked_secret(self) -> str:
        """Return the secret with all but its last four characters hidden."""
        return f"{SECRET_PREFIX}…{self.secret[-4:]}"


class DeliveryState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event on its way to one endpoint, with how each attempt went.

    scheduled → sending → delivered, or back to scheduled (a retry), or failed.
    """

    State = DeliveryState

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="webhook_deliveries",
        verbose_name=_("organisation"),
    )
    event_type = models.CharField(_("event type"), max_length=40, choices=EventType)
    message_id = models.CharField(
        _("message id"), max_length=40, unique=True, default=new_message_id
    )
    payload = models.JSONField(
        _("payload"), help_text=_("The JSON body sent: type, timestamp and data.")
    )
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState, default=State.SCHEDULED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    due_at = models.DateTimeField(_("due"))
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last status code"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True, default="")
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=DeliveryState.values),
                name="webhook_delivery_state_known",
            ),
            models.CheckConstraint(
                condition=models.Q(event_type__in=EventType.values),
                name="webhook_delivery_event_type_known",
            ),
            models.CheckConstraint(
                condition=models.Q(state="delivered", delivered_at__isnull=False)
                | (~models.Q(state="delivered") & models.Q(delivered_at__isnull=True)),
                name="webhook_delivery_delivered_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="sending")
                | models.Q(claimed_at__isnull=False),
                name="webhook_delivery_sending_is_claimed",
            ),
        ]
        indexes = [
            # The sweeper's and the claim's question: what is scheduled and due?
            models.Index(fields=["state", "due_at"], name="webhook_delivery_due_idx"),
            models.Index(
                fields=["organization", "state"], name="webhook_delivery_org_state_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} · {self.event_type} · {self.get_state_display()}"
