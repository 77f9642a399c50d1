"""Per-organisation targets that scores are measured against."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cx.models import Organization
from cx.models.scoping import OrganizationManager
from insights.metrics import DEFINITIONS, Metric


class MetricTarget(models.Model):
    """The value an organisation aims at for one metric (e.g. NPS 40).

    Without a row, ``insights.metrics.DEFAULT_TARGETS`` applies (NPS 30).
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

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("metric target")
        verbose_name_plural = _("metric targets")
        ordering = ["metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "metric"], name="metric_target_once"
            ),
            models.CheckConstraint(
                condition=models.Q(metric__in=[metric.value for metric in Metric]),
                name="metric_target_metric_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.value:g}"
