"""Hooks through which other apps' events become webhooks.

``response_completed`` is listed in ``CX_RESPONSE_COMPLETED_RECEIVERS``: surveys calls it
inside the transaction that completes a response, so the delivery rows commit (and are
sent) together with the completion, or not at all.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from cx.models import Organization
from surveys.models import Answer, Response, ResponseSegment
from webhooks.models import EventType
from webhooks.services import webhook_publish, webhook_subscribers

logger = logging.getLogger(__name__)


def response_completed(response: Response) -> None:
    """Publish "response.completed" to the organisation's subscribed endpoints.

    A failure here is logged, not raised: the customer's answers must be kept even when
    the webhook cannot be written (it runs in a savepoint, so nothing half-written stays).
    """
    event_type = EventType.RESPONSE_COMPLETED
    if not webhook_subscribers(
        organization=response.organization_id, event_type=event_type
    ):
        return  # nobody listens: do not build the payload
    try:
        with transaction.atomic():
            webhook_publish(
                organization=response.organization_id,
                event_type=event_type,
                payload=response_payload(response_id=response.pk),
            )
    except Exception:
        logger.exception("Could not publish webhooks for response %s", response.pk)


def _named(thing: Any) -> dict[str, Any] | None:
    return None if thing is None else {"id": thing.pk, "name": thing.name}


def response_payload(*, response_id: int) -> dict[str, Any]:
    """Return the webhook data of a completed response (shape: ``webhooks.services``).

    The customer is left out of an anonymous response; the segments are the snapshot
    taken at completion, not the customer's segments today.
    """
    response = Response.objects.select_related(
        "survey", "touchpoint", "journey", "process", "customer"
    ).get(pk=response_id)
    anonymous = response.is_anonymous or response.survey.is_anonymous
    customer = None if anonymous else response.customer
    answers = (
        Answer.objects.filter(response=response)
        .select_related("question")
        .order_by("question__position", "question_id")
    )
    segments = (
        ResponseSegment.objects.filter(response=response)
        .order_by("key")
        .values_list("key", flat=True)
    )
    return {
        "response_id": response.pk,
        "survey": _named(response.survey),
        "touchpoint": _named(response.touchpoint),
        "journey": _named(response.journey),
        "process": _named(response.process),
        "customer": None if customer is None else {"external_id": customer.external_id},
        "language": response.language,
        "completed_at": response.completed_at,
        "answers": [
            {
                "question": answer.question.key,
                "type": answer.question.type,
                "number": answer.number,
                "choices": list(answer.choices or []),
                "text": answer.text,
            }
            for answer in answers
        ],
        "segments": list(segments),
    }


def followup_event(
    *, organization: Organization, event_type: str, payload: dict[str, Any]
) -> None:
    """Publish "followup.opened" / "followup.closed" (``CX_FOLLOWUP_EVENT_RECEIVERS``)."""
    webhook_publish(organization=organization, event_type=event_type, payload=payload)


def risk_crossed(*, organization_id: int, payload: dict[str, Any]) -> None:
    """Publish "prediction.risk_crossed" (listed in ``CX_RISK_CROSSED_RECEIVERS``).

    ``payload`` names the customer, the prediction, the risk and its reasons. Like
    ``response_completed``, a failure is logged, never raised into the scoring.
    """
    event_type = EventType.RISK_CROSSED
    if not webhook_subscribers(organization=organization_id, event_type=event_type):
        return
    try:
        with transaction.atomic():
            webhook_publish(
                organization=organization_id, event_type=event_type, payload=payload
            )
    except Exception:
        logger.exception("Could not publish the risk of %s", payload.get("customer"))
