"""Hooks through which the core's events reach the predictions app."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cx.models import Event, Organization
from cx.versioning import versioned
from predictions import selectors, services


def events_scored(
    *, organization: Organization, events: Sequence[Event]
) -> dict[int, dict[str, Any]]:
    """Re-score the events' customers under the organisation's current models.

    Listed first in ``CX_EVENT_RECEIVERS``: it runs inside the ingestion transaction,
    before trigger matching, so a rule on a risk segment sees the risk after this event.
    Adds nothing to the event API's answer.
    """
    versions = versioned(
        organization,
        "predictions.current_versions",
        lambda: selectors.current_versions(organization),
    )
    if not versions:
        return {}
    customers = {
        event.customer.pk: event.customer
        for event in events
        if event.customer is not None
    }
    services.customers_score(
        organization=organization, customers=list(customers.values()), versions=versions
    )
    return {}
