"""Reads of the surveys app that span relations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from cx.models import Event, Organization
from surveys.emails import survey_url
from surveys.models import DeliveryChannel, Invitation, Suppression

# What the event's answer shows of each invitation it scheduled.
LISTED_FIELDS = (
    "pk", "event_id", "rule_id", "survey_id", "survey__name", "state", "due_at",
    "channel",
)  # fmt: skip


def event_invitations(events: Sequence[Event]) -> dict[int, dict[str, Any]]:
    """Return, per event, what each matching rule decided (for the event API's answer):
    the invitations it scheduled and the suppressions with their reasons."""
    ids = [event.pk for event in events]
    invitations = (
        Invitation.objects.filter(event__in=ids).order_by("pk").values(*LISTED_FIELDS)
    )
    suppressions = (
        Suppression.objects.filter(event__in=ids)
        .order_by("pk")
        .values(
            "event_id", "rule_id", "rule__survey_id", "rule__survey__name", "reason",
            "detail",
        )
    )  # fmt: skip
    return _listed(
        events,
        [
            (row["event_id"], row["pk"], row["rule_id"], row["survey_id"],
             row["survey__name"], row["state"], row["due_at"], row["channel"])
            for row in invitations
        ],
        [
            (row["event_id"], row["rule_id"], row["rule__survey_id"],
             row["rule__survey__name"], row["reason"], row["detail"])
            for row in suppressions
        ],
    )  # fmt: skip


def invitations_listed(
    events: Sequence[Event],
    invitations: Sequence[Invitation],
    suppressions: Sequence[Suppression] = (),
    *,
    with_links: bool = False,
) -> dict[int, dict[str, Any]]:
    """Return what ``event_invitations`` reads, for rows just created in memory.

    ``with_links``: add the answer link of each own-channel invitation. Only the answer
    that created them may: the link is never shown again.
    """
    listed = _listed(
        events,
        [
            (i.event_id, i.pk, i.rule_id, i.survey_id, i.survey.name, i.state, i.due_at,
             i.channel)
            for i in sorted(invitations, key=lambda i: i.pk)
        ],
        [
            (s.event_id, s.rule_id, s.rule.survey_id, s.rule.survey.name, s.reason,
             s.detail)
            for s in suppressions
        ],
    )  # fmt: skip
    if with_links:
        links = {
            i.pk: survey_url(i) for i in invitations if i.channel == DeliveryChannel.OWN
        }
        for decided in listed.values():
            for invitation in decided["invitations"]:
                if invitation["id"] in links:
                    invitation["link"] = links[invitation["id"]]
    return listed


def _listed(
    events: Sequence[Event],
    invitations: Sequence[tuple[Any, ...]],
    suppressions: Sequence[tuple[Any, ...]],
) -> dict[int, dict[str, Any]]:
    invited: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in invitations:
        event_id, pk, rule_id, survey_id, survey_name, state, due, channel = row
        invited[event_id].append(
            {
                "id": pk,
                "rule": rule_id,
                "survey": {"id": survey_id, "name": survey_name},
                "state": state,
                "due_at": _iso(due),
                "channel": channel,
            }
        )
    refused: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event_id, rule_id, survey_id, survey_name, reason, detail in suppressions:
        refused[event_id].append(
            {
                "rule": rule_id,
                "survey": {"id": survey_id, "name": survey_name},
                "reason": reason,
                "detail": detail,
            }
        )
    return {
        event.pk: {
            "invitations": invited.get(event.pk, []),
            "suppressions": refused.get(event.pk, []),
        }
        for event in events
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def undeliverable_among(*, organization: Organization, emails: set[str]) -> set[str]:
    """Return which of ``emails`` (lower case) the organisation may not write to.

    Plain SQL: it runs for every event a rule matches, and the ORM's building of the
    query cost more than the query.
    """
    if not emails:
        return set()
    marks = ", ".join(["%s"] * len(emails))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT LOWER(email) FROM surveys_undeliverableaddress "  # noqa: S608
            f"WHERE organization_id = %s AND LOWER(email) IN ({marks})",
            [organization.pk, *emails],
        )
        return {address for (address,) in cursor.fetchall()}
