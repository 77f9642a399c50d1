"""Hooks through which the core's events reach the predictions app."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from cx.models import Event, Organization
from cx.publish import publish_on_commit
from cx.versioning import versioned
from predictions import selectors

logger = logging.getLogger(__name__)


def events_scored(
    *, organization: Organization, events: Sequence[Event]
) -> dict[int, dict[str, Any]]:
    """Have the events' customers re-scored by a worker once the events are committed.

    Scoring is not done in the ingestion transaction: it cost the event tens of
    milliseconds. The request only checks (in-process, no query) that the organisation
    has a published model and hands the customers to Celery after commit, so a trigger
    rule matching this very event reads the risk as last scored (at the customer's
    previous event, or when the model was published). Adds nothing to the API's answer.
    """
    versions = versioned(
        organization,
        "predictions.current_versions",
        lambda: selectors.current_versions(organization),
    )
    if not versions:
        return {}
    customer_ids = sorted(
        {event.customer.pk for event in events if event.customer is not None}
    )
    if customer_ids:
        # Not a row with a state: a lost message leaves the risk as last scored until
        # the customer's next event or the next published version (which scores every
        # active customer).
        publish_on_commit(_dispatch, organization.pk, customer_ids)
    return {}


def _dispatch(organization_id: int, customer_ids: list[int]) -> None:
    from predictions.tasks import customers_score_task

    customers_score_task.delay(organization_id, customer_ids)
