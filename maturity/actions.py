"""What to do next, how long it takes, and the page where it is done.

An unmet marker becomes an *action*: the marker's own text (``method.MARKERS``), an
effort (a quick win done in an afternoon, work of weeks, a programme of months) and the
staff or admin page where it is done. The page's "top three" and the report's roadmap are
ordered by what each action unblocks first (a must-have of a dimension that holds the
organisation back), then by effort: quick wins lead, and nothing done in minutes is left
for twelve months.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from maturity.method import MARKER_BY_KEY


class Effort(IntEnum):
    QUICK = 1  # an afternoon in the admin
    WEEKS = 2  # an integration, a segment model, a habit in the team
    MONTHS = 3  # a programme: surveys of staff, a validated prediction


EFFORT_LABELS = {
    Effort.QUICK: gettext_noop("Quick win"),
    Effort.WEEKS: gettext_noop("Weeks"),
    Effort.MONTHS: gettext_noop("Months"),
}
# When the roadmap schedules an action of each effort.
HORIZONS = {
    Effort.QUICK: gettext_noop("Next 90 days"),
    Effort.WEEKS: gettext_noop("Within 6 months"),
    Effort.MONTHS: gettext_noop("Within 12 months"),
}


@dataclass(frozen=True)
class Where:
    effort: Effort
    url_name: str
    text: str = ""  # replaces the marker's action text when that one misleads


# Marker key → effort and page. A marker not listed falls back to its dimension's row.
WHERE = {
    "d1_triggered_share": Where(Effort.QUICK, "admin:surveys_triggerrule_add"),
    "d1_weeks_with_answers": Where(Effort.QUICK, "admin:surveys_triggerrule_changelist"),
    "d1_triggered_share_l3": Where(Effort.WEEKS, "admin:surveys_triggerrule_changelist"),
    "d1_trigger_types": Where(Effort.QUICK, "admin:surveys_triggerrule_add"),
    "d1_triggered_share_l4": Where(Effort.WEEKS, "admin:cx_journey_changelist"),
    "d1_journey_stages_triggered": Where(Effort.WEEKS, "admin:surveys_triggerrule_add"),
    "d2_identified_share": Where(Effort.WEEKS, "admin:cx_apikey_changelist"),
    "d2_attributes_per_customer": Where(Effort.WEEKS, "admin:cx_apikey_changelist"),
    "d2_multi_touchpoint_share": Where(Effort.WEEKS, "admin:cx_customer_changelist"),
    "d2_multi_channel_share": Where(Effort.MONTHS, "admin:cx_customer_changelist"),
    "d2_sources": Where(Effort.MONTHS, "admin:cx_apikey_changelist"),
    "d3_touchpoints_exist": Where(Effort.QUICK, "admin:cx_journey_add"),
    "d3_best_journey_coverage": Where(Effort.QUICK, "admin:surveys_triggerrule_add"),
    "d3_all_journeys_coverage": Where(Effort.WEEKS, "admin:surveys_triggerrule_add"),
    "d4_segments_reportable": Where(Effort.QUICK, "admin:cx_segment_add"),
    "d4_cells_reportable": Where(Effort.WEEKS, "insights:dashboard"),
    "d4_targeting": Where(Effort.QUICK, "admin:surveys_triggerrule_changelist"),
    "d4_predictions": Where(Effort.MONTHS, "predictions:models"),
    "d5_staff_worked": Where(Effort.QUICK, "followups:queue"),
    "d5_case_share": Where(Effort.QUICK, "admin:followups_followuppolicy_changelist"),
    "d5_within_sla": Where(Effort.WEEKS, "followups:queue"),
    "d5_root_cause": Where(Effort.WEEKS, "followups:queue"),
    "d5_followed_up": Where(Effort.WEEKS, "followups:queue"),
    "d5_closed_within_sla": Where(Effort.WEEKS, "followups:queue"),
    "d5_recovery_measured": Where(Effort.QUICK, "admin:followups_followuppolicy_changelist"),
    "d6_dashboard_viewed": Where(Effort.QUICK, "insights:dashboard"),
    "d6_api_event_types": Where(Effort.WEEKS, "admin:cx_apikey_add"),
    "d6_viewers_beyond_cx": Where(Effort.QUICK, "admin:cx_membership_add"),
    "d6_active_webhooks": Where(Effort.QUICK, "admin:webhooks_webhookendpoint_add"),
    "d7_owner_set": Where(Effort.QUICK, "admin:cx_organization_changelist"),
    "d7_owned_share": Where(Effort.QUICK, "admin:cx_touchpoint_changelist"),
    "d7_targets_set": Where(Effort.QUICK, "admin:insights_metrictarget_add"),
    "d7_targets_in_management": Where(Effort.WEEKS, "admin:insights_metrictarget_changelist"),
    "d8_results_read_weekly": Where(Effort.QUICK, "insights:dashboard"),
    "d8_employee_survey": Where(Effort.MONTHS, "admin:surveys_survey_add"),
    "d8_leadership_survey": Where(Effort.MONTHS, "admin:surveys_survey_add"),
    # Deviation alerts run every day by themselves and go to touchpoint owners: there
    # is no switch to turn on, so the action is to give the alerts someone to reach.
    "d9_trend_measured": Where(Effort.WEEKS, "admin:surveys_triggerrule_changelist"),
    "d9_deviations_watched": Where(
        Effort.QUICK,
        "admin:cx_touchpoint_changelist",
        gettext_noop(
            "Make sure each touchpoint has an owner who acts on the daily deviation "
            "alerts."
        ),
    ),
    "d9_validated_prediction": Where(Effort.MONTHS, "predictions:models"),
}  # fmt: skip
BY_DIMENSION = {
    "D1": Where(Effort.QUICK, "admin:surveys_triggerrule_changelist"),
    "D2": Where(Effort.WEEKS, "admin:cx_customer_changelist"),
    "D3": Where(Effort.QUICK, "admin:cx_journey_changelist"),
    "D4": Where(Effort.WEEKS, "admin:cx_segment_changelist"),
    "D5": Where(Effort.WEEKS, "followups:queue"),
    "D6": Where(Effort.WEEKS, "insights:dashboard"),
    "D7": Where(Effort.QUICK, "admin:insights_metrictarget_changelist"),
    "D8": Where(Effort.MONTHS, "admin:surveys_survey_changelist"),
    "D9": Where(Effort.MONTHS, "insights:dashboard"),
}


@dataclass(frozen=True)
class Action:
    text: str  # translated
    dimension: str
    marker: str
    effort: Effort
    url: str
    unblocks: bool  # a marker of a dimension that holds the organisation back

    @property
    def effort_label(self) -> str:
        return _(EFFORT_LABELS[self.effort])

    @property
    def horizon(self) -> str:
        return _(HORIZONS[self.effort])


def _url(url_name: str) -> str:
    try:
        return reverse(url_name)
    except NoReverseMatch:  # an app left out of this installation
        return reverse("maturity:page")


def _blocking(result: Mapping[str, Any]) -> set[str]:
    return {str(blocker).split(" ", 1)[0] for blocker in result.get("held_back_by", [])}


def _next_step(markers: Iterable[Mapping[str, Any]], level: int) -> bool:
    """Return whether every marker below ``level`` is met: one at ``level`` is then the
    dimension's next step up, even above the next level (a dimension that meets its
    evidence but is held back by its self-assessment rises only through it)."""
    return all(marker.get("met") for marker in markers if marker["level"] < level)


def actions(result: Mapping[str, Any], *, limit: int | None = None) -> list[Action]:
    """Return the unmet markers as actions, what unblocks the next level first.

    Order: actions on a blocking dimension before others, then must-haves, then by
    effort (quick wins first), then by level; an action's text appears once.
    """
    level = int(result.get("level") or 1)
    next_level = min(level + 1, 4)
    blocking = _blocking(result)
    found: list[tuple[tuple[Any, ...], Action]] = []
    for dimension in result.get("dimensions", []):
        for marker in dimension.get("markers", []):
            if marker.get("met"):
                continue
            defined = MARKER_BY_KEY.get(marker["key"])
            where = WHERE.get(marker["key"]) or BY_DIMENSION[dimension["key"]]
            text = where.text or (defined.action if defined else "")
            if not text:
                continue
            unblocks = dimension["key"] in blocking and (
                marker["level"] <= next_level
                or _next_step(dimension["markers"], marker["level"])
            )
            action = Action(
                text=_(text),
                dimension=dimension["key"],
                marker=marker["key"],
                effort=where.effort,
                url=_url(where.url_name),
                unblocks=unblocks,
            )
            key = (
                not unblocks,
                marker["level"] > next_level,
                not marker.get("must_have"),
                where.effort,
                marker["level"],
            )
            found.append((key, action))
    found.sort(key=lambda pair: pair[0])
    ordered: list[Action] = []
    for _key, action in found:
        if all(action.text != seen.text for seen in ordered):
            ordered.append(action)
    return ordered if limit is None else ordered[:limit]


def timeline(
    found: Iterable[Action], *, per_horizon: int = 4
) -> list[tuple[str, list[Action]]]:
    """Return one roadmap: horizons in order, each with its actions by effect.

    A horizon is set by effort, so quick wins come first and nothing done in an
    afternoon waits a year; within it, what unblocks the next level leads.
    """
    by_effort: dict[Effort, list[Action]] = {effort: [] for effort in Effort}
    for action in found:
        if len(by_effort[action.effort]) < per_horizon:
            by_effort[action.effort].append(action)
    return [
        (_(HORIZONS[effort]), listed) for effort, listed in by_effort.items() if listed
    ]
