"""Reading and annotating feedback: the staff list, a response's page, a customer's timeline.

Reads (``feedback_list``, ``customer_timeline``) and the two small writes on a response
(``response_tag``, ``response_note_add``) live together because they serve one screen;
each is scoped to the organisation passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from cx.models import Customer, Event, Organization
from insights.models import ResponseNote, ResponseTag, Tag
from surveys.models import Answer, Invitation, Response, Suppression

SCORE_TYPES = ("nps", "csat", "ces")
# ``metric=`` of the list: the question type whose answers a metric counts.
METRIC_FILTERS = {
    "nps": "nps",
    "csat": "csat",
    "ces": "ces",
    "fcr": "fcr",
    "response_rate": "",
}


@dataclass(frozen=True)
class FeedbackFilters:
    """The list's filters as read from a query string; empty means "any"."""

    survey: int | None = None
    touchpoint: int | None = None
    segment: str = ""
    tag: str = ""
    q: str = ""
    score_max: int | None = None
    has_comment: bool = False
    since: date | None = None
    # From the dashboard's links: exactly the answers behind one of its numbers.
    journey: int | None = None
    until: date | None = None  # the last day, included
    metric: str = ""  # answered this metric's question; response_rate: invited

    @classmethod
    def from_query(cls, query: Any) -> FeedbackFilters:
        """Read the filters, ignoring values that do not parse (a form never 500s)."""

        def number(key: str) -> int | None:
            raw = query.get(key, "").strip()
            return int(raw) if raw.lstrip("-").isdigit() and len(raw) < 9 else None

        def day(key: str) -> date | None:
            try:
                return (
                    date.fromisoformat(query.get(key, "")) if query.get(key) else None
                )
            except ValueError:
                return None

        metric = query.get("metric", "")
        return cls(
            survey=number("survey"),
            touchpoint=number("touchpoint"),
            segment=query.get("segment", "")[:100],
            tag=query.get("tag", "")[:60],
            q=query.get("q", "").strip()[:200],
            score_max=number("score_max"),
            has_comment=query.get("has_comment") == "1",
            since=day("since"),
            journey=number("journey"),
            until=day("until"),
            metric=metric if metric in METRIC_FILTERS else "",
        )


def feedback_list(
    *, organization: Organization, filters: FeedbackFilters
) -> QuerySet[Response]:
    """Return the organisation's completed responses matching ``filters``, newest first."""
    responses = Response.objects.for_organization(organization).filter(
        state=Response.State.COMPLETED
    )
    if filters.survey:
        responses = responses.filter(survey_id=filters.survey)
    if filters.touchpoint:
        responses = responses.filter(touchpoint_id=filters.touchpoint)
    if filters.segment:
        responses = responses.filter(segments__key=filters.segment)
    if filters.tag:
        responses = responses.filter(tagged__tag__name=filters.tag)
    answers = Answer.objects.filter(response=OuterRef("pk"))
    if filters.q:
        responses = responses.filter(Exists(answers.filter(text__icontains=filters.q)))
    if filters.has_comment:
        responses = responses.filter(Exists(answers.exclude(text="")))
    if filters.score_max is not None:
        responses = responses.filter(
            Exists(
                answers.filter(
                    question__type__in=SCORE_TYPES, number__lte=filters.score_max
                )
            )
        )
    if filters.journey:
        responses = responses.filter(journey_id=filters.journey)
    # The response rate counts invitations by when they were sent; every other number
    # counts answers by when the response was completed.
    moment = (
        "invitation__sent_at" if filters.metric == "response_rate" else "completed_at"
    )
    if filters.since:
        start = datetime.combine(filters.since, time.min, organization.tzinfo)
        responses = responses.filter(**{f"{moment}__gte": start})
    if filters.until:
        end = datetime.combine(
            filters.until + timedelta(days=1), time.min, organization.tzinfo
        )
        responses = responses.filter(**{f"{moment}__lt": end})
    if filters.metric == "response_rate":
        responses = responses.filter(invitation__sent_at__isnull=False)
    elif filters.metric:
        responses = responses.filter(
            Exists(
                answers.filter(
                    question__type=METRIC_FILTERS[filters.metric], number__isnull=False
                )
            )
        )
    return (
        responses.select_related("survey", "touchpoint", "customer")
        .prefetch_related("answers__question", "tagged__tag")
        .order_by("-completed_at")
        .distinct()
    )


def response_tag(*, response: Response, name: str, remove: bool = False) -> None:
    """Put the tag ``name`` on ``response`` (creating the tag), or take it off."""
    name = " ".join(name.split())[:60]
    if not name:
        raise ValidationError({"tag": _("Give the tag a name.")})
    if remove:
        ResponseTag.objects.filter(response=response, tag__name=name).delete()
        return
    tag, _created = Tag.objects.get_or_create(
        organization_id=response.organization_id, name=name
    )
    ResponseTag.objects.get_or_create(response=response, tag=tag)


def response_note_add(
    *, response: Response, author: AbstractBaseUser, text: str
) -> ResponseNote:
    """Add an internal note to ``response``."""
    text = text.strip()
    if not text:
        raise ValidationError({"note": _("Write the note first.")})
    return ResponseNote.objects.create(
        organization_id=response.organization_id,
        response=response,
        author=author,
        text=text[:5000],
    )


@dataclass(frozen=True)
class Moment:
    """One thing that happened to a customer, for the timeline."""

    at: datetime
    kind: str  # event | invitation | suppression | response
    title: str
    detail: str = ""
    response_id: int | None = None


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
        where = event.touchpoint.name if event.touchpoint else _("no touchpoint")
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
        .order_by("-completed_at")[:limit]
    ):
        moments.append(
            Moment(
                response.completed_at, "response", response.survey.name,
                response_headline(response), response.pk,
            )
        )  # fmt: skip
    moments.sort(key=lambda moment: moment.at, reverse=True)
    return moments[:limit]


def response_headline(response: Response) -> str:
    """Return the response's scores in a few words ("NPS 3 · CES 2")."""
    parts = [
        f"{answer.question.type.upper()} {answer.number}"
        for answer in response.answers.all()
        if answer.question.type in SCORE_TYPES and answer.number is not None
    ]
    return " · ".join(parts)


def comment_of(response: Response) -> str:
    """Return the response's first free-text answer, if any."""
    return next((a.text for a in response.answers.all() if a.text), "")
