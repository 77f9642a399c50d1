"""What the demo's history knows while it is made: the configuration, the clock, the rows."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from cx.demo import Progress
from cx.models import Customer, Event, Organization, Segment
from cx.models.journeys import TouchpointEventType
from followups.models import FollowUp
from followups.rules import Thresholds
from followups.services import followup_policy
from insights.demo.content import (
    HOURS,
    RECOVERY_SINCE_DAYS,
    ROLLOUT_DAYS,
    RULE_LIVE_DAYS,
    SEED,
    WEB_SURVEY,
)
from insights.models import DashboardVisit
from surveys.models import (
    Answer,
    Invitation,
    Response,
    ResponseSegment,
    Suppression,
    Survey,
    UndeliverableAddress,
)
from surveys.services.trigger_set import trigger_set


@dataclass
class Written:
    """Everything the history writes, in the order it is inserted."""

    customers: list[Customer] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    undeliverable: list[UndeliverableAddress] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    segments: list[ResponseSegment] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)
    visits: list[DashboardVisit] = field(default_factory=list)


class State:
    """One seeded run of the demo's past, from ``days`` ago until now: what it reads."""

    def __init__(self, organization: Organization, days: int, progress: Progress):
        self.organization = organization
        self.progress = progress
        self.rng = random.Random(SEED)
        self.zone = organization.tzinfo
        self.now = timezone.now()
        self.start = self.now - timedelta(days=days)
        self.rollout = [self.now - timedelta(days=ago) for ago in ROLLOUT_DAYS]
        self.recovery_since = self.now - timedelta(days=RECOVERY_SINCE_DAYS)
        self.new_form: dict[int, bool] = {}
        self.days = days
        self.written = Written()
        self.identified: list[Customer] = []
        self.touchpoints = {
            row.event_type: row.touchpoint
            for row in TouchpointEventType.objects.for_organization(
                organization
            ).select_related("touchpoint__journey", "touchpoint__process")
        }
        # The rules as trigger matching has them (surveys.services.trigger_set), so
        # that each event is decided by the product's own trigger decision. The
        # organisation is read again: its rules changed since it was (its config
        # version is what the compiled rules are held against).
        self.triggers = trigger_set(
            organization=Organization.objects.get(pk=organization.pk)
        )
        # When each rule began to ask (the team added rules as it matured).
        self.live_from = {
            compiled.rule.pk: self.now
            - timedelta(days=RULE_LIVE_DAYS[compiled.rule.name])
            for compiled in self.triggers.rules
            if compiled.rule.name in RULE_LIVE_DAYS
        }
        # The addresses nothing may be sent to (read when the rules are replayed, and
        # added to as invitations bounce).
        self.undeliverable: set[str] = set()
        self.questions = {
            survey.pk: survey.ordered_questions
            for survey in Survey.objects.for_organization(organization)
        }
        self.web_survey = Survey.objects.for_organization(organization).get(
            name=WEB_SURVEY
        )
        self.followup = followup_policy(organization=organization)
        # Recovery surveys draw from a generator of their own, so the stories stay
        # as they were whether or not the policy has a recovery survey.
        self.recovery_rng = random.Random(SEED + 2)
        # The planted comment themes draw from their own stream, so that the rest of
        # the history stays the same draw for draw.
        self.theme_rng = random.Random(SEED + 3)
        self.recovery_survey = self.followup.recovery_survey
        self.thresholds = Thresholds(
            nps_at_most=self.followup.nps_at_most,
            csat_at_most=self.followup.csat_at_most,
            ces_at_most=self.followup.ces_at_most,
            fcr_no=self.followup.fcr_no,
            keywords=tuple(str(word) for word in self.followup.keywords or ()),
        )
        self.segments = list(Segment.objects.for_organization(organization))
        self.segments_of: dict[int, list[Segment]] = {}

    # --- time -----------------------------------------------------------------------

    def at(
        self, day: datetime, channel: str, not_before: datetime | None = None
    ) -> datetime:
        """Return a moment on ``day`` (local) when ``channel``'s events happen."""
        hours, weights, working_days = HOURS[channel]
        local = day.astimezone(self.zone)
        while True:
            if not (working_days and local.weekday() >= 5):
                hour = self.rng.choices(hours, weights)[0]
                moment = local.replace(
                    hour=hour,
                    minute=self.rng.randrange(60),
                    second=self.rng.randrange(60),
                    microsecond=0,
                )
                if not_before is None or moment > not_before:
                    return moment.astimezone(UTC)
            local = (local + timedelta(days=1)).replace(hour=0)
            not_before = None
