"""Surveys and their questions, with texts in every language the survey speaks."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from cx.models import Language, Organization
from cx.models.scoping import OrganizationManager


def translated_text_validator(value: object) -> None:
    """Require ``{"fi": "...", "sv": "...", "en": "..."}`` with known language codes."""
    if not isinstance(value, dict) or not all(
        isinstance(v, str) for v in value.values()
    ):
        raise ValidationError(_("Give the text as an object of language code → text."))
    unknown = set(value) - set(Language.values)
    if unknown:
        raise ValidationError(
            _("Unknown language(s): %(codes)s."),
            params={"codes": ", ".join(sorted(unknown))},
        )


def translate(texts: dict[str, str], language: str, fallback: str = "en") -> str:
    """Return the text in ``language``, else in ``fallback``, else any text there is."""
    return texts.get(language) or texts.get(fallback) or next(iter(texts.values()), "")


def new_public_token() -> str:
    """Return a fresh public-link token (128 bits)."""
    return secrets.token_urlsafe(16)


class Survey(models.Model):
    """A short questionnaire sent by trigger rules, to a list, or shared as a public link."""

    class Audience(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        EMPLOYEES = "employees", _("Employees")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    class Purpose(models.TextChoices):
        CUSTOMER_FEEDBACK = "customer_feedback", _("Customer feedback")
        RECOVERY = "recovery", _("Recovery after a follow-up")
        EMPLOYEE_PULSE = "employee_pulse", _("Employee engagement pulse")
        LEADERSHIP = "leadership", _("Leadership survey")

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="surveys",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience, default=Audience.CUSTOMERS
    )
    purpose = models.CharField(
        _("purpose"), max_length=24, choices=Purpose, default=Purpose.CUSTOMER_FEEDBACK
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status, default=Status.DRAFT
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        help_text=_('Language codes, e.g. ["fi", "sv", "en"].'),
    )
    title = models.JSONField(
        _("title"), default=dict, blank=True, validators=[translated_text_validator]
    )
    intro = models.JSONField(
        _("introduction"),
        default=dict,
        blank=True,
        validators=[translated_text_validator],
    )
    thank_you = models.JSONField(
        _("thank-you text"),
        default=dict,
        blank=True,
        validators=[translated_text_validator],
    )
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_("Answers are not linked to the respondent's identity."),
    )
    public_token = models.CharField(
        _("public link token"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_(
            "Set to open the survey to anyone with the public link /p/<token>/."
        ),
    )
    min_days_between_invitations = models.PositiveSmallIntegerField(
        _("days between invitations to one person"),
        null=True,
        blank=True,
        help_text=_(
            "Optional limit for this survey, on top of the organisation's limit."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="survey_name_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def language_for(self, wanted: str) -> str:
        """Return ``wanted`` if the survey speaks it, else its first language."""
        languages = self.languages or [Language.ENGLISH]
        return wanted if wanted in languages else languages[0]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.ACTIVE

    @cached_property
    def ordered_questions(self) -> list[Question]:
        """Return the questions in order (looked up once per object, i.e. per request)."""
        return list(self.questions.order_by("position"))

    @property
    def first_question(self) -> Question | None:
        """Return the question a respondent sees first."""
        return next(iter(self.ordered_questions), None)


class QuestionType(models.TextChoices):
    NPS = "nps", _("Net Promoter Score (0–10)")
    CSAT = "csat", _("Satisfaction (1–5)")
    CES = "ces", _("Customer effort (1–7)")
    FCR = "fcr", _("First-contact resolution (yes/no)")
    RATING = "rating", _("Rating scale")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Free text")


class Question(models.Model):
    """One question. Once it has answers it may be reworded but not deleted or retyped."""

    Type = QuestionType

    SCALES: dict[str, tuple[int, int]] = {
        Type.NPS: (0, 10),
        Type.CSAT: (1, 5),
        Type.CES: (1, 7),
        Type.FCR: (0, 1),
    }

    survey = models.ForeignKey(
        Survey, models.CASCADE, related_name="questions", verbose_name=_("survey")
    )
    key = models.SlugField(
        _("key"), max_length=60, help_text=_("Stable name used in logic.")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    type = models.CharField(_("type"), max_length=10, choices=Type)
    text = models.JSONField(_("text"), validators=[translated_text_validator])
    help_text_i18n = models.JSONField(
        _("help text"), default=dict, blank=True, validators=[translated_text_validator]
    )
    required = models.BooleanField(_("required"), default=True)
    scale_min = models.SmallIntegerField(_("scale minimum"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("scale maximum"), null=True, blank=True)
    scale_low_label = models.JSONField(
        _("label of the lowest score"),
        default=dict,
        blank=True,
        validators=[translated_text_validator],
        help_text=_(
            "Optional, per language; empty uses the wording of the question type "
            '(NPS "not at all likely", CSAT "very dissatisfied", CES "strongly '
            'disagree").'
        ),
    )
    scale_high_label = models.JSONField(
        _("label of the highest score"),
        default=dict,
        blank=True,
        validators=[translated_text_validator],
        help_text=_("Optional, per language; empty uses the question type's wording."),
    )
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_(
            'For choice questions: [{"key": "price", "label": {"fi": "…", "en": "…"}}].'
        ),
    )
    condition = models.JSONField(
        _("show only when"),
        null=True,
        blank=True,
        help_text=_(
            "A rule on earlier answers, segments or attributes; see surveys.logic."
        ),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_key_once"),
            models.UniqueConstraint(
                fields=["survey", "position"], name="question_position_once"
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=QuestionType.values),
                name="question_type_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_type_display()})"

    def scale(self) -> tuple[int, int] | None:
        """Return the question's numeric range, or None for choice and text questions."""
        if self.type in self.SCALES:
            return self.SCALES[self.type]
        if self.type == self.Type.RATING:
            return (self.scale_min or 1, self.scale_max or 5)
        return None

    @property
    def is_score(self) -> bool:
        """Return whether the answer is a number (scales and yes/no)."""
        return self.scale() is not None

    def choice_keys(self) -> list[str]:
        return [str(choice.get("key")) for choice in self.choices or []]

    def choice_label(self, key: str, language: str) -> str:
        for choice in self.choices or []:
            if choice.get("key") == key:
                label: Any = choice.get("label", {})
                return (
                    translate(label, language)
                    if isinstance(label, dict)
                    else str(label)
                )
        return key
