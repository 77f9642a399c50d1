"""A customer's timeline: events, invitations, suppressions and responses, newest first.

Read by the response page (insights) and the follow-up case page (followups); it reads only
cx's and surveys' rows, so it lives here, below both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from cx.models import Customer, Event, Organization
from cx.names import localized_name
from surveys import presentation
from surveys.models import Invitation, Response, Suppression


@dataclass(frozen=True)
class Moment:
    """One thing that happened to a customer, for the timeline."""

    at: datetime
    kind: str  # event | invitation | suppression | response
    title: str
    detail: str = ""
    response_id: int | None = None
    category: str = ""  # of a response: its first score's (detractor, low, …)


def customer_timeline(
    *, organization: Organization, customer: Customer, limit: int = 100
) -> list[Moment]:
    """Return the customer's events, invitations, suppressions and responses, newest first."""
    moments: list[Moment] = []
    for event in (
        Event.objects.for_organization(organization)
        .filter(customer=customer)
        .select_related("touchpoint")
        .order_by("-occurred_at")[:limit]
    ):
        where = localized_name(event.touchpoint) or _("no touchpoint")
        moments.append(Moment(event.occurred_at, "event", event.type, where))
    for invitation in (
        Invitation.objects.for_organization(organization)
        .filter(customer=customer)
        .select_related("survey")
        .order_by("-created_at")[:limit]
    ):
        moments.append(
            Moment(
                invitation.created_at, "invitation", invitation.survey.name,
                invitation.get_state_display(),
            )
        )  # fmt: skip
    for suppression in (
        Suppression.objects.for_organization(organization)
        .filter(customer=customer)
        .select_related("rule")
        .order_by("-created_at")[:limit]
    ):
        moments.append(
            Moment(
                suppression.created_at, "suppression", suppression.rule.name,
                suppression.get_reason_display(),
            )
        )  # fmt: skip
    for response in (
        Response.objects.for_organization(organization)
        .filter(customer=customer, completed_at__isnull=False)
        .select_related("survey")
        .prefetch_related("answers__question")
        .order_by("-completed_at")[:limit]
    ):
        assert response.completed_at is not None  # filtered: completed_at__isnull=False
        scores = presentation.scores_of(presentation.response_answers(response))
        moments.append(
            Moment(
                response.completed_at, "response", response.survey.name,
                ", ".join(answer.short for answer in scores), response.pk,
                presentation.headline_category(scores),
            )
        )  # fmt: skip
    moments.sort(key=lambda moment: moment.at, reverse=True)
    return moments[:limit]
