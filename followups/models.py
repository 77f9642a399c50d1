"""Follow-up cases and the per-organisation policy that opens them."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cx.models import Customer, Journey, Organization, Process, Touchpoint
from cx.models.scoping import OrganizationManager, OrganizationQuerySet
from surveys.models import Invitation, Response, Survey


class FollowUpPolicy(models.Model):
    """When an organisation follows a response up, and how fast it must act.

    A case opens when any enabled threshold is met: NPS at most ``nps_at_most``, CSAT
    at most ``csat_at_most``, CES at most ``ces_at_most``, FCR "no", or a comment
    containing one of ``keywords``. An empty threshold is off.
    """

    organization = models.OneToOneField(
        Organization,
        models.CASCADE,
        related_name="followup_policy",
        verbose_name=_("organisation"),
    )
    active = models.BooleanField(_("active"), default=True)
    nps_at_most = models.SmallIntegerField(
        _("NPS at most"), null=True, blank=True, default=6
    )
    csat_at_most = models.SmallIntegerField(
        _("CSAT at most"), null=True, blank=True, default=2
    )
    ces_at_most = models.SmallIntegerField(
        _("CES at most"), null=True, blank=True, default=3
    )
    fcr_no = models.BooleanField(_("first contact not resolved"), default=True)
    keywords = models.JSONField(
        _("comment keywords"),
        default=list,
        blank=True,
        help_text=_('Words that open a case when a comment contains them ("cancel").'),
    )
    sla_hours = models.PositiveSmallIntegerField(_("SLA (hours)"), default=48)
    reminder_hours = models.PositiveSmallIntegerField(
        _("remind owners this many hours before the SLA"), default=12
    )
    recovery_survey = models.ForeignKey(
        Survey,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recovery survey"),
        help_text=_("Sent to the customer when a case is closed with recovery."),
    )

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("follow-up policy")
        verbose_name_plural = _("follow-up policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sla_hours__gt=0), name="followup_sla_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.sla_hours} h"


class RootCause(models.TextChoices):
    PROCESS = "process", _("Process or rules")
    PEOPLE = "people", _("Staff skills or behaviour")
    SYSTEM = "system", _("System or technical fault")
    INFORMATION = "information", _("Unclear or missing information")
    PRICE = "price", _("Price or terms")
    WAITING = "waiting", _("Waiting time")
    EXPECTATION = "expectation", _("Customer expectation")
    OTHER = "other", _("Other")


class FollowUpQuerySet(OrganizationQuerySet):
    def unresolved(self) -> FollowUpQuerySet:
        return self.exclude(state=FollowUp.State.CLOSED)

    def overdue(self, now: datetime | None = None) -> FollowUpQuerySet:
        return self.unresolved().filter(due_at__lt=now or timezone.now())


class FollowUp(models.Model):
    """A case: an unhappy response someone must act on before ``due_at``."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")

    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        related_name="followups",
        verbose_name=_("organisation"),
    )
    response = models.OneToOneField(
        Response, models.CASCADE, related_name="followup", verbose_name=_("response")
    )
    customer = models.ForeignKey(
        Customer,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("customer"),
    )
    touchpoint = models.ForeignKey(
        Touchpoint,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("touchpoint"),
    )
    journey = models.ForeignKey(
        Journey,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("journey"),
    )
    process = models.ForeignKey(
        Process,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("business process"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
        verbose_name=_("owner"),
    )
    reason = models.CharField(_("why it opened"), max_length=300)
    state = models.CharField(
        _("state"), max_length=16, choices=State, default=State.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    reminded_at = models.DateTimeField(_("owner reminded"), null=True, blank=True)
    started_at = models.DateTimeField(_("work started"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    root_cause = models.CharField(
        _("root cause"), max_length=16, choices=RootCause, blank=True, default=""
    )
    action_taken = models.TextField(_("action taken"), blank=True, default="")
    recovery_invitation = models.OneToOneField(
        Invitation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="recovered_followup",
        verbose_name=_("recovery survey sent"),
    )
    recovered = models.BooleanField(
        _("recovered"),
        null=True,
        blank=True,
        help_text=_("Whether the recovery survey came back positive."),
    )

    objects = models.Manager.from_queryset(FollowUpQuerySet)()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["open", "in_progress", "closed"]),
                name="followup_state_known",
            ),
            # A case is closed only with its root cause and what was done.
            models.CheckConstraint(
                condition=~models.Q(state="closed")
                | (
                    models.Q(closed_at__isnull=False)
                    & ~models.Q(root_cause="")
                    & ~models.Q(action_taken="")
                ),
                name="followup_closed_with_cause_and_action",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "state", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reason} · {self.get_state_display()}"

    @property
    def is_overdue(self) -> bool:
        return self.state != self.State.CLOSED and self.due_at < timezone.now()


class CaseActivity(models.Model):
    """One thing done on a case, by whom and when: its history, notes included.

    Written by the follow-up services only (``followups.services``); a note is an
    activity of kind "noted" with its text.
    """

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        ASSIGNED = "assigned", _("Assigned")
        NOTED = "noted", _("Note")
        STARTED = "started", _("Work started")
        CLOSED = "closed", _("Closed")
        RECOVERY_SENT = "recovery_sent", _("Recovery survey sent")
        RECOVERY_ANSWERED = "recovery_answered", _("Recovery survey answered")

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    followup = models.ForeignKey(
        FollowUp,
        models.CASCADE,
        related_name="activities",
        verbose_name=_("follow-up"),
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
        help_text=_("Empty when the system did it (a rule opened the case)."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner from then on"),
    )
    text = models.TextField(_("text"), blank=True, default="")
    at = models.DateTimeField(_("when"), default=timezone.now)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("case activity")
        verbose_name_plural = _("case activities")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "opened", "assigned", "noted", "started", "closed",
                        "recovery_sent", "recovery_answered",
                    ]
                ),
                name="case_activity_kind_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="noted") | ~models.Q(text=""),
                name="case_note_has_text",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["followup", "at"], name="case_activity_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class Announcement(models.Model):
    """Work to do after a case changed: email its owner, tell the webhooks.

    Written in the transaction that changes the case and sent through ``cx.outbox``
    (claimed scheduled → sending, done once), so a lost broker message or a dead worker
    delays the email and the ``followup.*`` webhook but never loses or doubles them.
    """

    class Kind(models.TextChoices):
        OPENED = "followup.opened", _("Opened")
        ASSIGNED = "followup.assigned", _("Assigned")
        CLOSED = "followup.closed", _("Closed")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(
        Organization, models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    followup = models.ForeignKey(
        FollowUp,
        models.CASCADE,
        related_name="announcements",
        verbose_name=_("follow-up"),
    )
    kind = models.CharField(_("what"), max_length=20, choices=Kind)
    state = models.CharField(
        _("state"), max_length=10, choices=State, default=State.SCHEDULED
    )
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("follow-up announcement")
        verbose_name_plural = _("follow-up announcements")
        ordering = ["created_at", "pk"]
        constraints = [
            # A case opens once and closes once; each is announced once.
            models.UniqueConstraint(
                fields=["followup", "kind"],
                condition=models.Q(kind__in=["followup.opened", "followup.closed"]),
                name="announcement_once_per_open_and_close",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="announcement_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.get_state_display()}"
