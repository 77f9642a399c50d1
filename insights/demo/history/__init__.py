"""One seeded run of the demo's past: stories of customers, replayed through the rules.

By concern: ``state`` (what the history reads and holds), ``stories`` (customers and
their events), ``invitations`` (the trigger rules replayed through the product's own
trigger decision), ``answers`` (responses) and ``cases`` (follow-ups).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.db import models

from cx.models import Customer, Event, Membership, Role
from followups.models import CaseActivity, FollowUp
from insights.demo.content import EXECUTIVE_READS_SINCE_DAYS, SEED
from insights.demo.history.invitations import Invitations
from insights.demo.history.stories import Stories
from insights.models import DashboardVisit
from surveys.models import (
    Answer,
    Invitation,
    Response,
    ResponseSegment,
    Suppression,
    UndeliverableAddress,
)

BATCH = 2000


class History(Invitations, Stories):
    """One seeded run of the demo's past, from ``days`` ago until now."""

    # --- writing --------------------------------------------------------------------

    def dashboard_visits(self) -> None:
        """The CX team opens the dashboard most working days, the executive on Mondays.

        A generator of its own, so that the stories stay as they were without it.
        """
        rng = random.Random(SEED + 1)
        members = Membership.objects.filter(
            organization=self.organization,
            role__in=[Role.OWNER, Role.CX_MANAGER, Role.EXECUTIVE],
        ).select_related("user")
        for ago in range(self.days, -1, -1):
            day = (self.now - timedelta(days=ago)).astimezone(self.zone).date()
            if day.weekday() >= 5:
                continue
            for member in members:
                looks = (
                    day.weekday() == 0 and ago <= EXECUTIVE_READS_SINCE_DAYS
                    if member.role == Role.EXECUTIVE
                    else rng.random() < 0.8
                )
                if looks:
                    self.written.visits.append(
                        DashboardVisit(
                            organization=self.organization,
                            user=member.user,
                            role=member.role,
                            day=day,
                        )
                    )

    def write(self) -> None:
        """Make the history in memory, then insert it table by table."""
        self.progress(f"history: {self.days} days of stories")
        self.stories()
        # The customers are stored first: the trigger decision's holdout is drawn by
        # the customer's id, as in the product.
        self.progress(f"history: {len(self.written.customers)} customers")
        Customer.objects.bulk_create(self.written.customers, batch_size=BATCH)
        self.trigger()
        self.public_link()
        self.dashboard_visits()
        self.written.responses.sort(key=lambda response: response.started_at)
        written = self.written
        batches: list[tuple[str, type[models.Model], list[Any]]] = [
            ("events", Event, written.events),
            ("suppressions", Suppression, written.suppressions),
            ("invitations", Invitation, written.invitations),
            ("undeliverable addresses", UndeliverableAddress, written.undeliverable),
            ("responses", Response, written.responses),
            ("answers", Answer, written.answers),
            ("segment snapshots", ResponseSegment, written.segments),
            ("follow-ups", FollowUp, written.followups),
            ("dashboard visits", DashboardVisit, written.visits),
        ]
        for label, model, rows in batches:
            self.progress(f"history: {len(rows)} {label}")
            model.objects.bulk_create(rows, batch_size=BATCH)  # type: ignore[attr-defined]
        activities = self.case_histories()
        self.progress(f"history: {len(activities)} case activities")
        CaseActivity.objects.bulk_create(activities, batch_size=BATCH)
