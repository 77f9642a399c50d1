"""Follow-up writes: open a case for an unhappy response, work it, close it, recover.

The loop, end to end: a completed response of a known customer (never an anonymous
one: nobody could follow it up) that meets the organisation's policy opens a case
(``followup_open_for``, a completed-response receiver) owned by whoever answers for the
touchpoint (else its process, its journey, the organisation's CX owner) and due within
the SLA; the owner gets an email at once and a reminder before the SLA passes
(``followups_remind``, periodic); closing needs a root cause and the action taken, and
may send the customer a short recovery survey, whose answer marks the case recovered or
not (``recovery_answered``, also a completed-response receiver).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cx.models import Membership, Organization
from followups.announcements import announcement_schedule
from followups.models import CaseActivity, FollowUp, FollowUpPolicy, RootCause
from followups.rules import GivenAnswer, Thresholds, reasons
from surveys.models import Invitation, Question, Response, Survey
from surveys.services.recovery import recovery_invitation_create

# A recovery answer counts as positive from these scores up, per question type.
POSITIVE_FROM = {Question.Type.NPS: 9, Question.Type.CSAT: 4, Question.Type.CES: 5}


def followup_policy(*, organization: Organization) -> FollowUpPolicy:
    """Return the organisation's policy, created with the defaults on first use."""
    policy, _created = FollowUpPolicy.objects.get_or_create(organization=organization)
    return policy


def followup_policy_recovery_set(
    *, organization: Organization, survey: Survey | None
) -> FollowUpPolicy:
    """Make ``survey`` (of the same organisation) the one sent when a case closes."""
    if survey is not None and survey.organization_id != organization.pk:
        raise ValidationError({"recovery_survey": _("Choose a survey of yours.")})
    policy = followup_policy(organization=organization)
    if policy.recovery_survey_id != (survey.pk if survey else None):
        policy.recovery_survey = survey
        policy.save(update_fields=["recovery_survey"])
    return policy


POLICY_FIELDS = (
    "active", "nps_at_most", "csat_at_most", "ces_at_most", "fcr_no", "keywords",
    "sla_hours", "reminder_hours", "recovery_survey",
)  # fmt: skip


@transaction.atomic
def followup_policy_set(
    *, organization: Organization, fields: dict[str, Any]
) -> FollowUpPolicy:
    """Change the policy's ``fields`` (names of ``POLICY_FIELDS``), checked as the
    admin checks them (the model's validation); nothing is saved when one is wrong."""
    unknown = sorted(set(fields) - set(POLICY_FIELDS))
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    survey = fields.get("recovery_survey")
    if survey is not None and survey.organization_id != organization.pk:
        raise ValidationError({"recovery_survey": _("Choose a survey of yours.")})
    policy = FollowUpPolicy.objects.select_for_update().get(
        pk=followup_policy(organization=organization).pk
    )
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    return policy


def _thresholds(policy: FollowUpPolicy) -> Thresholds:
    return Thresholds(
        nps_at_most=policy.nps_at_most,
        csat_at_most=policy.csat_at_most,
        ces_at_most=policy.ces_at_most,
        fcr_no=policy.fcr_no,
        keywords=tuple(str(word) for word in policy.keywords or ()),
    )


def _answers(response: Response) -> list[GivenAnswer]:
    return [
        GivenAnswer(type=kind, number=number, text=text or "")
        for kind, number, text in response.answers.values_list(
            "question__type", "number", "text"
        )
    ]


def _owner_of(response: Response) -> User | None:
    """Return who answers for the response's touchpoint, process, journey or org."""
    for holder in (response.touchpoint, response.process, response.journey):
        if holder is not None and holder.owner_id is not None:
            return holder.owner
    return response.organization.cx_owner


def followup_open_for(response: Response) -> FollowUp | None:
    """Open a case for ``response`` if the policy calls for one (at most one each).

    A completed-response receiver: runs inside the completing transaction. Recovery
    answers never open a case of their own, and neither do answers nobody can follow
    up: anonymous ones and those of no known customer (a public link's) — a case is a
    promise to contact someone.
    """
    if (
        response.invitation_id
        and response.invitation is not None
        and response.invitation.origin == Invitation.Origin.RECOVERY
    ):
        return None
    if response.customer_id is None or response.is_anonymous:
        return None
    policy = followup_policy(organization=response.organization)
    if not policy.active:
        return None
    found = reasons(_thresholds(policy), _answers(response))
    if not found:
        return None
    now = timezone.now()
    followup, created = FollowUp.objects.get_or_create(
        response=response,
        defaults={
            "organization_id": response.organization_id,
            "customer_id": response.customer_id,
            "touchpoint_id": response.touchpoint_id,
            "journey_id": response.journey_id,
            "process_id": response.process_id,
            "owner": _owner_of(response),
            "reason": "; ".join(found)[:300],
            "opened_at": now,
            "due_at": now + timedelta(hours=policy.sla_hours),
        },
    )
    if created:
        _activity(followup, CaseActivity.Kind.OPENED, owner=followup.owner, at=now)
        _announce(followup, "followup.opened")
    return followup


def _activity(
    followup: FollowUp,
    kind: str,
    *,
    actor: User | None = None,
    owner: User | None = None,
    text: str = "",
    at: datetime | None = None,
) -> CaseActivity:
    """Write one line of the case's history."""
    return CaseActivity.objects.create(
        organization_id=followup.organization_id,
        followup=followup,
        kind=kind,
        actor=actor,
        owner=owner,
        text=text,
        at=at or timezone.now(),
    )


def followup_reassign(
    *, followup: FollowUp, user: User | None, owner_id: int
) -> FollowUp:
    """Give the case to a colleague (a member of the case's organisation) and tell them.

    Raises ValidationError when ``owner_id`` is no member of the organisation or the
    case is closed.
    """
    membership = (
        Membership.objects.for_organization(followup.organization_id)
        .select_related("user")
        .filter(user_id=owner_id, user__is_active=True)
        .first()
    )
    if membership is None:
        raise ValidationError({"owner": _("Choose a colleague of this organisation.")})
    if followup.state == FollowUp.State.CLOSED:
        raise ValidationError({"owner": _("This case is closed already.")})
    if followup.owner_id == owner_id:
        return followup
    FollowUp.objects.filter(pk=followup.pk).update(owner=membership.user)
    followup.owner = membership.user
    _activity(followup, CaseActivity.Kind.ASSIGNED, actor=user, owner=membership.user)
    _announce(followup, "followup.assigned")
    return followup


def followup_note_add(
    *, followup: FollowUp, user: User | None, text: str
) -> CaseActivity:
    """Add an internal note to the case's history (never shown to the customer)."""
    text = text.strip()
    if not text:
        raise ValidationError({"note": _("Write the note first.")})
    return _activity(followup, CaseActivity.Kind.NOTED, actor=user, text=text[:5000])


def _announce(followup: FollowUp, event_type: str) -> None:
    """Store the announcement with the change; it is sent after commit (and swept)."""
    announcement_schedule(followup=followup, kind=event_type)


def followup_start(*, followup: FollowUp, user: User | None) -> FollowUp:
    """Move an open case to "in progress", taking it over if it has no owner."""
    now = timezone.now()
    started = FollowUp.objects.filter(pk=followup.pk, state=FollowUp.State.OPEN).update(
        state=FollowUp.State.IN_PROGRESS,
        started_at=now,
        owner=followup.owner or user,
    )
    followup.refresh_from_db()
    if started:
        _activity(
            followup, CaseActivity.Kind.STARTED, actor=user, owner=followup.owner,
            at=now,
        )  # fmt: skip
    return followup


@transaction.atomic
def followup_close(
    *,
    followup: FollowUp,
    user: User | None,
    root_cause: str,
    action_taken: str,
    send_recovery_survey: bool = False,
) -> FollowUp:
    """Close a case with its root cause and what was done; maybe ask the customer again.

    Raises ValidationError (with field errors) when the cause or action is missing, the
    case is closed already, or recovery is asked for without a survey or an address.
    """
    errors: dict[str, str] = {}
    if root_cause not in RootCause.values:
        errors["root_cause"] = _("Choose the root cause.")
    if not action_taken.strip():
        errors["action_taken"] = _("Say what was done.")
    policy = followup_policy(organization=followup.organization)
    customer = followup.customer
    if send_recovery_survey and (
        policy.recovery_survey is None or customer is None or not customer.email
    ):
        errors["send_recovery_survey"] = _(
            "A recovery survey needs a recovery survey in the policy and a customer "
            "with an email address."
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    closed = (
        FollowUp.objects.filter(pk=followup.pk)
        .unresolved()
        .update(
            state=FollowUp.State.CLOSED,
            closed_at=now,
            closed_by=user,
            root_cause=root_cause,
            action_taken=action_taken.strip(),
        )
    )
    if not closed:
        raise ValidationError({"state": _("This case is closed already.")})
    followup.refresh_from_db()
    _activity(
        followup, CaseActivity.Kind.CLOSED, actor=user, text=action_taken.strip(),
        at=now,
    )  # fmt: skip
    if send_recovery_survey:
        assert customer is not None and policy.recovery_survey is not None
        followup.recovery_invitation = recovery_invitation_create(
            organization=followup.organization,
            survey=policy.recovery_survey,
            customer=customer,
        )
        followup.save(update_fields=["recovery_invitation"])
        _activity(followup, CaseActivity.Kind.RECOVERY_SENT, actor=user, at=now)
    _announce(followup, "followup.closed")
    return followup


def recovery_answered(response: Response) -> None:
    """Mark the case recovered when its recovery survey is answered positively.

    A completed-response receiver. Positive: the first score answer at or above
    POSITIVE_FROM for its type (NPS 9–10, CSAT 4–5, CES 5–7).
    """
    if not response.invitation_id:
        return
    followup = FollowUp.objects.filter(
        recovery_invitation_id=response.invitation_id
    ).first()
    if followup is None:
        return
    score = (
        response.answers.filter(
            question__type__in=list(POSITIVE_FROM), number__isnull=False
        )
        .order_by("question__position")
        .values_list("question__type", "number")
        .first()
    )
    positive = (
        score is not None
        and score[1] is not None
        and score[1] >= POSITIVE_FROM[Question.Type(score[0])]
    )
    FollowUp.objects.filter(pk=followup.pk).update(recovered=positive)
    _activity(
        followup,
        CaseActivity.Kind.RECOVERY_ANSWERED,
        text="recovered" if positive else "not recovered",  # data; shown translated
        at=response.completed_at,
    )


def followups_to_remind(*, now: datetime | None = None) -> list[int]:
    """Return unresolved cases whose SLA ends within the policy's reminder window.

    Each is returned once: the reminder time is stamped here, conditionally.
    """
    now = now or timezone.now()
    due: list[int] = []
    for policy in FollowUpPolicy.objects.filter(active=True):
        window = now + timedelta(hours=policy.reminder_hours)
        candidates = FollowUp.objects.for_organization(policy.organization_id).filter(
            reminded_at__isnull=True, due_at__lte=window
        )
        for pk in candidates.unresolved().values_list("pk", flat=True):
            if FollowUp.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                due.append(pk)
    return due
