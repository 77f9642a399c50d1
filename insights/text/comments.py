"""Read an organisation's comments and their scores for training and tagging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cx.models import Organization
from surveys.models import Answer, Response

SCORE_PRIORITY = ("nps", "csat", "ces")


@dataclass(frozen=True)
class Comment:
    response_id: int
    text: str
    language: str
    completed_at: datetime
    score_type: str  # "" when the response gave no score
    score: int | None


def _scores(
    response_ids: list[int] | None, organization: Organization
) -> dict[int, tuple[str, int]]:
    answers = Answer.objects.filter(
        response__organization=organization,
        question__type__in=SCORE_PRIORITY,
        number__isnull=False,
    )
    if response_ids is not None:
        answers = answers.filter(response_id__in=response_ids)
    found: dict[int, tuple[str, int]] = {}
    for response_id, kind, number in answers.values_list(
        "response_id", "question__type", "number"
    ):
        if number is None:
            continue  # excluded by number__isnull=False; narrows the type
        held = found.get(response_id)
        if held is None or SCORE_PRIORITY.index(kind) < SCORE_PRIORITY.index(held[0]):
            found[response_id] = (kind, number)
    return found


def comments_of(
    *, organization: Organization, response_ids: list[int] | None = None
) -> list[Comment]:
    """Return the completed responses' comments (texts joined), earliest first."""
    answers = (
        Answer.objects.filter(
            response__organization=organization,
            response__state=Response.State.COMPLETED,
            question__type="text",
        )
        .exclude(text="")
        .order_by("response__completed_at", "response_id", "question__position")
    )
    if response_ids is not None:
        answers = answers.filter(response_id__in=response_ids)
    texts: dict[int, list[str]] = {}
    meta: dict[int, tuple[str, datetime]] = {}
    for response_id, text, language, completed_at in answers.values_list(
        "response_id", "text", "response__language", "response__completed_at"
    ):
        texts.setdefault(response_id, []).append(text)
        assert completed_at is not None  # a completed response has its moment
        meta[response_id] = (language, completed_at)
    scores = _scores(response_ids, organization)
    return [
        Comment(
            response_id=response_id,
            text="\n".join(parts),
            language=meta[response_id][0],
            completed_at=meta[response_id][1],
            score_type=scores.get(response_id, ("", None))[0],
            score=scores.get(response_id, ("", None))[1],
        )
        for response_id, parts in texts.items()
    ]
