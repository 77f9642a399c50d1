"""The snapshot of a response's context, taken when it completes.

Later changes to segment rules or to the journey map must not rewrite history, so the
segments the customer was in, and the touchpoint, journey and process of the event, are
copied onto the response when it is completed.
"""

from __future__ import annotations

from django.db import transaction

from cx.models import Segment
from surveys.models import Answer, Question, Response, ResponseSegment


@transaction.atomic
def response_segments_snapshot(*, response: Response) -> list[str]:
    """Record the segments ``response``'s customer is in now; return their keys.

    Idempotent: a second call for the same response replaces nothing and adds nothing.
    """
    customer = response.customer
    if customer is None or response.is_anonymous:
        return []
    segments = [
        segment
        for segment in Segment.objects.for_organization(response.organization_id)
        if segment.contains(customer)
    ]
    nps = (
        Answer.objects.filter(
            response=response, question__type=Question.Type.NPS, number__isnull=False
        )
        .order_by("question__position")
        .values_list("number", flat=True)
        .first()
    )
    ResponseSegment.objects.bulk_create(
        [
            ResponseSegment(
                organization_id=response.organization_id,
                response=response,
                segment=segment,
                key=segment.key,
                touchpoint_id=response.touchpoint_id,
                completed_at=response.completed_at,
                nps=nps,
            )
            for segment in segments
        ],
        ignore_conflicts=True,
    )
    return [segment.key for segment in segments]
