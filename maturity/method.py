"""The maturity method: dimensions, markers and thresholds, kept in one place.

Seed 004 names four levels of CX management maturity; ``../shared/MATURITY.md`` maps
them to nine dimensions. Each dimension has *markers*: facts computed from the
organisation's own data (evidence) that show a level is reached. A marker belongs to the
level it evidences (2, 3 or 4; level 1 needs no evidence). Thresholds are defaults; the
report's methods appendix prints this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

from django.utils.translation import gettext_noop


class Level(IntEnum):
    TACTICAL = 1
    EVENT_DRIVEN = 2
    UNDERSTANDING_DRIVEN = 3
    PREDICTIVE = 4


LEVEL_NAMES = {
    Level.TACTICAL: gettext_noop("Tactically driven"),
    Level.EVENT_DRIVEN: gettext_noop("Event-driven"),
    Level.UNDERSTANDING_DRIVEN: gettext_noop("Understanding-driven"),
    Level.PREDICTIVE: gettext_noop("Predictive"),
}


class Kind(StrEnum):
    SHARE = "share"  # a proportion 0…1 from counts: soft threshold, Beta uncertainty
    COUNT = "count"  # a whole number: soft threshold
    FLAG = "flag"  # yes / no


@dataclass(frozen=True)
class Dimension:
    key: str
    name: str
    core_from: Level | None  # the lowest gated level for which this dimension is core


@dataclass(frozen=True)
class Marker:
    key: str
    dimension: str
    level: Level
    kind: Kind
    label: str
    threshold: float = 1.0  # for SHARE (0…1) and COUNT; FLAG needs 1 (yes)
    must_have: bool = False
    action: str = ""  # what to do in the product to meet it (shown in recommendations)


DIMENSIONS = (
    Dimension("D1", gettext_noop("Listening mode"), Level.EVENT_DRIVEN),
    Dimension("D2", gettext_noop("Customer identification"), Level.EVENT_DRIVEN),
    Dimension(
        "D3", gettext_noop("Journey & touchpoint coverage"), Level.UNDERSTANDING_DRIVEN
    ),
    Dimension(
        "D4", gettext_noop("Segmentation & analysis"), Level.UNDERSTANDING_DRIVEN
    ),
    Dimension("D5", gettext_noop("Closed loop"), Level.UNDERSTANDING_DRIVEN),
    Dimension(
        "D6", gettext_noop("Real-time sharing & integration"), Level.EVENT_DRIVEN
    ),
    Dimension("D7", gettext_noop("Governance & ownership"), Level.UNDERSTANDING_DRIVEN),
    Dimension("D8", gettext_noop("Employees & leadership"), Level.PREDICTIVE),
    Dimension("D9", gettext_noop("Prediction & co-creation"), Level.PREDICTIVE),
)
DIMENSION_BY_KEY = {dimension.key: dimension for dimension in DIMENSIONS}

L2, L3, L4 = Level.EVENT_DRIVEN, Level.UNDERSTANDING_DRIVEN, Level.PREDICTIVE
S, C, F = Kind.SHARE, Kind.COUNT, Kind.FLAG

MARKERS = (
    # D1 Listening mode. Only live answers count: imported history is a claim (HISTORY_CLAIMS).
    Marker("d1_triggered_share", "D1", L2, S, gettext_noop("Responses from event-triggered invitations"), 0.50,
           must_have=True, action=gettext_noop("Add trigger rules so surveys follow customer events.")),
    Marker("d1_weeks_with_answers", "D1", L2, S, gettext_noop("Weeks of the period with answers"), 0.80,
           action=gettext_noop("Keep listening continuously: activate rules that fire every week.")),
    Marker("d1_triggered_share_l3", "D1", L3, S, gettext_noop("Responses from event-triggered invitations"), 0.70,
           must_have=True, action=gettext_noop("Move periodic and anonymous surveys to event triggers.")),
    Marker("d1_trigger_types", "D1", L3, C, gettext_noop("Event types triggering surveys on mapped touchpoints"),
           3, action=gettext_noop("Trigger surveys from at least three touchpoint events.")),
    Marker("d1_triggered_share_l4", "D1", L4, S, gettext_noop("Responses from event-triggered invitations"), 0.85,
           action=gettext_noop("Move the remaining list and link surveys to event triggers.")),
    Marker("d1_journey_stages_triggered", "D1", L4, S,
           gettext_noop("Touchpoints of the least covered journey with event-triggered answers"), 0.80,
           must_have=True, action=gettext_noop("Trigger surveys at every stage of every journey.")),
    # D2 Customer identification: the identified share once; recognition is its own fact.
    Marker("d2_identified_share", "D2", L2, S, gettext_noop("Responses linked to an identified customer"), 0.60,
           must_have=True, action=gettext_noop("Send events with the customer's id, not anonymous links.")),
    Marker("d2_attributes_per_customer", "D2", L2, C, gettext_noop("Background attributes per customer"), 2,
           action=gettext_noop("Post customer attributes (segment data) with events.")),
    Marker("d2_multi_touchpoint_share", "D2", L3, S,
           gettext_noop("Identified respondents recognised at 2+ touchpoints"), 0.25, must_have=True,
           action=gettext_noop("Use one customer id across channels and touchpoints.")),
    Marker("d2_multi_channel_share", "D2", L4, S,
           gettext_noop("Identified respondents recognised in 2+ channels"), 0.25, must_have=True,
           action=gettext_noop("Recognise the customer in every channel: web, chat, phone, email.")),
    Marker("d2_sources", "D2", L4, C, gettext_noop("Systems whose events join on the customer"), 3,
           must_have=True, action=gettext_noop("Feed events from several systems under the same customer id.")),
    # D3 Journey & touchpoint coverage
    Marker("d3_touchpoints_exist", "D3", L2, F, gettext_noop("Touchpoints are mapped"),
           must_have=True, action=gettext_noop("Map a journey and its touchpoints.")),
    Marker("d3_best_journey_coverage", "D3", L3, S,
           gettext_noop("Instrumented touchpoints of the best journey"), 0.60, must_have=True,
           action=gettext_noop("Add trigger rules at the journey's uninstrumented touchpoints.")),
    Marker("d3_all_journeys_coverage", "D3", L4, S,
           gettext_noop("Instrumented touchpoints of the least covered journey"), 0.80,
           action=gettext_noop("Instrument every journey to 80 per cent of its touchpoints.")),
    # D4 Segmentation & analysis
    Marker("d4_segments_reportable", "D4", L2, C, gettext_noop("Segments with enough answers to report"), 1,
           must_have=True, action=gettext_noop("Define segments from customer attributes.")),
    Marker("d4_cells_reportable", "D4", L3, S, gettext_noop("Segment × touchpoint cells at minimum sample"), 0.50,
           action=gettext_noop("Collect enough answers per segment at each touchpoint.")),
    Marker("d4_targeting", "D4", L3, F, gettext_noop("Rules or questions use segments or earlier answers"),
           action=gettext_noop("Target a rule or a question on a segment or an earlier answer.")),
    Marker("d4_predictions", "D4", L4, F, gettext_noop("Predictions per segment in use"),
           action=gettext_noop("Use a validated prediction per segment.")),
    # D5 Closed loop: what people did with the cases, not what the product opened.
    Marker("d5_staff_worked", "D5", L2, F, gettext_noop("Staff worked follow-up cases"),
           must_have=True, action=gettext_noop("Start and close follow-up cases in the queue.")),
    Marker("d5_case_share", "D5", L2, S, gettext_noop("Negative answers of known customers with a case"), 0.20,
           action=gettext_noop("Turn on follow-up rules for detractors.")),
    Marker("d5_followed_up", "D5", L3, S,
           gettext_noop("Negative answers of known customers followed up by staff"), 0.70, must_have=True,
           action=gettext_noop("Work every case in the follow-up queue, not only some.")),
    Marker("d5_within_sla", "D5", L3, S, gettext_noop("Cases staff started within the SLA"), 0.80,
           must_have=True, action=gettext_noop("Work the follow-up queue daily: start each case within the SLA.")),
    Marker("d5_root_cause", "D5", L3, S, gettext_noop("Cases closed or past their SLA with a root cause recorded"), 0.90,
           action=gettext_noop("Close cases with their root cause and the action taken.")),
    Marker("d5_closed_within_sla", "D5", L4, S, gettext_noop("Cases closed by staff within the SLA"), 0.90,
           must_have=True, action=gettext_noop("Close nine cases in ten within the SLA.")),
    Marker("d5_recovery_measured", "D5", L4, S,
           gettext_noop("Closed cases of known customers with recovery measured"), 0.50, must_have=True,
           action=gettext_noop("Send a recovery survey when closing a case.")),
    # D6 Real-time sharing & integration
    Marker("d6_dashboard_viewed", "D6", L2, F, gettext_noop("Results viewed in the central dashboard"),
           must_have=True, action=gettext_noop("Open the dashboard and share it with the CX team.")),
    Marker("d6_api_event_types", "D6", L3, C, gettext_noop("Event types arriving by API"), 2,
           action=gettext_noop("Integrate two or more systems through the event API.")),
    Marker("d6_viewers_beyond_cx", "D6", L3, C, gettext_noop("Staff beyond the CX team who viewed results"), 1,
           action=gettext_noop("Give executives and owners access to the dashboard.")),
    Marker("d6_active_webhooks", "D6", L4, C, gettext_noop("Webhooks delivering feedback into other systems"), 1,
           action=gettext_noop("Add a webhook so feedback flows into other systems' workflows.")),
    # D7 Governance & ownership
    Marker("d7_owner_set", "D7", L2, F, gettext_noop("A central owner of CX reporting"),
           must_have=True, action=gettext_noop("Name the organisation's CX owner.")),
    Marker("d7_owned_share", "D7", L3, S, gettext_noop("Journeys and touchpoints with an owner"), 0.80,
           must_have=True, action=gettext_noop("Give every journey and touchpoint an owner.")),
    Marker("d7_targets_set", "D7", L3, F, gettext_noop("CX targets set"), action=gettext_noop("Set score targets.")),
    Marker("d7_targets_in_management", "D7", L4, F, gettext_noop("CX targets in management's goals"),
           action=gettext_noop("Make CX targets part of management's goals and follow-up.")),
    # D8 Employees & leadership. Level 2 (seed 004): reporting is central, people read it.
    Marker("d8_results_read_weekly", "D8", L2, S, gettext_noop("Weeks in which staff read the customer results"),
           0.50, must_have=True, action=gettext_noop("Read the dashboard with the team every week.")),
    Marker("d8_employee_survey", "D8", L3, F, gettext_noop("Employee engagement survey answered"),
           must_have=True, action=gettext_noop("Start an employee pulse survey.")),
    Marker("d8_leadership_survey", "D8", L4, F, gettext_noop("Leadership survey answered"),
           must_have=True, action=gettext_noop("Run the leadership survey beside the CX surveys.")),
    # D9 Prediction & co-creation. Level 2 (seed 004): continuous company-level measurement,
    # a trend to learn from; level 3: deviations on touchpoints are seen and reach an owner.
    Marker("d9_trend_measured", "D9", L2, S,
           gettext_noop("Four-week spans of the period with a reportable score"), 0.75, must_have=True,
           action=gettext_noop("Collect enough answers every month for a trend (30 or more).")),
    Marker("d9_deviations_watched", "D9", L3, S,
           gettext_noop("Answered touchpoints watched for deviations (enough answers and an owner)"), 0.60,
           must_have=True,
           action=gettext_noop("Give busy touchpoints an owner, who receives their deviation alerts.")),
    Marker("d9_validated_prediction", "D9", L4, F, gettext_noop("A validated prediction in use"),
           must_have=True, action=gettext_noop("Validate a detractor-risk prediction against a holdout.")),
)  # fmt: skip
MARKER_BY_KEY = {marker.key: marker for marker in MARKERS}

# The self-assessment's four anchored steps, never "rate yourself 1–10".
SELF_ASSESSMENT_STEPS = {
    1: gettext_noop("Undeveloped"),
    2: gettext_noop("Ad hoc"),
    3: gettext_noop("Repeatable"),
    4: gettext_noop("Systematic"),
}

MONTE_CARLO_DRAWS = 2000
MONTE_CARLO_SEED = 20261122
MIN_EVENTS_FOR_EVIDENCE = 30
# The confidence labels are stored in English and translated where shown.
CONFIDENCE_LABELS = (gettext_noop("High"), gettext_noop("Medium"), gettext_noop("Low"))
CONFIDENCE_HIGH = 0.8
CONFIDENCE_MEDIUM = 0.6
COVERAGE_FOR_HIGH_CONFIDENCE = 0.6
ATTAIN_AVERAGE = 0.75
MUST_HAVE_MINIMUM = 0.5

# History. The period starts no earlier than the organisation's first live data (an
# answer or an event): the weeks before it are not silent weeks. A history shorter than
# these caps the confidence label; it never lowers the level by itself.
HISTORY_WEEKS_FOR_MEDIUM = 6
HISTORY_WEEKS_FOR_HIGH = 12
# D9's trend: the period is cut into spans of this many days from its end, and a span
# counts when it holds a reportable number of answers (``REPORTABLE_N``).
TREND_SPAN_DAYS = 28
REPORTABLE_N = 30
# Imported history is self-reported evidence about the past: it never counts as the
# product's triggers or identification, and speaks only as a claim of at most this level
# (level 2 when most imported answers were labelled event-triggered or were identified),
# blended like one self-assessment item.
HISTORY_CLAIM_LEVEL = 2
HISTORY_CLAIM_SHARE = 0.5

# Self-assessment: what data cannot show (culture, leadership, customer involvement),
# each item answered on the four anchored steps above. (item key, dimension, statement)
SELF_ASSESSMENT_ITEMS = (
    ("listening_continuous", "D1", gettext_noop("We listen to customers at their moments of truth, all year.")),
    ("identify_across", "D2", gettext_noop("We recognise the same customer across channels and touchpoints.")),
    ("journeys_mapped", "D3", gettext_noop("Our key journeys and touchpoints are mapped and maintained.")),
    ("segments_used", "D4", gettext_noop("We analyse feedback by customer segment and act on the differences.")),
    ("loop_closed", "D5", gettext_noop("Every unhappy customer is contacted and the cause is fixed.")),
    ("results_shared", "D6", gettext_noop("Feedback reaches those who can act on it, in real time.")),
    ("cx_targets", "D7", gettext_noop("CX targets are part of management's targets and rewards.")),
    ("cx_owner", "D7", gettext_noop("One person owns the customer experience as a whole.")),
    ("employees_measured", "D8", gettext_noop("Employee engagement is measured alongside customer experience.")),
    ("leadership_measured", "D8", gettext_noop("Leadership is measured and developed with CX in mind.")),
    ("customers_cocreate", "D9", gettext_noop("Customers take part in developing our services.")),
    ("predict_next_step", "D9", gettext_noop("We predict customers' next steps and act before they ask.")),
)  # fmt: skip
SELF_ASSESSMENT_ITEM_KEYS = tuple(item[0] for item in SELF_ASSESSMENT_ITEMS)

# The method in words, step by step: the report's methods appendix prints these in the
# reader's language (the docstrings of ``scoring`` and ``evidence`` say the same).
METHOD_STEPS = (
    gettext_noop(
        "The period runs from the organisation's first live answer, at most 90 days "
        "back, to the assessment: weeks before any data are not silent weeks. Imported "
        "history is kept apart: it never counts as the product's triggers, identification "
        "or loop, and speaks only as a claim about the past (at most level 2 for listening "
        "and identification), weighed like one self-assessment item."
    ),
    gettext_noop(
        "Each marker is measured from the organisation's own data over the period and "
        "scores 0–1: a share scores fully at its threshold and softly below it (zero at "
        "the threshold minus a tenth of it, at least 5 points), a count scores value ÷ "
        "threshold, a yes/no marker 0 or 1."
    ),
    gettext_noop(
        "Every dimension has markers at every level, so a dimension where the "
        "organisation does nothing scores 1. Listening at level 4 means event-triggered "
        "answers at the stages of every journey, not only a high share of triggered "
        "answers. Identification counts the identified share once (level 2); recognising "
        "the same customer at two or more touchpoints (level 3) and in two or more "
        "channels, with events from several systems joined on the customer (level 4), "
        "are facts of their own."
    ),
    gettext_noop(
        "The closed loop is scored on what staff did: cases worked at all (level 2); "
        "seven in ten negative answers of known customers followed up, cases started "
        "within the SLA, and cases closed or past the SLA with a root cause (level 3); "
        "cases closed within the SLA with recovery measured (level 4). The share of "
        "negative answers with a case shows the product's policy and counts at level 2 "
        "only; anonymous answers open no case and are not counted as waiting for one."
    ),
    gettext_noop(
        "Employees and leadership: level 2 is customer results read in at least half of "
        "the weeks, level 3 an employee survey, level 4 a leadership survey beside it. "
        "Prediction: level 2 is a reportable score (30 answers) in each four-week span, "
        "a trend; level 3 is answered touchpoints with enough answers and an owner who "
        "receives their deviation alerts; level 4 a validated prediction in use."
    ),
    gettext_noop(
        "A dimension reaches a level when its markers up to that level average at least "
        "0.75, the level's own markers average at least 0.5 and none of its must-have "
        "markers scores below 0.5. Its score is the level reached plus the progress "
        "toward the next."
    ),
    gettext_noop(
        "The self-assessment is blended in by how much of the dimension the data covers. "
        "Where the data cannot judge a level at all (a validated prediction), the "
        "self-assessment decides it. A claim a level or more above what the data shows "
        "is flagged and capped at the evidence plus half a level."
    ),
    gettext_noop("The index is the mean of the nine dimension scores (equal weights)."),
    gettext_noop(
        "The organisation is at level k when the index is at least k and every core "
        "dimension of level k scores at least k. Core: level 2 D1, D2, D6; level 3 adds "
        "D3, D4, D5, D7; level 4 adds D8, D9."
    ),
    gettext_noop(
        "Confidence: every share is redrawn 2,000 times from its Beta posterior (fixed "
        "seed); the share of draws giving the reported level is the confidence: High ≥ "
        "0.8, Medium ≥ 0.6, otherwise Low; at most Medium when under 60 % of markers rest "
        "on data. Shares resting on fewer than 30 observations are marked insufficient."
    ),
    gettext_noop(
        "A short history lowers the confidence, never the level: under 6 weeks of data "
        "the confidence is at most Low, under 12 weeks at most Medium, and the report "
        "says so."
    ),
)


def confidence_reason_text(reason: Mapping[str, Any]) -> str:
    """Return why the confidence label was capped, in the active language."""
    from django.utils.translation import gettext, ngettext

    if reason.get("code") == "short_history":
        weeks, days = int(reason["weeks"]), int(reason["days"])
        if days >= 7:
            span = ngettext(
                "only %(count)d week of data", "only %(count)d weeks of data", weeks
            ) % {"count": weeks}
        else:
            span = ngettext(
                "only %(count)d day of data", "only %(count)d days of data", days
            ) % {"count": days}
        return gettext(
            "Confidence lowered: %(span)s. The level stands; confidence can reach Medium "
            "after %(medium)d weeks and High after %(high)d weeks of data."
        ) % {
            "span": span,
            "medium": HISTORY_WEEKS_FOR_MEDIUM,
            "high": HISTORY_WEEKS_FOR_HIGH,
        }
    if reason.get("code") == "coverage":
        return gettext(
            "Confidence at most Medium: only %(percent)d %% of the markers rest on data; "
            "the self-assessment speaks for the rest."
        ) % {"percent": round(100 * float(reason["coverage"]))}
    return ""
