"""Themes, comment analyses and the trained text models (loaded through insights.models)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from cx.models import Organization, Touchpoint
from cx.models.scoping import OrganizationManager


class Theme(models.Model):
    """A theme of the organisation's comments: discovered (NMF) or a keyword rule.

    The manager's edits live on the row and survive retraining: a retrained topic that
    looks like a known theme (telling words) stays that theme, keeps an edited label,
    and a topic of a merged theme lands on the theme it was merged into.
    """

    class Kind(models.TextChoices):
        DISCOVERED = "discovered", _("Discovered")
        RULE = "rule", _("Keyword rule")

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="themes",
        verbose_name=_("organisation"),
    )
    label = models.CharField(_("name"), max_length=80)
    label_edited = models.BooleanField(_("named by a person"), default=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    words = models.JSONField(_("telling words"), default=list, blank=True)
    signature = models.JSONField(_("word weights"), default=dict, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    split_from = models.ForeignKey(
        "self",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="splits",
        verbose_name=_("split from"),
    )
    merged_into = models.ForeignKey(
        "self",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["label"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")),
                name="theme_not_merged_into_itself",
            ),
            models.CheckConstraint(
                condition=~models.Q(split_from=models.F("pk")),
                name="theme_not_split_from_itself",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["discovered", "rule"]),
                name="theme_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class TextModel(models.Model):
    """One training of an organisation's themes and sentiment, with its validation."""

    class State(models.TextChoices):
        TRAINING = "training", _("Training")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.TRAINING
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    comments = models.PositiveIntegerField(_("comments"), default=0)
    topics = models.PositiveSmallIntegerField(_("topics"), default=0)
    sentiment_labelled = models.PositiveIntegerField(_("labelled comments"), default=0)
    sentiment_held_out = models.PositiveIntegerField(_("held-out comments"), default=0)
    sentiment_accuracy = models.FloatField(_("held-out accuracy"), null=True)
    sentiment_ci_low = models.FloatField(null=True)
    sentiment_ci_high = models.FloatField(null=True)
    sentiment_base_rate = models.FloatField(null=True)
    sentiment_published = models.BooleanField(default=False)
    sentiment_reason = models.CharField(max_length=40, blank=True, default="")
    error = models.TextField(blank=True, default="")
    # Names the payload in a process's memory (ids may be reused, e.g. in tests).
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    # The fitted vectoriser, NMF and sentiment model (pickled scikit-learn objects made
    # by this code, never read from elsewhere).
    payload = models.BinaryField(null=True, editable=False)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("text model")
        verbose_name_plural = _("text models")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(state="training"),
                name="text_model_one_training",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.started_at:%Y-%m-%d} · {self.state}"


class CommentAnalysis(models.Model):
    """A response's comments, analysed: pending at completion, done by a task."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")

    class Sentiment(models.TextChoices):
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")
        MIXED = "mixed", _("Mixed")
        UNKNOWN = "unknown", _("Unknown")

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    response = models.OneToOneField(
        "surveys.Response",
        models.CASCADE,
        related_name="comment_analysis",
        verbose_name=_("response"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.PENDING
    )
    sentiment = models.CharField(
        _("sentiment"), max_length=10, choices=Sentiment, default=Sentiment.UNKNOWN
    )
    positive_probability = models.FloatField(null=True, blank=True)
    disagrees = models.BooleanField(_("disagrees with the score"), default=False)
    analysed_at = models.DateTimeField(_("analysed"), null=True, blank=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("comment analysis")
        verbose_name_plural = _("comment analyses")
        indexes = [
            models.Index(
                fields=["organization", "sentiment"], name="comment_org_sentiment_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="pending")
                | models.Q(analysed_at__isnull=False),
                name="comment_analysis_done_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id} · {self.sentiment}"


class ResponseTheme(models.Model):
    """A response's comment is about this theme."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    response = models.ForeignKey(
        "surveys.Response",
        models.CASCADE,
        related_name="comment_themes",
        verbose_name=_("response"),
    )
    theme = models.ForeignKey(
        Theme, models.CASCADE, related_name="tagged", verbose_name=_("theme")
    )
    weight = models.FloatField(_("weight"), default=1.0)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("theme of a response")
        verbose_name_plural = _("themes of responses")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "theme"], name="response_theme_once"
            ),
        ]
        indexes = [
            models.Index(fields=["theme", "response"], name="theme_response_idx")
        ]

    def __str__(self) -> str:
        return f"{self.response_id} · {self.theme_id}"


class ThemeAlert(models.Model):
    """A theme rose beyond its baseline in a week (insights.text.rising), told once."""

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    theme = models.ForeignKey(
        Theme, models.CASCADE, related_name="alerts", verbose_name=_("theme")
    )
    week = models.DateField(_("week starting"))
    touchpoint = models.ForeignKey(
        Touchpoint,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("touchpoint"),
    )
    count = models.PositiveIntegerField(_("comments with the theme"))
    n = models.PositiveIntegerField(_("comments"))
    baseline_share = models.FloatField(_("baseline share"))
    p_value = models.FloatField(_("adjusted p-value"))
    recipient = models.EmailField(_("told"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("rising theme alert")
        verbose_name_plural = _("rising theme alerts")
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "week"], name="theme_alert_once_a_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.theme} · {self.week}"
