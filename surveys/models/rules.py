"""When and to whom a survey goes: trigger rules and the organisation's contact policy."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cx.models import Organization, Segment, Touchpoint
from cx.models.scoping import OrganizationManager
from surveys.models.surveys import Survey


class ContactPolicy(models.Model):
    """Organisation-wide limits against survey fatigue."""

    organization = models.OneToOneField(
        Organization,
        models.CASCADE,
        related_name="contact_policy",
        verbose_name=_("organisation"),
    )
    min_days_between_invitations = models.PositiveSmallIntegerField(
        _("days between any two invitations to one customer"), default=14
    )

    class Meta:
        verbose_name = _("contact policy")
        verbose_name_plural = _("contact policies")

    def __str__(self) -> str:
        return f"{self.organization}: {self.min_days_between_invitations} days"


class DeliveryChannel(models.TextChoices):
    """How an invitation reaches its person: our email, or the caller's own channel."""

    EMAIL = "email", _("Email")
    OWN = "own", _("Own channel")


class TriggerRule(models.Model):
    """Send ``survey`` when an event happens at ``touchpoint`` (or of ``event_type``).

    Rules are matched inside the event's ingestion transaction. Each matching rule
    produces exactly one row per event: an ``Invitation``, or a ``Suppression`` with the
    reason nothing was sent.
    """

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="trigger_rules",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    survey = models.ForeignKey(
        Survey, models.PROTECT, related_name="trigger_rules", verbose_name=_("survey")
    )
    touchpoint = models.ForeignKey(
        Touchpoint,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="trigger_rules",
        verbose_name=_("touchpoint"),
    )
    event_type = models.CharField(
        _("event type"), max_length=200, blank=True, default=""
    )
    segments_all = models.ManyToManyField(
        Segment,
        blank=True,
        related_name="+",
        verbose_name=_("customer must be in all of"),
    )
    segments_none = models.ManyToManyField(
        Segment,
        blank=True,
        related_name="+",
        verbose_name=_("customer must be in none of"),
    )
    delay_minutes = models.PositiveIntegerField(
        _("delay (minutes)"), default=0, help_text=_("0 sends right away.")
    )
    sampling_percent = models.PositiveSmallIntegerField(
        _("sampling (%)"),
        default=100,
        help_text=_("Share of matching events that get a survey."),
    )
    holdout_percent = models.PositiveSmallIntegerField(
        _("holdout (%)"),
        default=10,
        help_text=_(
            "When the rule's segments use a predicted risk: the share of eligible "
            "customers who get nothing, so the effect of acting can be measured."
        ),
    )
    quiet_start = models.TimeField(
        _("quiet hours start"),
        null=True,
        blank=True,
        help_text=_("e.g. 21:00, local time"),
    )
    quiet_end = models.TimeField(
        _("quiet hours end"),
        null=True,
        blank=True,
        help_text=_("e.g. 08:00, local time"),
    )
    expiry_days = models.PositiveSmallIntegerField(_("link valid (days)"), default=14)
    reminder_count = models.PositiveSmallIntegerField(_("reminders"), default=0)
    reminder_interval_days = models.PositiveSmallIntegerField(
        _("days between reminders"), default=3
    )
    priority = models.SmallIntegerField(
        _("priority"),
        default=0,
        help_text=_("A higher priority may reach a customer contacted by a lower one."),
    )
    channel = models.CharField(
        _("channel"),
        max_length=8,
        choices=DeliveryChannel,
        default=DeliveryChannel.EMAIL,
        help_text=_(
            "Own channel: no email is sent; the answer link is returned once, in the "
            "API answer to the event, for the caller to deliver (SMS, app, chat)."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("trigger rule")
        verbose_name_plural = _("trigger rules")
        ordering = ["-priority", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(touchpoint__isnull=True, event_type=""),
                name="trigger_rule_has_touchpoint_or_event_type",
            ),
            models.CheckConstraint(
                condition=models.Q(sampling_percent__lte=100),
                name="trigger_rule_sampling_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=models.Q(quiet_start__isnull=True, quiet_end__isnull=True)
                | models.Q(quiet_start__isnull=False, quiet_end__isnull=False),
                name="trigger_rule_quiet_hours_both_or_neither",
            ),
            models.CheckConstraint(
                condition=models.Q(holdout_percent__lte=50),
                name="trigger_rule_holdout_at_most_half",
            ),
            models.CheckConstraint(
                condition=models.Q(expiry_days__gte=1),
                name="trigger_rule_expiry_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=DeliveryChannel.values),
                name="trigger_rule_channel_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name
