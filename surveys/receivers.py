"""Email tracking receivers of the surveys app (in ``CX_EMAIL_TRACKING_RECEIVERS``).

django-anymail turns each email provider's tracking webhook (``/webhooks/anymail/<esp>/
tracking/``) into a normalised ``tracking`` signal. Hard bounces, complaints and
provider rejections make the address undeliverable; unsubscribes opt the customer out.
"""

from __future__ import annotations

import re
from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason

from cx.digits import as_id
from surveys.services.tracking import tracking_event_record

# A "bounce" with a temporary status (SMTP 4xx, enhanced 4.x.x) is a soft one.
SOFT_STATUS = re.compile(r"^\s*4\d\d\b|\b4\.\d{1,3}\.\d{1,3}\b")
UNDELIVERABLE_REJECTS = {RejectReason.INVALID, RejectReason.BOUNCED, RejectReason.SPAM}


def _kind(event: AnymailTrackingEvent) -> str | None:
    """Return what the event means for future sends, or None when nothing."""
    if event.event_type == EventType.BOUNCED:
        esp_type = str(_field(event.esp_event, "Type", "type", "severity")).lower()
        soft = "soft" in esp_type or "transient" in esp_type or "temporary" in esp_type
        if soft or SOFT_STATUS.search(event.mta_response or ""):
            return None
        return "bounced"
    if event.event_type == EventType.COMPLAINED:
        return "complained"
    if event.event_type == EventType.UNSUBSCRIBED:
        return "unsubscribed"
    if event.event_type == EventType.REJECTED:
        if event.reject_reason == RejectReason.UNSUBSCRIBED:
            return "unsubscribed"
        if event.reject_reason in UNDELIVERABLE_REJECTS:
            return "rejected"
    return None


def _field(payload: Any, *names: str) -> Any:
    if isinstance(payload, dict):
        for name in names:
            if name in payload:
                return payload[name]
    return ""


def on_tracking(
    sender: object, event: AnymailTrackingEvent, esp_name: str, **kwargs: object
) -> None:
    kind = _kind(event)
    if kind is None or not event.recipient:
        return
    raw_id = str((event.metadata or {}).get("cx_invitation", ""))
    said = [part for part in (event.description, event.mta_response) if part]
    detail = "; ".join(said) or "no details"
    tracking_event_record(
        kind=kind,
        email=event.recipient,
        invitation_id=as_id(raw_id),
        detail=f"{esp_name}: {detail}",
    )
