"""Invitations (a survey on its way to one person) and suppressions (why none went)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cx.models import Customer, Event, Language, Organization
from cx.models.scoping import OrganizationManager
from surveys.models.rules import DeliveryChannel, TriggerRule
from surveys.models.surveys import Survey


def token_digest(token: str) -> str:
    """Return the stored form of a survey-link token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token_salt() -> str:
    return secrets.token_hex(16)


class InvitationState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    OPENED = "opened", _("Opened")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Failed")


class Invitation(models.Model):
    """A survey on its way to one person; the row is the work item, its state the truth.

    scheduled → sending → sent → opened → answered, or expired / failed.

    The link token is never stored. It is derived from the row's random 128-bit salt and
    the server's secret key (HMAC-SHA256, 160 bits kept), so the worker can rebuild it for
    the first email and for reminders, while the database holds only its SHA-256 digest,
    which the answer page looks the token up by.
    """

    State = InvitationState
    Channel = DeliveryChannel

    class Origin(models.TextChoices):
        EVENT = "event", _("Triggered by an event")
        LIST = "list", _("Sent to a list")
        RECOVERY = "recovery", _("Recovery after a follow-up")

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    survey = models.ForeignKey(
        Survey, models.PROTECT, related_name="invitations", verbose_name=_("survey")
    )
    rule = models.ForeignKey(
        TriggerRule,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("trigger rule"),
    )
    event = models.ForeignKey(
        Event,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("event"),
    )
    customer = models.ForeignKey(
        Customer,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("customer"),
    )
    origin = models.CharField(
        _("origin"), max_length=10, choices=Origin, default=Origin.EVENT
    )
    channel = models.CharField(
        _("channel"),
        max_length=8,
        choices=DeliveryChannel,
        default=DeliveryChannel.EMAIL,
        help_text=_(
            "Own channel: the caller delivered the link; the product sent no email."
        ),
    )
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language)
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.SCHEDULED, db_index=True
    )
    token_salt = models.CharField(max_length=32, default=new_token_salt, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    due_at = models.DateTimeField(_("due"), db_index=True)
    expires_at = models.DateTimeField(_("link expires"))
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    next_reminder_at = models.DateTimeField(_("next reminder"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "rule"], name="invitation_once_per_event_and_rule"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=InvitationState.values),
                name="invitation_state_known",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=DeliveryChannel.values),
                name="invitation_channel_known",
            ),
        ]
        indexes = [
            models.Index(
                fields=["customer", "created_at"], name="invitation_customer_idx"
            ),
            models.Index(fields=["state", "due_at"], name="invitation_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.email} ({self.get_state_display()})"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.token_hash:
            self.token_hash = token_digest(self.token())
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def token(self) -> str:
        """Return the secret link token of this invitation (derived, never stored)."""
        mac = hmac.new(
            settings.SECRET_KEY.encode(),
            f"invitation:{self.token_salt}".encode(),
            "sha256",
        ).digest()
        return base64.urlsafe_b64encode(mac[:20]).decode().rstrip("=")


class SuppressionReason(models.TextChoices):
    OPTED_OUT = "opted_out", _("Customer opted out")
    NO_EMAIL = "no_email", _("No email address")
    UNDELIVERABLE = "undeliverable", _("Address bounced or complained")
    CONTACTED_RECENTLY = "contacted_recently", _("Contacted recently")
    SAMPLED_OUT = "sampled_out", _("Not in the sample")
    SEGMENT_FILTER = "segment_filter", _("Outside the rule's segments")
    DUPLICATE = "duplicate", _("Already invited for this event")
    RULE_INACTIVE = "rule_inactive", _("Rule inactive")
    SURVEY_CLOSED = "survey_closed", _("Survey not active")
    NO_CUSTOMER = "no_customer", _("Customer not identified")
    HOLDOUT = "holdout", _("Held out to measure the effect of acting")


class Suppression(models.Model):
    """An event that matched a rule but sent nothing, and why. One per event and rule."""

    Reason = SuppressionReason

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="suppressions",
        verbose_name=_("organisation"),
    )
    rule = models.ForeignKey(
        TriggerRule,
        models.CASCADE,
        related_name="suppressions",
        verbose_name=_("trigger rule"),
    )
    event = models.ForeignKey(
        Event, models.CASCADE, related_name="suppressions", verbose_name=_("event")
    )
    customer = models.ForeignKey(
        Customer,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="suppressions",
        verbose_name=_("customer"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    detail = models.CharField(_("detail"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("suppression")
        verbose_name_plural = _("suppressions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "rule"], name="suppression_once_per_event_and_rule"
            ),
            models.CheckConstraint(
                condition=models.Q(reason__in=SuppressionReason.values),
                name="suppression_reason_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.event}"


class UndeliverableAddress(models.Model):
    """An address that hard-bounced or complained: nothing is sent to it again."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Hard bounce")
        COMPLAINED = "complained", _("Spam complaint")
        REJECTED = "rejected", _("Rejected by the provider")

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    email = models.EmailField(_("email"))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason)
    detail = models.CharField(_("detail"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("undeliverable address")
        verbose_name_plural = _("undeliverable addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"], name="undeliverable_address_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_reason_display()})"
