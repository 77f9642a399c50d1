"""Customers, identified per organisation, and the rule-based segments they fall into."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cx import segmentation
from cx.models.scoping import OrganizationManager
from cx.models.tenancy import Language, Organization
from cx.names import NAME_TRANSLATIONS_HELP, validate_name_translations


class Customer(models.Model):
    """A person who gives feedback, known to the organisation by its own ``external_id``."""

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="customers",
        verbose_name=_("organisation"),
    )
    external_id = models.CharField(_("external id"), max_length=200)
    email = models.EmailField(_("email"), blank=True, default="")
    name = models.CharField(_("name"), max_length=200, blank=True, default="")
    language = models.CharField(
        _("language"), max_length=2, choices=Language, blank=True, default=""
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    opted_out = models.BooleanField(
        _("opted out"), default=False, help_text=_("Never send this customer a survey.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"], name="customer_external_id_once"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=[*Language.values, ""]),
                name="customer_language_known",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "email"], name="customer_email_idx")
        ]

    def __str__(self) -> str:
        return self.name or self.external_id

    @property
    def first_name(self) -> str:
        """Return the first word of the name, for greetings and piped question texts."""
        return self.name.split()[0] if self.name.strip() else ""

    def preferred_language(self) -> str:
        """Return the customer's language, or the organisation's default."""
        return self.language or self.organization.default_language


class Segment(models.Model):
    """A dynamic, rule-based group of customers ("valuable", "returner", …).

    ``rule`` is an AND/OR tree of conditions on customer attributes; see
    :mod:`cx.segmentation` for its grammar. Membership is never stored: it is evaluated for
    one customer in Python and for counts in SQL, so it is always current.
    """

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="segments",
        verbose_name=_("organisation"),
    )
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_translations = models.JSONField(
        _("name in other languages"),
        default=dict,
        blank=True,
        validators=[validate_name_translations],
        help_text=NAME_TRANSLATIONS_HELP,
    )
    description = models.TextField(_("description"), blank=True, default="")
    rule = models.JSONField(
        _("rule"),
        default=segmentation.match_all,
        validators=[segmentation.validate_rule],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key"], name="segment_key_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, customer: Customer) -> bool:
        """Return whether ``customer`` is in this segment right now."""
        return segmentation.evaluate(self.rule, customer.attributes or {})

    def customers(self) -> models.QuerySet[Customer]:
        """Return this segment's customers, evaluated in SQL."""
        return Customer.objects.for_organization(self.organization_id).filter(
            segmentation.to_q(self.rule)
        )
