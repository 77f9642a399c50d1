"""The demo's follow-up cases: opened where the policy would have, worked, recovered."""

from __future__ import annotations

from datetime import datetime, timedelta

from cx.models import Event
from followups.models import CaseActivity, FollowUp
from followups.rules import GivenAnswer, reasons
from followups.services import POSITIVE_FROM
from insights.demo.content import CASE_START_MU, CLOSURES
from insights.demo.history.state import State
from surveys.models import Answer, Invitation, Question, Response
from surveys.models.invitations import token_digest


class Cases(State):
    """Follow-up cases and their histories."""

    # --- follow-ups -----------------------------------------------------------------

    def follow_up(
        self, response: Response, event: Event | None, answered: list[GivenAnswer]
    ) -> None:
        """Open a case where the policy would have, and work it as the owner did.

        As ``followups.services.followup_open_for``: an answer nobody can follow up
        (anonymous, or of no known customer) opens no case.
        """
        if response.customer is None or response.is_anonymous:
            return
        found = reasons(self.thresholds, answered) if self.followup.active else []
        if not found:
            return
        rng = self.rng
        assert response.completed_at is not None
        touchpoint = response.touchpoint
        owner_id = next(
            (
                holder.owner_id
                for holder in (touchpoint, response.process, response.journey)
                if holder is not None and holder.owner_id is not None
            ),
            self.organization.cx_owner_id,
        )
        opened_at = response.completed_at
        followup = FollowUp(
            organization_id=self.organization.pk,
            response=response,
            customer=response.customer,
            touchpoint=touchpoint,
            journey=response.journey,
            process=response.process,
            owner_id=owner_id,
            reason="; ".join(found)[:300],
            opened_at=opened_at,
            due_at=opened_at + timedelta(hours=self.followup.sla_hours),
        )
        self.written.followups.append(followup)
        started_at = opened_at + timedelta(
            hours=rng.lognormvariate(self.case_start_mu(opened_at), 1.0)
        )
        closed_at = started_at + timedelta(hours=rng.lognormvariate(2.0, 1.0))
        forgotten = rng.random() < 0.01
        if started_at < self.now:
            followup.state = FollowUp.State.IN_PROGRESS
            followup.started_at = started_at
        if closed_at < self.now and not forgotten:
            cause, action = rng.choice(CLOSURES[getattr(event, "type", None)])
            followup.state = FollowUp.State.CLOSED
            followup.closed_at = closed_at
            followup.closed_by_id = owner_id
            followup.root_cause = cause
            followup.action_taken = action
        if followup.state == FollowUp.State.CLOSED:
            self.recover(followup)
        # The owner was reminded before the SLA if the case was still open then.
        reminder = followup.due_at - timedelta(hours=self.followup.reminder_hours)
        if reminder < (followup.closed_at or self.now):
            followup.reminded_at = reminder

    def case_start_mu(self, opened_at: datetime) -> float:
        """Return μ of the hours to start a case opened then: the team got quicker."""
        days_ago = (self.now - opened_at) / timedelta(days=1)
        return next(mu for ago, mu in CASE_START_MU if days_ago >= ago)

    def recover(self, followup: FollowUp) -> None:
        """Ask some customers of closed cases again; most who answer are content now."""
        rng = self.recovery_rng
        survey, customer, closed_at = (
            self.recovery_survey, followup.customer, followup.closed_at
        )  # fmt: skip
        if survey is None or customer is None or not customer.email:
            return
        if closed_at is None or closed_at < self.recovery_since:
            return  # the policy had no recovery survey yet
        if rng.random() >= 0.45:
            return
        sent_at = closed_at + timedelta(minutes=rng.uniform(1, 5))
        if sent_at >= self.now:
            return
        invitation = Invitation(
            organization_id=self.organization.pk,
            survey=survey,
            customer=customer,
            origin=Invitation.Origin.RECOVERY,
            email=customer.email,
            language=survey.language_for(
                customer.language or self.organization.default_language
            ),
            due_at=closed_at,
            expires_at=closed_at + timedelta(days=14),
            attempts=1,
            state=Invitation.State.SENT,
            claimed_at=sent_at,
            sent_at=sent_at,
        )
        invitation.created_at = closed_at
        invitation.token_hash = token_digest(invitation.token())
        self.written.invitations.append(invitation)
        followup.recovery_invitation = invitation
        answered_at = sent_at + timedelta(hours=rng.lognormvariate(1.5, 1.0))
        if rng.random() >= 0.65 or answered_at >= min(self.now, invitation.expires_at):
            if invitation.expires_at <= self.now:
                invitation.state = Invitation.State.EXPIRED
            return
        score = rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 4])[0]
        invitation.opened_at = answered_at - timedelta(seconds=rng.uniform(20, 90))
        invitation.state = Invitation.State.ANSWERED
        invitation.answered_at = answered_at
        response = Response(
            organization_id=self.organization.pk,
            survey=survey,
            invitation=invitation,
            customer=customer,
            origin=Response.Origin.RECOVERY,
            language=invitation.language,
            state=Response.State.COMPLETED,
            started_at=invitation.opened_at,
            completed_at=answered_at,
        )
        response.updated_at = answered_at
        answer = Answer(
            response=response, question=self.questions[survey.pk][0], number=score
        )
        answer.answered_at = answered_at
        self.written.responses.append(response)
        self.written.answers.append(answer)
        followup.recovered = score >= POSITIVE_FROM[Question.Type.CSAT]

    def case_histories(self) -> list[CaseActivity]:
        """Return each written case's history: opened, started, closed, recovery."""
        Kind = CaseActivity.Kind
        activities: list[CaseActivity] = []
        for case in self.written.followups:
            if case.pk is None:  # a backend that does not return bulk-created ids
                continue
            steps: list[tuple[str, datetime | None, int | None, str]] = [
                (Kind.OPENED, case.opened_at, None, ""),
                (Kind.STARTED, case.started_at, case.owner_id, ""),
                (Kind.CLOSED, case.closed_at, case.owner_id, case.action_taken),
            ]
            invitation = case.recovery_invitation
            if invitation is not None:
                steps.append((Kind.RECOVERY_SENT, case.closed_at, case.owner_id, ""))
                if case.recovered is not None:
                    verdict = "recovered" if case.recovered else "not recovered"
                    steps.append(
                        (Kind.RECOVERY_ANSWERED, invitation.answered_at, None, verdict)
                    )
            activities.extend(
                CaseActivity(
                    organization_id=self.organization.pk, followup_id=case.pk,
                    kind=kind, actor_id=actor, text=text, at=at,
                    owner_id=case.owner_id if kind == Kind.OPENED else None,
                )
                for kind, at, actor, text in steps
                if at is not None
            )  # fmt: skip
        return activities
