"""Trigger matching: which new events get a survey, and why the others do not.

Runs inside the event ingestion transaction (registered in ``CX_EVENT_RECEIVERS``). For
every event and every trigger rule that matches it (touchpoint and/or event type) it
writes exactly one row: an ``Invitation`` in state *scheduled*, or a ``Suppression``
with the reason nothing was sent. The database is the source of truth; invitations due
now are handed to Celery only after the transaction commits.

The checks, and their order, are the trigger decision's (``surveys.trigger_decision``,
which reads no database); this module reads what it needs and writes what it decides.

The costs are a fixed handful of queries per batch of events, whatever its size, and
none for the rules themselves: they come compiled and indexed by touchpoint and event
type (``surveys.services.trigger_set``), so only the rules an event can match are tried.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from cx.models import Event, Organization
from cx.publish import publish_on_commit
from surveys.handoff import invitations_hand_off
from surveys.models import DeliveryChannel, Invitation, Suppression, TriggerRule
from surveys.models.invitations import token_digest
from surveys.scheduling import due_at
from surveys.selectors import invitations_listed, undeliverable_among
from surveys.services.invitation_insert import invitations_insert_checked
from surveys.services.trigger_set import TriggerSet, trigger_set
from surveys.trigger_decision import (
    CompiledRule,
    RecentContact,
    trigger_refusal,
)

Reason = Suppression.Reason


class Matcher:
    """Matching for one batch of events: the compiled rules, and the contact history.

    The history (undeliverable addresses, recent invitations) is read once per batch,
    and only for customers of events that some rule matches. A customer whose row this
    very ingestion created (its ``created_at`` is the event's ``received_at``) has no
    invitations yet, so its history is not read.
    """

    def __init__(
        self,
        *,
        organization: Organization,
        events: Sequence[Event],
        triggers: TriggerSet,
        addresses_read: bool = True,
    ) -> None:
        self.organization = organization
        self.now = timezone.now()
        self.min_days = triggers.min_days
        self.matches = [
            (event, triggers.rules_for(event.touchpoint_id, event.type))
            for event in events
        ]
        addressed = [
            event.customer
            for event, rules in self.matches
            if rules and event.customer is not None and event.customer.email
        ]
        self.emails = {customer.email.lower() for customer in addressed}
        self.undeliverable: set[str] = set()
        self.addresses_read = False
        if addresses_read:
            self._addresses_read()
        known = {
            event.customer.pk
            for event, rules in self.matches
            if rules
            and event.customer is not None
            and event.customer.created_at != event.received_at
        }
        horizon = self.now - timedelta(days=triggers.horizon_days)
        self.recent: dict[int, list[RecentContact]] = defaultdict(list)
        self.history: dict[int, tuple[RecentContact, ...]] = {}
        if not known:
            return
        for row in (
            Invitation.objects.for_organization(organization)
            .filter(customer_id__in=known, created_at__gte=horizon)
            .values(
                "customer_id",
                "survey_id",
                "survey__name",
                "rule__priority",
                "created_at",
            )
        ):
            self.recent[row["customer_id"]].append(
                RecentContact(
                    survey_id=row["survey_id"],
                    survey_name=row["survey__name"],
                    priority=row["rule__priority"] or 0,
                    created_at=row["created_at"],
                )
            )
        self.history = {pk: tuple(contacts) for pk, contacts in self.recent.items()}

    def _addresses_read(self) -> None:
        if self.emails:
            self.undeliverable = undeliverable_among(
                organization=self.organization, emails=self.emails
            )
        self.addresses_read = True

    def addresses_read_now(self) -> None:
        """Read which addresses are undeliverable, and forget the contacts decided."""
        self._addresses_read()
        self.recent = defaultdict(
            list, {pk: list(contacts) for pk, contacts in self.history.items()}
        )

    def decide(
        self, event: Event, compiled: CompiledRule, invited: bool
    ) -> tuple[str, str] | None:
        """Return (reason, detail) why ``rule`` sends nothing for ``event``, or None."""
        return trigger_refusal(
            event=event,
            compiled=compiled,
            invited=invited,
            contacts=self.recent.get(event.customer_id or 0, ()),
            undeliverable=self.undeliverable,
            now=self.now,
            min_days=self.min_days,
        )

    def invitation(self, event: Event, rule: TriggerRule) -> Invitation:
        customer = event.customer
        assert customer is not None
        base = max(
            event.occurred_at + timedelta(minutes=rule.delay_minutes), event.received_at
        )
        due = due_at(
            base,
            delay=timedelta(0),
            zone=self.organization.tzinfo,
            quiet_start=rule.quiet_start,
            quiet_end=rule.quiet_end,
        )
        self.recent[customer.pk].append(
            RecentContact(rule.survey_id, rule.survey.name, rule.priority, self.now)
        )
        language = rule.survey.language_for(customer.preferred_language())
        if rule.channel == DeliveryChannel.OWN:
            # Handed to the caller in this very answer: sent now, by them.
            return Invitation(
                organization=self.organization,
                survey=rule.survey,
                rule=rule,
                event=event,
                customer=customer,
                origin=Invitation.Origin.EVENT,
                channel=DeliveryChannel.OWN,
                email="",
                language=language,
                state=Invitation.State.SENT,
                due_at=self.now,
                sent_at=self.now,
                expires_at=self.now + timedelta(days=rule.expiry_days),
            )
        return Invitation(
            organization=self.organization,
            survey=rule.survey,
            rule=rule,
            event=event,
            customer=customer,
            origin=Invitation.Origin.EVENT,
            email=customer.email,
            language=language,
            due_at=due,
            expires_at=due + timedelta(days=rule.expiry_days),
        )


# Refusals the undeliverable address check comes before: where one of them is among
# a batch's decisions, that check could have changed it, so the addresses are read
# first. Where none is, the check can only turn an invitation into a refusal, and
# is made by the statement that stores the invitations.
CHECKED_AFTER_ADDRESS = frozenset(
    {
        Reason.SEGMENT_FILTER,
        Reason.SAMPLED_OUT,
        Reason.DUPLICATE,
        Reason.CONTACTED_RECENTLY,
    }
)


def _decisions(matcher: Matcher) -> tuple[list[Invitation], list[Suppression]]:
    """Return the invitations and suppressions of every (event, matching rule) pair."""
    invitations: list[Invitation] = []
    suppressions: list[Suppression] = []
    for event, rules in matcher.matches:
        invited = False
        for compiled in rules:
            refusal = matcher.decide(event, compiled, invited)
            if refusal is None:
                invitations.append(matcher.invitation(event, compiled.rule))
                invited = True
            else:
                reason, detail = refusal
                suppressions.append(
                    Suppression(
                        organization=matcher.organization,
                        rule=compiled.rule,
                        event=event,
                        customer=event.customer,
                        reason=reason,
                        detail=detail[:300],
                    )
                )
    return invitations, suppressions


def events_match(
    *, organization: Organization, events: Sequence[Event]
) -> dict[int, dict[str, Any]]:
    """Write an invitation or a suppression for every (event, matching rule) pair.

    Return, per event, the invitations it scheduled and the suppressions with their
    reasons, as the event API answers them (what ``surveys.selectors.event_invitations``
    would read back).
    """
    matcher = Matcher(
        organization=organization,
        events=events,
        triggers=trigger_set(organization=organization),
        addresses_read=connection.vendor != "postgresql",
    )
    invitations, suppressions = _decisions(matcher)
    if not matcher.addresses_read and any(
        s.reason in CHECKED_AFTER_ADDRESS for s in suppressions
    ):
        matcher.addresses_read_now()
        invitations, suppressions = _decisions(matcher)
    for invitation in invitations:
        invitation.token_hash = token_digest(
            invitation.token()
        )  # bulk_create skips save()
    if invitations and matcher.addresses_read:
        Invitation.objects.bulk_create(invitations)
    elif invitations:
        undeliverable = invitations_insert_checked(invitations)
        if undeliverable:
            invitations, suppressions = _undeliverable_refused(
                invitations, suppressions, undeliverable
            )
    if suppressions:
        Suppression.objects.bulk_create(suppressions)
    due_now = [
        i.pk
        for i in invitations
        if i.due_at <= matcher.now and i.state == Invitation.State.SCHEDULED
    ]
    if due_now:
        publish_on_commit(invitations_hand_off, due_now)
    return invitations_listed(events, invitations, suppressions, with_links=True)


def _undeliverable_refused(
    invitations: list[Invitation],
    suppressions: list[Suppression],
    undeliverable: set[int],
) -> tuple[list[Invitation], list[Suppression]]:
    """Take back the invitations stored to undeliverable addresses, as refusals.

    Every other check they passed comes after the address check, and no decision of the
    batch depended on them (there was no refusal the address check precedes), so each
    is exactly the refusal that reading the addresses first would have written.
    """
    Invitation.objects.filter(pk__in=undeliverable).delete()
    refused = [i for i in invitations if i.pk in undeliverable]
    return [i for i in invitations if i.pk not in undeliverable], [
        *suppressions,
        *(
            Suppression(
                organization=i.organization,
                rule=i.rule,
                event=i.event,
                customer=i.customer,
                reason=Reason.UNDELIVERABLE,
                detail=i.email[:300],
            )
            for i in refused
        ),
    ]
