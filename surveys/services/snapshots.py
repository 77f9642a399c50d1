"""The snapshot of a response's context, taken when it completes.

Later changes to segment rules or to the journey map must not rewrite history, so the
segments the customer was in, and the touchpoint, journey and process of the event, are
copied onto the response when it is completed.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from cx.models import Customer, Segment
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
                imported=response.imported_at is not None,
            )
            for segment in segments
        ],
        ignore_conflicts=True,
    )
    return [segment.key for segment in segments]


def responses_segments_snapshot(
    *, organization_id: int, responses: Sequence[tuple[Response, int | None]]
) -> int:
    """Record the segments of many stored responses' customers at once; return rows.

    For bulk writes (an import): each item is a response and its NPS answer (or None).
    Anonymous responses and those of no customer get none, as one at a time. The
    customers are read in one query and each segment rule is evaluated in Python once
    per customer.
    """
    known = [
        (response, nps)
        for response, nps in responses
        if response.customer_id is not None and not response.is_anonymous
    ]
    if not known:
        return 0
    segments = list(Segment.objects.for_organization(organization_id))
    customers = Customer.objects.in_bulk({r.customer_id for r, _ in known})
    member_of = {
        pk: [segment for segment in segments if segment.contains(customer)]
        for pk, customer in customers.items()
    }
    rows = ResponseSegment.objects.bulk_create(
        [
            ResponseSegment(
                organization_id=organization_id,
                response=response,
                segment=segment,
                key=segment.key,
                touchpoint_id=response.touchpoint_id,
                completed_at=response.completed_at,
                nps=nps,
                imported=response.imported_at is not None,
            )
            for response, nps in known
            for segment in member_of.get(response.customer_id, [])
        ],
        ignore_conflicts=True,
    )
    return len(rows)
