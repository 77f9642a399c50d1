"""The audit log: who viewed, exported or erased customers' personal data, and when;
who gave, changed or took away access to the organisation (memberships, API keys);
and who changed its configuration through the API (targets, policies, public links).

Entries name what was touched by its id only (a response, a follow-up case, a customer),
never by the customer's name or address, so that the log itself holds no personal data
of customers and survives their erasure unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cx.models import ApiKey, Organization
from cx.models.scoping import OrganizationManager


class Action(models.TextChoices):
    VIEWED = "viewed", _("viewed")
    EXPORTED = "exported", _("exported")
    ERASED = "erased", _("erased")
    CREATED = "created", _("created")
    CHANGED = "changed", _("changed")
    REMOVED = "removed", _("removed")
    REVOKED = "revoked", _("revoked")


class Subject(models.TextChoices):
    RESPONSE = "response", _("response")
    RESPONSES = "responses", _("responses (a list)")
    FOLLOWUP = "followup", _("follow-up case")
    FOLLOWUPS = "followups", _("follow-up cases (a list)")
    CUSTOMER = "customer", _("customer")
    CUSTOMERS = "customers", _("customers (a list)")
    EVENT = "event", _("event")
    EVENTS = "events", _("events (a list)")
    MEMBERSHIP = "membership", _("membership")
    API_KEY = "api_key", _("API key")
    METRIC_TARGETS = "targets", _("metric targets")
    CONTACT_POLICY = "contact_policy", _("contact policy")
    FOLLOWUP_POLICY = "followup_policy", _("follow-up policy")
    PUBLIC_LINK = "public_link", _("public link")


class Channel(models.TextChoices):
    STAFF = "staff", _("staff pages")
    ADMIN = "admin", _("admin")
    API = "api", _("API")
    COMMAND = "command", _("command line")


class AuditEntry(models.Model):
    """One access to personal data, or one change of who has access. Never changed."""

    Action = Action
    Subject = Subject
    Channel = Channel

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="audit_entries",
        verbose_name=_("organisation"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff user"),
    )
    api_key = models.ForeignKey(
        ApiKey,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API key"),
    )
    actor = models.CharField(
        _("by"),
        max_length=200,
        help_text=_("The user name or API key as it was then; kept if they go."),
    )
    channel = models.CharField(_("through"), max_length=8, choices=Channel.choices)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    subject = models.CharField(_("what"), max_length=16, choices=Subject.choices)
    subject_id = models.BigIntegerField(_("id"), null=True, blank=True)
    detail = models.JSONField(
        _("detail"),
        default=dict,
        blank=True,
        help_text=_("Filters, format, number of rows: never a customer's data."),
    )

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organization", "-at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=True) | models.Q(api_key__isnull=True),
                name="audit_entry_one_actor",
            ),
            models.CheckConstraint(
                condition=models.Q(action__in=[a.value for a in Action]),
                name="audit_entry_action_known",
            ),
            models.CheckConstraint(
                condition=models.Q(subject__in=[s.value for s in Subject]),
                name="audit_entry_subject_known",
            ),
        ]

    def __str__(self) -> str:
        target = self.get_subject_display()
        if self.subject_id is not None:
            target = f"{target} #{self.subject_id}"
        return f"{self.actor} {self.get_action_display()} {target}"
