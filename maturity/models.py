"""Assessments (with every number behind them) and the organisation's self-assessment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cx.models import Organization
from cx.models.scoping import OrganizationManager
from maturity.method import DIMENSIONS, SELF_ASSESSMENT_ITEM_KEYS

DIMENSION_KEYS = [dimension.key for dimension in DIMENSIONS]


class AssessmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Assessment(models.Model):
    """One scoring of the organisation over a period, kept for audit and for trends."""

    Status = AssessmentStatus

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="assessments",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=AssessmentStatus,
        default=AssessmentStatus.PENDING,
    )
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True)
    index = models.DecimalField(
        _("index"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    confidence_label = models.CharField(
        _("confidence"), max_length=8, blank=True, default=""
    )
    result = models.JSONField(
        _("result"),
        default=dict,
        blank=True,
        help_text=_(
            "Every number behind the level: markers, dimensions, self-assessment."
        ),
    )
    error = models.TextField(_("error"), blank=True, default="")
    email_executives = models.BooleanField(
        _("email the report to executives"),
        default=False,
        help_text=_(
            "Set on scheduled assessments: the finished report goes to executives."
        ),
    )
    report_sent_at = models.DateTimeField(_("report emailed"), null=True, blank=True)
    # The run is outbox work (cx.outbox): claimed pending → running, swept when its
    # message was lost or its worker died.
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("maturity assessment")
        verbose_name_plural = _("maturity assessments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lt=models.F("period_end")),
                name="assessment_period_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True)
                | models.Q(level__gte=1, level__lte=4),
                name="assessment_level_1_to_4",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AssessmentStatus.values),
                name="assessment_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.period_end:%Y-%m-%d} · {self.get_status_display()}"


class SelfAssessmentAnswer(models.Model):
    """The organisation's current answer to one self-assessment item (1–4 anchored step)."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    item = models.CharField(_("item"), max_length=40)
    step = models.PositiveSmallIntegerField(_("step"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("self-assessment answer")
        verbose_name_plural = _("self-assessment answers")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "item"], name="self_answer_once"
            ),
            models.CheckConstraint(
                condition=models.Q(step__gte=1, step__lte=4),
                name="self_answer_step_1_to_4",
            ),
            models.CheckConstraint(
                condition=models.Q(item__in=SELF_ASSESSMENT_ITEM_KEYS),
                name="self_answer_item_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.step}"


class SelfAssessmentRound(models.Model):
    """One time someone answered the self-assessment: who, when and every answer.

    ``SelfAssessmentAnswer`` holds the current answer per item (what scoring reads);
    the rounds keep the history, so the page can say who claimed what, and when.
    """

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)
    answers = models.JSONField(
        _("answers"), default=dict, help_text=_("Item key → step 1–4, every item.")
    )
    importance = models.JSONField(
        _("importance"), default=dict, blank=True, help_text=_("Dimension → 1–5.")
    )

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("self-assessment round")
        verbose_name_plural = _("self-assessment rounds")
        ordering = ["-answered_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-answered_at"])]

    def __str__(self) -> str:
        return f"{self.organization} · {self.answered_at:%Y-%m-%d %H:%M}"


class DimensionImportance(models.Model):
    """How important a dimension is to the organisation (1–5), for priorities."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    dimension = models.CharField(_("dimension"), max_length=2)
    importance = models.PositiveSmallIntegerField(_("importance"), default=3)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("dimension importance")
        verbose_name_plural = _("dimension importances")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "dimension"], name="importance_once"
            ),
            models.CheckConstraint(
                condition=models.Q(importance__gte=1, importance__lte=5),
                name="importance_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(dimension__in=DIMENSION_KEYS),
                name="importance_dimension_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.importance}"
