"""Per-organisation targets that scores are measured against."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cx.models import Organization
from cx.models.scoping import OrganizationManager
from insights.metrics import DEFINITIONS, Metric


class MetricTarget(models.Model):
    """The value an organisation aims at for one metric (e.g. NPS 40), or one journey.

    A journey's own target comes first, then the organisation's (no journey); without
    either, ``insights.metrics.DEFAULT_TARGETS`` applies (NPS 30).
    """

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="metric_targets",
        verbose_name=_("organisation"),
    )
    metric = models.CharField(
        _("metric"),
        max_length=16,
        choices=[(metric.value, DEFINITIONS[metric].label) for metric in Metric],
    )
    value = models.FloatField(_("target"))
    journey = models.ForeignKey(
        "cx.Journey",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="metric_targets",
        verbose_name=_("journey"),
        help_text=_("Empty: the organisation's target for every journey."),
    )

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("metric target")
        verbose_name_plural = _("metric targets")
        ordering = ["metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "metric"],
                condition=models.Q(journey__isnull=True),
                name="metric_target_once",
            ),
            models.UniqueConstraint(
                fields=["organization", "metric", "journey"],
                condition=models.Q(journey__isnull=False),
                name="metric_target_once_per_journey",
            ),
            models.CheckConstraint(
                condition=models.Q(metric__in=[metric.value for metric in Metric]),
                name="metric_target_metric_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.value:g}"


class Tag(models.Model):
    """A label staff put on responses to group them ("pricing", "app bug")."""

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="tags",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=60)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="tag_once"),
        ]

    def __str__(self) -> str:
        return self.name


class ResponseTag(models.Model):
    """A tag on a response (at most once)."""

    response = models.ForeignKey(
        "surveys.Response",
        models.CASCADE,
        related_name="tagged",
        verbose_name=_("response"),
    )
    tag = models.ForeignKey(
        Tag, models.CASCADE, related_name="tagged", verbose_name=_("tag")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("response tag")
        verbose_name_plural = _("response tags")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "tag"], name="response_tag_once"
            ),
        ]

    def __str__(self) -> str:
        return str(self.tag)


class ResponseNote(models.Model):
    """An internal note on a response; never shown to the customer."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    response = models.ForeignKey(
        "surveys.Response",
        models.CASCADE,
        related_name="notes",
        verbose_name=_("response"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text=""), name="response_note_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class DeviationAlert(models.Model):
    """A touchpoint's score fell beyond its baseline (insights.deviations), told once a day."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    touchpoint = models.ForeignKey(
        "cx.Touchpoint",
        models.CASCADE,
        related_name="deviation_alerts",
        verbose_name=_("touchpoint"),
    )
    metric = models.CharField(_("metric"), max_length=16)
    day = models.DateField(_("day"))
    recent_value = models.FloatField(_("recent value"))
    baseline_value = models.FloatField(_("baseline value"))
    recipient = models.EmailField(_("told"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("deviation alert")
        verbose_name_plural = _("deviation alerts")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["touchpoint", "metric", "day"],
                name="deviation_alert_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.touchpoint} · {self.metric} {self.recent_value:.0f}"


class DashboardVisit(models.Model):
    """Who looked at the results, once per user per day (maturity evidence of sharing)."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16)
    day = models.DateField(_("day"))

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("dashboard visit")
        verbose_name_plural = _("dashboard visits")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "day"],
                name="dashboard_visit_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.day}"


# The comment-understanding models live with their code (insights/text).
from insights.text.models import (  # noqa: E402, F401
    CommentAnalysis,
    ResponseTheme,
    TextModel,
    Theme,
    ThemeAlert,
)
