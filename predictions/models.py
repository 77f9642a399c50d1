"""Prediction definitions, their trained versions (a row with a state) and risks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cx.models import Customer, Organization, Touchpoint
from cx.models.scoping import OrganizationManager
from cx.segmentation import PREDICTION_ATTRIBUTE_PREFIX


class PredictionKind(models.TextChoices):
    DETRACTOR = "detractor", _("The next answer at a touchpoint is a detractor")
    EVENT = "event", _("An event of a type happens within the horizon")


class PredictionDefinition(models.Model):
    """What an organisation predicts: an outcome and a horizon, e.g. abandonment."""

    Kind = PredictionKind

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="prediction_definitions",
        verbose_name=_("organisation"),
    )
    key = models.SlugField(
        _("key"),
        max_length=40,
        help_text=_(
            "Names the customer attribute segments use, e.g. 'abandon' → risk_abandon."
        ),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=PredictionKind)
    touchpoint = models.ForeignKey(
        Touchpoint,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("touchpoint"),
        help_text=_("For a detractor prediction: where the next answer is given."),
    )
    event_type = models.CharField(
        _("event type"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("For an event prediction, e.g. mortgage.application_abandoned."),
    )
    horizon_days = models.PositiveSmallIntegerField(_("horizon (days)"), default=60)
    threshold = models.FloatField(
        _("risk threshold"),
        default=0.6,
        help_text=_("A customer at or above it is at risk (0–1)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("prediction definition")
        verbose_name_plural = _("prediction definitions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key"], name="prediction_key_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="detractor", touchpoint__isnull=True),
                name="prediction_detractor_has_touchpoint",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="event", event_type=""),
                name="prediction_event_has_type",
            ),
            models.CheckConstraint(
                condition=models.Q(horizon_days__gte=1, horizon_days__lte=365),
                name="prediction_horizon_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(threshold__gt=0, threshold__lt=1),
                name="prediction_threshold_is_a_probability",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def attribute(self) -> str:
        """Return the customer attribute holding this risk, for segment rules."""
        return PREDICTION_ATTRIBUTE_PREFIX + self.key.replace("-", "_")


class VersionState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    TRAINING = "training", _("Training")
    PUBLISHED = "published", _("Published")
    REFUSED = "refused", _("Refused by the gate")
    FAILED = "failed", _("Failed")


class ModelVersion(models.Model):
    """One training of a definition: queued, trained, then published or refused.

    The row is the work to do (a Celery task claims it); once finished it keeps the
    model card: periods, sizes, test-period metrics, baselines and top factors, and, if
    the gate refused it, why.
    """

    State = VersionState

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    definition = models.ForeignKey(
        PredictionDefinition,
        models.CASCADE,
        related_name="versions",
        verbose_name=_("prediction"),
    )
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(
        _("state"), max_length=10, choices=VersionState, default=VersionState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=40, blank=True, default="")
    card = models.JSONField(_("model card"), default=dict, blank=True)
    refusals = models.JSONField(_("why refused"), default=list, blank=True)
    model = models.BinaryField(_("fitted model"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, default="")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "number"], name="model_version_number_once"
            ),
            models.UniqueConstraint(
                fields=["definition"],
                condition=models.Q(state__in=["queued", "training"]),
                name="model_version_one_training_at_a_time",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="model_version_progress_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="published", model__isnull=True),
                name="model_version_published_has_model",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition} v{self.number}"


class CustomerRisk(models.Model):
    """A customer's current risk under a definition's published model, with reasons."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    definition = models.ForeignKey(
        PredictionDefinition,
        models.CASCADE,
        related_name="risks",
        verbose_name=_("prediction"),
    )
    customer = models.ForeignKey(
        Customer, models.CASCADE, related_name="risks", verbose_name=_("customer")
    )
    version = models.ForeignKey(
        ModelVersion, models.CASCADE, related_name="+", verbose_name=_("version")
    )
    risk = models.FloatField(_("risk"))
    at_risk = models.BooleanField(_("at risk"), default=False)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    scored_at = models.DateTimeField(_("scored"))

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("customer risk")
        verbose_name_plural = _("customer risks")
        ordering = ["-risk"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "customer"], name="customer_risk_once"
            ),
            models.CheckConstraint(
                condition=models.Q(risk__gte=0, risk__lte=1),
                name="customer_risk_is_a_probability",
            ),
        ]
        indexes = [
            models.Index(fields=["definition", "-risk"], name="customer_risk_rank_idx")
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.definition} · {self.risk:.2f}"
