"""Responses and answers, linked to the customer's segments, touchpoint, journey, process."""

from __future__ import annotations

from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from cx.models import (
    Customer,
    Event,
    Journey,
    Language,
    Organization,
    Process,
    Segment,
    Touchpoint,
)
from cx.models.scoping import OrganizationManager
from surveys.models.invitations import Invitation
from surveys.models.rules import DeliveryChannel
from surveys.models.surveys import Question, Survey


class Response(models.Model):
    """One person's answers to one survey, saved answer by answer.

    The touchpoint, journey, process and the customer's segments are copied here when
    the response is stored and completed, so later changes to the map or to segment
    rules do not rewrite history.
    """

    class State(models.TextChoices):
        STARTED = "started", _("Started")
        COMPLETED = "completed", _("Completed")

    class Origin(models.TextChoices):
        EVENT = "event", _("Event-triggered invitation")
        LIST = "list", _("Invitation sent to a list")
        PUBLIC_LINK = "public_link", _("Anonymous public link")
        RECOVERY = "recovery", _("Recovery survey")
        IMPORT = "import", _("Imported history")

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="responses",
        verbose_name=_("organisation"),
    )
    survey = models.ForeignKey(
        Survey, models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    invitation = models.OneToOneField(
        Invitation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="response",
        verbose_name=_("invitation"),
    )
    customer = models.ForeignKey(
        Customer,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("customer"),
    )
    event = models.ForeignKey(
        Event,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event"),
    )
    touchpoint = models.ForeignKey(
        Touchpoint,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("touchpoint"),
    )
    journey = models.ForeignKey(
        Journey,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("journey"),
    )
    process = models.ForeignKey(
        Process,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("business process"),
    )
    origin = models.CharField(
        _("origin"), max_length=12, choices=Origin, default=Origin.EVENT
    )
    channel = models.CharField(
        _("channel"),
        max_length=8,
        choices=DeliveryChannel,
        blank=True,
        default="",
        help_text=_(
            "How the invitation reached the respondent; empty without an invitation "
            "(public link, import)."
        ),
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    language = models.CharField(_("language"), max_length=2, choices=Language)
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.STARTED
    )
    imported_at = models.DateTimeField(
        _("imported"),
        null=True,
        blank=True,
        help_text=_(
            "Set on history loaded from another tool; origin keeps how it was collected."
        ),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=200,
        blank=True,
        default="",
        help_text=_(
            "The importing tool's own id of an imported response: a repeated import "
            "of it is recognised."
        ),
    )
    started_at = models.DateTimeField(_("started"))
    completed_at = models.DateTimeField(
        _("completed"), null=True, blank=True, db_index=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="started", completed_at__isnull=True)
                | models.Q(state="completed", completed_at__isnull=False),
                name="response_completed_has_time",
            ),
            # A retried import finds what it stored by this id, never stores it twice.
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~models.Q(external_id=""),
                name="response_external_id_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "completed_at"], name="response_org_done_idx"
            ),
            models.Index(
                fields=["touchpoint", "completed_at"], name="response_tp_done_idx"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.survey} · {self.get_state_display()} · {self.started_at:%Y-%m-%d}"
        )

    @cached_property
    def given_answers(self) -> list[tuple[int, str, int | None, list[str], str]]:
        """Return (question id, key, number, choices, text) of each answer so far.

        Looked up once per object; whoever saves an answer calls ``forget_answers``.
        """
        return list(
            self.answers.values_list(
                "question_id", "question__key", "number", "choices", "text"
            )
        )

    def forget_answers(self) -> None:
        self.__dict__.pop("given_answers", None)


class ResponseSegment(models.Model):
    """The customer was in this segment when the response was given (a snapshot).

    Write these rows with ``surveys.services.snapshots.response_segments_snapshot``, which
    also copies the response's touchpoint and completion time onto them.
    """

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    response = models.ForeignKey(
        Response, models.CASCADE, related_name="segments", verbose_name=_("response")
    )
    segment = models.ForeignKey(
        Segment,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("segment"),
    )
    key = models.SlugField(_("segment key"), max_length=60)
    # Copies of the response's organisation, touchpoint and completion time, so that
    # segment × touchpoint counts over millions of responses need no join.
    touchpoint = models.ForeignKey(
        Touchpoint,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("touchpoint"),
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # The response's NPS answer, copied like the touchpoint: the touchpoint × segment
    # heatmap is then one scan of this table, not a join of answers and segments.
    nps = models.SmallIntegerField(_("NPS given"), null=True, blank=True)
    # Copied from the response's ``imported_at``: results by segment include history,
    # while the maturity evidence of segmentation (D4) counts only live answers.
    imported = models.BooleanField(
        _("imported history"), default=False, db_default=False
    )

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("segment at response")
        verbose_name_plural = _("segments at response")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "key"], name="response_segment_once"
            ),
        ]
        indexes = [
            models.Index(fields=["key", "response"], name="response_segment_key_idx")
        ]

    def __str__(self) -> str:
        return self.key


class Answer(models.Model):
    """The answer to one question: a number (scales, yes = 1 / no = 0), choices, or text."""

    response = models.ForeignKey(
        Response, models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    number = models.SmallIntegerField(_("number"), null=True, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    text = models.TextField(_("text"), blank=True, default="")
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_once"
            ),
        ]
        indexes = [
            models.Index(fields=["question", "number"], name="answer_question_idx")
        ]

    def __str__(self) -> str:
        if self.number is not None:
            return str(self.number)
        return ", ".join(self.choices) if self.choices else self.text[:60]
