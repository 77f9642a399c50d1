"""The demo's invitations and suppressions: the trigger rules replayed over the events."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from cx.models import Customer, Event
from insights.demo.history.answers import Answers
from surveys.models import Invitation, Suppression, TriggerRule, UndeliverableAddress
from surveys.models.invitations import token_digest
from surveys.trigger_decision import RecentContact, trigger_refusal


class Invitations(Answers):
    """Invitations, suppressions and what the customers did with the invitations."""

    # --- invitations and suppressions -----------------------------------------------

    def trigger(self) -> None:
        """Replay the trigger rules over the events, in the order they happened.

        Each (event, matching rule) pair is decided by the product's trigger decision
        (``surveys.trigger_decision``), at the moment the event was received.
        """
        self.undeliverable = {
            email.lower()
            for email in UndeliverableAddress.objects.for_organization(
                self.organization
            ).values_list("email", flat=True)
        }
        recent: dict[int, list[RecentContact]] = defaultdict(list)
        for event in self.written.events:
            invited = False
            for compiled in self.triggers.rules_for(event.touchpoint_id, event.type):
                rule = compiled.rule
                if event.received_at < self.live_from.get(rule.pk, self.start):
                    continue  # the rule did not exist yet
                refusal = trigger_refusal(
                    event=event,
                    compiled=compiled,
                    invited=invited,
                    contacts=recent.get(id(event.customer), ()),
                    undeliverable=self.undeliverable,
                    now=event.received_at,
                    min_days=self.triggers.min_days,
                )
                if refusal is not None:
                    reason, detail = refusal
                    suppression = Suppression(
                        organization_id=self.organization.pk,
                        rule=rule,
                        event=event,
                        customer=event.customer,
                        reason=reason,
                        detail=detail[:300],
                    )
                    suppression.created_at = event.received_at
                    self.written.suppressions.append(suppression)
                    continue
                invited = True
                customer = event.customer
                assert customer is not None
                recent[id(customer)].append(
                    RecentContact(
                        survey_id=rule.survey_id,
                        survey_name=rule.survey.name,
                        priority=rule.priority,
                        created_at=event.received_at,
                    )
                )
                self.invite(event, rule, customer)

    def invite(self, event: Event, rule: TriggerRule, customer: Customer) -> None:
        """Write the invitation and what the customer did with it."""
        rng = self.rng
        survey = rule.survey
        due = event.received_at
        invitation = Invitation(
            organization_id=self.organization.pk,
            survey=survey,
            rule=rule,
            event=event,
            customer=customer,
            origin=Invitation.Origin.EVENT,
            email=customer.email,
            language=survey.language_for(
                customer.language or self.organization.default_language
            ),
            due_at=due,
            expires_at=due + timedelta(days=rule.expiry_days),
            attempts=1,
        )
        invitation.created_at = due
        invitation.token_hash = token_digest(invitation.token())
        self.written.invitations.append(invitation)
        if rng.random() < 0.004:
            invitation.state = Invitation.State.FAILED
            invitation.last_error = "550 5.1.1 The email account does not exist"
            self.bounced(customer.email, invitation.due_at, invitation.last_error)
            return
        invitation.claimed_at = due + timedelta(seconds=rng.uniform(0.5, 3))
        invitation.sent_at = invitation.claimed_at + timedelta(
            seconds=rng.uniform(1, 4)
        )
        invitation.state = Invitation.State.SENT
        reminder_at = invitation.sent_at + timedelta(days=rule.reminder_interval_days)
        # Whoever answers at all does so soon, or after the reminder.
        mood = self.mood(event, customer)
        if rng.random() < 0.62:
            delay = timedelta(hours=rng.lognormvariate(0.3, 1.3))
            if rng.random() < 0.25:
                delay += reminder_at - invitation.sent_at
            opened_at = invitation.sent_at + delay
            if opened_at < min(self.now, invitation.expires_at):
                invitation.opened_at = opened_at
                invitation.state = Invitation.State.OPENED
                answers = rng.random()
                if answers < 0.7:
                    self.respond(event, invitation, mood, partial=False)
                elif answers < 0.8:
                    self.respond(event, invitation, mood, partial=True)
        unanswered = invitation.state != Invitation.State.ANSWERED
        if reminder_at < self.now and (
            unanswered or invitation.answered_at > reminder_at  # type: ignore[operator]
        ):
            invitation.reminders_sent = 1
        if unanswered and invitation.expires_at <= self.now:
            invitation.state = Invitation.State.EXPIRED

    def bounced(self, email: str, at: datetime, error: str) -> None:
        """Record the address as undeliverable, as a hard bounce does."""
        self.undeliverable.add(email.lower())
        address = UndeliverableAddress(
            organization_id=self.organization.pk,
            email=email,
            reason=UndeliverableAddress.Reason.BOUNCED,
            detail=error,
        )
        address.created_at = at
        self.written.undeliverable.append(address)
