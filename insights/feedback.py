"""Reading and annotating feedback: the staff list and a response's page.

Reads (``feedback_list``; a customer's timeline is ``surveys.timeline``) and the two small
writes on a response
(``response_tag``, ``response_note_add``) live together because they serve one screen;
each is scoped to the organisation passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from cx.digits import is_digits
from cx.models import Organization
from insights.models import ResponseNote, ResponseTag, Tag
from surveys.models import Answer, Response

SCORE_TYPES = ("nps", "csat", "ces")
# ``metric=`` of the list: the question type whose answers a metric counts.
METRIC_FILTERS = {
    "nps": "nps",
    "csat": "csat",
    "ces": "ces",
    "fcr": "fcr",
    "response_rate": "",
    # The funnel's "answered": answers to the invitations of events in the period.
    "answered": "",
}

# ``sentiment=`` of the list: a comment's sentiment, or "disagrees" with its score.
SENTIMENT_FILTERS = ("positive", "negative", "mixed", "unknown", "disagrees")

# The score range of each metric a filter may ask for: NPS 0–10, CSAT 1–5, CES 1–7.
SCORE_RANGES: dict[str, tuple[int, int]] = {
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
}


def parse_date(raw: str) -> date | None:
    """Return the date typed in the user's locale (``2.12.2026``) or ISO, else None."""
    raw = raw.strip()[:32]
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", *formats.get_format("DATE_INPUT_FORMATS")):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class FeedbackFilters:
    """The list's filters as read from a query string; empty means "any".

    Scores are filtered per metric (``nps_min``/``nps_max``, ``csat_…``, ``ces_…``),
    since one number cannot mean the same on a 0–10, a 1–5 and a 1–7 scale.
    ``score_max`` (any metric at most) is kept for links made before.
    """

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
    # Answered this metric's question; response_rate: invited (dates: when sent);
    # answered: invited for an event (dates: when the event occurred), as the funnel.
    metric: str = ""
    scores: tuple[tuple[str, int | None, int | None], ...] = ()
    # Comment understanding (insights.text): a theme's id, a sentiment or "disagrees".
    theme: int | None = None
    sentiment: str = ""

    @classmethod
    def from_query(cls, query: Any) -> FeedbackFilters:
        """Read the filters, ignoring values that do not parse (a form never 500s)."""

        def number(key: str) -> int | None:
            raw = query.get(key, "").strip()
            return (
                int(raw) if is_digits(raw.removeprefix("-")) and len(raw) < 9 else None
            )

        metric = query.get("metric", "")
        sentiment = query.get("sentiment", "")
        scores = tuple(
            (kind, number(f"{kind}_min"), number(f"{kind}_max"))
            for kind in SCORE_TYPES
            if number(f"{kind}_min") is not None or number(f"{kind}_max") is not None
        )
        return cls(
            survey=number("survey"),
            touchpoint=number("touchpoint"),
            segment=query.get("segment", "")[:100],
            tag=query.get("tag", "")[:60],
            q=query.get("q", "").strip()[:200],
            score_max=number("score_max"),
            has_comment=query.get("has_comment") == "1",
            since=parse_date(query.get("since", "")),
            journey=number("journey"),
            until=parse_date(query.get("until", "")),
            metric=metric if metric in METRIC_FILTERS else "",
            scores=scores,
            theme=number("theme"),
            sentiment=sentiment if sentiment in SENTIMENT_FILTERS else "",
        )

    def score(self, metric: str, end: str) -> int | None:
        """Return the ``min`` or ``max`` asked for ``metric``, for the form."""
        for name, low, high in self.scores:
            if name == metric:
                return low if end == "min" else high
        return None


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
    if filters.journey and filters.metric == "answered":
        responses = responses.filter(
            invitation__event__touchpoint__journey_id=filters.journey
        )
    elif filters.journey:
        responses = responses.filter(journey_id=filters.journey)
    if filters.theme:
        responses = responses.filter(comment_themes__theme_id=filters.theme)
    if filters.sentiment == "disagrees":
        responses = responses.filter(comment_analysis__disagrees=True)
    elif filters.sentiment:
        responses = responses.filter(comment_analysis__sentiment=filters.sentiment)
    for score_metric, low, high in filters.scores:
        given = answers.filter(question__type=score_metric)
        if low is not None:
            given = given.filter(number__gte=low)
        if high is not None:
            given = given.filter(number__lte=high)
        responses = responses.filter(Exists(given))
    # The response rate counts invitations by when they were sent, the funnel by when
    # their event occurred; every other number counts answers by their completion.
    moment = {
        "response_rate": "invitation__sent_at",
        "answered": "invitation__event__occurred_at",
    }.get(filters.metric, "completed_at")
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
    elif filters.metric == "answered":
        responses = responses.filter(invitation__event__isnull=False)
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
        .select_related("comment_analysis")
        .prefetch_related("answers__question", "tagged__tag", "comment_themes__theme")
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


def responses_tag(
    *, organization: Organization, response_ids: list[int], name: str
) -> int:
    """Put the tag ``name`` on each of the organisation's responses in ``response_ids``.

    Ids of other organisations are ignored. Returns how many responses were tagged.
    """
    name = " ".join(name.split())[:60]
    if not name:
        raise ValidationError({"tag": _("Give the tag a name.")})
    ids = list(
        Response.objects.for_organization(organization)
        .filter(pk__in=response_ids[:500])
        .values_list("pk", flat=True)
    )
    if not ids:
        raise ValidationError({"responses": _("Choose the responses to tag.")})
    tag, _created = Tag.objects.get_or_create(organization=organization, name=name)
    ResponseTag.objects.bulk_create(
        [ResponseTag(response_id=pk, tag=tag) for pk in ids], ignore_conflicts=True
    )
    return len(ids)


def response_note_add(*, response: Response, author: User, text: str) -> ResponseNote:
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
