"""What every dashboard panel is asked about: a period, and optionally a journey and a segment.

The period is whole days in the organisation's time zone, ending today, so that the
feedback list (whose dates are days in that zone) shows exactly the answers a number
counts. The previous period has the same length and ends where this one starts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cx.digits import is_digits
from cx.models import Journey, Organization, Segment

PERIODS = (7, 30, 90, 365)
DEFAULT_PERIOD = 30


@dataclass(frozen=True)
class DashboardQuery:
    """The period (``days`` ending ``today``) and the journey and segment filters.

    ``drill_down`` says whether the viewer may open the answers, cases and lists behind
    a number (an executive may not): without it every ``*_url`` is "" and the pages show
    the number without a link.
    """

    organization: Organization
    days: int
    today: date
    journey: Journey | None = None
    segment: Segment | None = None
    drill_down: bool = True

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=self.days - 1)

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.organization.tzinfo)

    @property
    def since(self) -> datetime:
        return self._midnight(self.first_day)

    @property
    def until(self) -> datetime:
        """The end (exclusive): the midnight after today."""
        return self._midnight(self.today + timedelta(days=1))

    @property
    def previous_since(self) -> datetime:
        return self._midnight(self.first_day - timedelta(days=self.days))

    @property
    def previous_first_day(self) -> date:
        return self.first_day - timedelta(days=self.days)

    @property
    def previous_last_day(self) -> date:
        return self.first_day - timedelta(days=1)

    def filters(self, *, segment: bool = True) -> dict[str, object]:
        """Return the filters of ``insights.selectors.metric_rows`` (and the API)."""
        found: dict[str, object] = {}
        if self.journey is not None:
            found["journey"] = self.journey.pk
        if segment and self.segment is not None:
            found["segment"] = self.segment.pk
        return found

    def params(self, **changes: object) -> dict[str, object]:
        """Return the query string of this view of the dashboard, with ``changes``."""
        found: dict[str, object] = {"period": self.days}
        if self.journey is not None:
            found["journey"] = self.journey.pk
        if self.segment is not None:
            found["segment"] = self.segment.pk
        found.update(changes)
        return {name: value for name, value in found.items() if value not in (None, "")}

    def feedback_url(
        self,
        *,
        metric: str,
        previous: bool = False,
        every_segment: bool = False,
        **narrower: object,
    ) -> str:
        """Return the feedback list of exactly the answers behind a number.

        ``metric`` keeps the responses that answered that metric's question (or, for the
        response rate, those whose invitation was sent in the period); ``narrower``
        adds ``touchpoint=…`` or ``segment=<key>``; ``every_segment`` leaves the
        dashboard's segment out (the funnel counts every customer).
        """
        if not self.drill_down:
            return ""
        first, last = (
            (self.previous_first_day, self.previous_last_day)
            if previous
            else (self.first_day, self.today)
        )
        query: dict[str, object] = {
            "since": first.isoformat(),
            "until": last.isoformat(),
            "metric": metric,
        }
        if self.journey is not None:
            query["journey"] = self.journey.pk
        if self.segment is not None and not every_segment:
            query["segment"] = self.segment.key
        query.update(narrower)
        return f"{reverse('feedback:list')}?{urlencode(query)}"

    def queue_url(self, *, state: str) -> str:
        """Return the follow-up queue of the cases opened in the period, in ``state``."""
        if not self.drill_down:
            return ""
        query: dict[str, object] = {
            "state": state,
            "since": self.first_day.isoformat(),
            "until": self.today.isoformat(),
        }
        if self.journey is not None:
            query["journey"] = self.journey.pk
        return f"{reverse('followups:queue')}?{urlencode(query)}"

    def delivery_url(self, *, kind: str, **narrower: object) -> str:
        """Return the list of the period's events, invitations or suppressions.

        As the funnel counts them: by when the event occurred, for every customer
        (segments are recorded only on answers); ``narrower`` adds ``step=…`` or
        ``reason=…``.
        """
        if not self.drill_down:
            return ""
        query: dict[str, object] = {
            "kind": kind,
            "since": self.first_day.isoformat(),
            "until": self.today.isoformat(),
        }
        if self.journey is not None:
            query["journey"] = self.journey.pk
        query.update(narrower)
        return f"{reverse('feedback:delivery')}?{urlencode(query)}"


def _object_id(params: Mapping[str, Any], name: str) -> int | None:
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    if not is_digits(raw) or len(raw) > 18:
        raise ValidationError({name: [_("Choose one from the list.")]})
    return int(raw)


def dashboard_query(
    *, organization: Organization, params: Mapping[str, Any], drill_down: bool = True
) -> DashboardQuery:
    """Read ``period``, ``journey`` and ``segment`` from a query string.

    Raise ``ValidationError`` (by parameter) for a period not offered or a journey or
    segment that is not the organisation's.
    """
    errors: dict[str, list[str]] = {}
    raw_period = str(params.get("period") or DEFAULT_PERIOD)
    days = int(raw_period) if is_digits(raw_period) and len(raw_period) < 5 else 0
    if days not in PERIODS:
        errors["period"] = [
            _("Choose a period of %(days)s days.")
            % {"days": ", ".join(str(p) for p in PERIODS)}
        ]
    journey = segment = None
    try:
        journey_id = _object_id(params, "journey")
        if journey_id is not None:
            journey = (
                Journey.objects.for_organization(organization)
                .filter(pk=journey_id)
                .first()
            )
            if journey is None:
                errors["journey"] = [_("Choose one from the list.")]
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        segment_id = _object_id(params, "segment")
        if segment_id is not None:
            segment = (
                Segment.objects.for_organization(organization)
                .filter(pk=segment_id)
                .first()
            )
            if segment is None:
                errors["segment"] = [_("Choose one from the list.")]
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return DashboardQuery(
        organization=organization,
        days=days,
        today=timezone.localdate(timezone=organization.tzinfo),
        journey=journey,
        segment=segment,
        drill_down=drill_down,
    )
