"""The trigger decision: does a rule invite the customer of an event, and if not, why.

Pure: given the event (with its customer), the rule compiled with its survey and
segment filters, the customer's recent contacts, the undeliverable addresses, the time
and the organisation's contact limit, it returns ``None`` (invite) or the refusal. It
reads nothing from the database: whatever it needs comes loaded (see
``surveys.services.trigger_set``). Trigger matching (``surveys.services.triggers``) and
the demo's history (``insights.demo.history``) both decide with it, so the demo refuses
for exactly the reasons the product does.

The checks, in order (the first that fails names the suppression):

1. the rule is active; 2. its survey is active; 3. the event names a customer;
4. who has not opted out; 5. has an email address; 6. that has not bounced or complained
   (5 and 6 only for rules that send email: a rule of the caller's own channel makes the
   invitation *sent* at once and the event's answer carries its link, once);
7. is in all of the rule's ``segments_all`` and none of ``segments_none``;
8. falls in the rule's sample (a deterministic hash of event and rule, so a retry
   decides the same way);
9. this event has not already produced an invitation (one survey per event: rules are
   tried by priority, highest first);
10. contact frequency: no invitation to the customer within the organisation's
    ``min_days_between_invitations`` from a rule of the same or higher priority (a
    higher-priority rule overrides a lower one's recent contact), and none of the same
    survey within the survey's own limit, if it has one;
11. a rule that acts on a prediction (one of its required segments reads a learned
    risk) keeps a holdout: the customers whose hash of customer and rule falls in the
    rule's ``holdout_percent`` get nothing, recorded with the reason "holdout".
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cx import segmentation
from cx.models import Event, Segment
from surveys.models import DeliveryChannel, Suppression, Survey, TriggerRule

Reason = Suppression.Reason
Refusal = tuple[str, str]  # (suppression reason, detail)


@dataclass(frozen=True)
class CompiledRule:
    """A rule with its survey attached and its segment filters as tuples."""

    rule: TriggerRule
    segments_all: tuple[Segment, ...]
    segments_none: tuple[Segment, ...]

    @property
    def acts_on_prediction(self) -> bool:
        """Return whether a segment the rule requires reads a learned risk."""
        return any(
            segmentation.predictions_read(segment.rule) for segment in self.segments_all
        )


@dataclass(frozen=True)
class RecentContact:
    """An invitation the customer was sent: which survey, by how urgent a rule, when."""

    survey_id: int
    survey_name: str
    priority: int
    created_at: datetime


def sampled_in(event: Event, rule: TriggerRule) -> bool:
    """Return whether the event falls in the rule's sample (stable for the pair)."""
    if rule.sampling_percent >= 100:
        return True
    if rule.sampling_percent <= 0:
        return False
    digest = hashlib.sha256(
        f"{event.organization_id}:{event.event_id}:{rule.pk}".encode()
    )
    return (
        int.from_bytes(digest.digest()[:4], "big") % 10000 < rule.sampling_percent * 100
    )


def held_out(customer_id: int, rule: TriggerRule) -> bool:
    """Return whether the customer is in the rule's holdout (stable for the pair)."""
    if rule.holdout_percent <= 0:
        return False
    digest = hashlib.sha256(f"holdout:{customer_id}:{rule.pk}".encode())
    return (
        int.from_bytes(digest.digest()[:4], "big") % 10000 < rule.holdout_percent * 100
    )


def trigger_refusal(
    *,
    event: Event,
    compiled: CompiledRule,
    invited: bool,
    contacts: Iterable[RecentContact],
    undeliverable: Collection[str],
    now: datetime,
    min_days: int,
) -> Refusal | None:
    """Return (reason, detail) why the rule sends nothing for ``event``, or None.

    ``invited``: a rule tried before this one already invited for the event;
    ``contacts``: the customer's invitations within the longest contact limit;
    ``undeliverable``: the lower-case addresses the organisation may not write to;
    ``min_days``: the organisation's days between invitations (0: no limit).
    """
    rule = compiled.rule
    customer = event.customer
    if not rule.is_active:
        return Reason.RULE_INACTIVE, ""
    if rule.survey.status != Survey.Status.ACTIVE:
        return (
            Reason.SURVEY_CLOSED,
            f"survey '{rule.survey.name}' is {rule.survey.status}",
        )
    if customer is None:
        return Reason.NO_CUSTOMER, ""
    if customer.opted_out:
        return Reason.OPTED_OUT, ""
    # The caller's own channel needs no address of ours.
    by_email = rule.channel == DeliveryChannel.EMAIL
    if by_email and not customer.email:
        return Reason.NO_EMAIL, ""
    if by_email and customer.email.lower() in undeliverable:
        return Reason.UNDELIVERABLE, customer.email
    outside = [s.key for s in compiled.segments_all if not s.contains(customer)]
    inside = [s.key for s in compiled.segments_none if s.contains(customer)]
    if outside or inside:
        detail = ", ".join(
            [f"not in {key}" for key in outside] + [f"in {key}" for key in inside]
        )
        return Reason.SEGMENT_FILTER, detail
    if not sampled_in(event, rule):
        return Reason.SAMPLED_OUT, f"sampling {rule.sampling_percent} %"
    if invited:
        return (
            Reason.DUPLICATE,
            "a higher-priority rule already invited for this event",
        )
    contacted = contacted_recently(
        contacts=contacts, rule=rule, now=now, min_days=min_days
    )
    if (
        contacted is None
        and compiled.acts_on_prediction
        and held_out(customer.pk, rule)
    ):
        return Reason.HOLDOUT, f"holdout {rule.holdout_percent} %"
    return contacted


def contacted_recently(
    *,
    contacts: Iterable[RecentContact],
    rule: TriggerRule,
    now: datetime,
    min_days: int,
) -> Refusal | None:
    """Return the refusal for a contact within the organisation's or survey's limit."""
    org_limit = now - timedelta(days=min_days)
    survey_days = rule.survey.min_days_between_invitations
    survey_limit = now - timedelta(days=survey_days) if survey_days else None
    for contact in sorted(contacts, key=lambda c: c.created_at, reverse=True):
        # A limit of 0 days is no limit (not "none today", which would block
        # the invitations made moments earlier in the same batch).
        blocks_by_org = (
            min_days > 0
            and contact.created_at >= org_limit
            and contact.priority >= rule.priority
        )
        blocks_by_survey = (
            survey_limit is not None
            and contact.survey_id == rule.survey_id
            and contact.created_at >= survey_limit
        )
        if blocks_by_org or blocks_by_survey:
            days = (now - contact.created_at).days
            return (
                Reason.CONTACTED_RECENTLY,
                f"contacted {days} day(s) ago by '{contact.survey_name}'",
            )
    return None
