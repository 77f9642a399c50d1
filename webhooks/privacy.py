"""What the webhook delivery log forgets when a customer is erased or responses grow old.

A delivery row keeps the JSON it sent, and that JSON is the customer's feedback: their
external id, answers and comments (``response.completed``) or the case about them and
the action taken (``followup.*``). Both kinds name the response in ``data.response_id``,
which is how the rows are found. Their ``data`` is replaced by null; the envelope's type
and timestamp, the state and the attempts stay, so the log still shows what was sent
when. A delivery not yet sent is failed instead of sending nothing.
"""

from __future__ import annotations

from django.db.models import BigIntegerField, Case, F, Q, QuerySet, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, JSONObject

from cx.models import Customer, Organization
from surveys.models import Response
from webhooks.models import WebhookDelivery

State = WebhookDelivery.State
ERASED_BEFORE_DELIVERY = "not sent: its personal data was erased first"


def _naming_responses(
    organization: Organization | int, responses: QuerySet[Response]
) -> QuerySet[WebhookDelivery]:
    """Return the organisation's deliveries whose payload is about one of ``responses``."""
    return (
        WebhookDelivery.objects.for_organization(organization)
        .alias(response_id=Cast(KT("payload__data__response_id"), BigIntegerField()))
        .filter(response_id__in=responses.order_by().values("pk"))
    )


def customer_erase_webhook_payloads(*, customer: Customer) -> None:
    """Blank the payloads about the customer's responses or naming their external id."""
    about_responses = _naming_responses(
        customer.organization_id, Response.objects.filter(customer=customer)
    )
    naming = WebhookDelivery.objects.for_organization(customer.organization_id).filter(
        Q(payload__data__customer__external_id=customer.external_id)
        | Q(payload__data__customer_external_id=customer.external_id)
    )
    _redact(about_responses)
    _redact(naming)


def deliveries_anonymise(
    *, organization: Organization, responses: QuerySet[Response]
) -> dict[str, int]:
    """Blank the payloads about ``responses``; return how many deliveries changed.

    A retention step (``surveys.services.retention``): one UPDATE, nothing on a second
    run (a blanked payload names no response any more).
    """
    blanked = _redact(_naming_responses(organization, responses))
    return {"webhook_payloads_blanked": blanked}


def _redact(deliveries: QuerySet[WebhookDelivery]) -> int:
    return deliveries.update(
        payload=JSONObject(
            type=F("event_type"),
            timestamp=KT("payload__timestamp"),
            data=Value(None),
        ),
        state=Case(
            When(state=State.SCHEDULED, then=Value(State.FAILED)),
            default=F("state"),
        ),
        last_error=Case(
            When(state=State.SCHEDULED, then=Value(ERASED_BEFORE_DELIVERY)),
            default=Value(""),
        ),
    )
