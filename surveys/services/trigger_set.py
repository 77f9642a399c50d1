"""The organisation's trigger rules compiled for matching, held per process.

Compiling (rules with their surveys and segment filters, the contact policy, the
furthest day the contact history must be read back to) is done once per
``Organization.config_version`` — every change to those rows bumps it, see
``cx.versioning`` — and the rules are indexed by touchpoint and by event type, so
the cost of matching an event does not grow with the number of rules that cannot
match it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from cx.models import Organization
from cx.versioning import versioned
from surveys.models import ContactPolicy, TriggerRule
from surveys.trigger_decision import CompiledRule

DEFAULT_MIN_DAYS = ContactPolicy._meta.get_field("min_days_between_invitations").default
MEMO_LIMIT = 10_000  # (touchpoint, event type) pairs remembered; event types are open


@dataclass(frozen=True)
class TriggerSet:
    """What matching needs of an organisation's configuration. Read-only once built."""

    rules: tuple[CompiledRule, ...]  # by priority, highest first, then by id
    min_days: int
    horizon_days: int  # the longest contact limit, organisation's or a survey's
    by_touchpoint: dict[int, tuple[CompiledRule, ...]]
    by_event_type: dict[str, tuple[CompiledRule, ...]]  # rules without a touchpoint
    _memo: dict[tuple[int | None, str], tuple[CompiledRule, ...]] = field(
        default_factory=dict
    )

    def rules_for(
        self, touchpoint_id: int | None, event_type: str
    ) -> tuple[CompiledRule, ...]:
        """Return the rules an event at ``touchpoint_id`` of ``event_type`` matches.

        A rule matches when its touchpoint (if any) is the event's and its event type
        (if any) is the event's; in the order the rules are tried.
        """
        key = (touchpoint_id, event_type)
        found = self._memo.get(key)
        if found is not None:
            return found
        at_touchpoint = [
            compiled
            for compiled in self.by_touchpoint.get(touchpoint_id or 0, ())
            if not compiled.rule.event_type or compiled.rule.event_type == event_type
        ]
        of_type = self.by_event_type.get(event_type, ())
        order = {compiled.rule.pk: n for n, compiled in enumerate(self.rules)}
        found = tuple(
            sorted([*at_touchpoint, *of_type], key=lambda c: order[c.rule.pk])
            if at_touchpoint and of_type
            else at_touchpoint or of_type
        )
        if len(self._memo) < MEMO_LIMIT:
            self._memo[key] = found
        return found


def trigger_set(*, organization: Organization) -> TriggerSet:
    """Return the organisation's compiled trigger set (compiled once per version)."""
    return versioned(organization, "triggers", lambda: _compiled(organization))


def _compiled(organization: Organization) -> TriggerSet:
    rules = tuple(
        CompiledRule(
            rule=rule,
            segments_all=tuple(rule.segments_all.all()),
            segments_none=tuple(rule.segments_none.all()),
        )
        for rule in TriggerRule.objects.for_organization(organization)
        .select_related("survey")
        .prefetch_related("segments_all", "segments_none")
        .order_by("-priority", "pk")
    )
    policy = ContactPolicy.objects.filter(organization=organization).first()
    min_days = policy.min_days_between_invitations if policy else DEFAULT_MIN_DAYS
    by_touchpoint: dict[int, list[CompiledRule]] = defaultdict(list)
    by_event_type: dict[str, list[CompiledRule]] = defaultdict(list)
    for compiled in rules:
        if compiled.rule.touchpoint_id is not None:
            by_touchpoint[compiled.rule.touchpoint_id].append(compiled)
        else:
            by_event_type[compiled.rule.event_type].append(compiled)
    survey_days = [c.rule.survey.min_days_between_invitations or 0 for c in rules]
    return TriggerSet(
        rules=rules,
        min_days=min_days,
        horizon_days=max([min_days, *survey_days]),
        by_touchpoint={k: tuple(v) for k, v in by_touchpoint.items()},
        by_event_type={k: tuple(v) for k, v in by_event_type.items()},
    )
