"""The maturity method: dimensions, markers and thresholds, kept in one place.

Seed 004 names four levels of CX management maturity; ``../shared/MATURITY.md`` maps
them to nine dimensions. Each dimension has *markers*: facts computed from the
organisation's own data (evidence) that show a level is reached. A marker belongs to the
level it evidences (2, 3 or 4; level 1 needs no evidence). Thresholds are defaults; the
report's methods appendix prints this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

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
    # D1 Listening mode
    Marker("d1_triggered_share", "D1", L2, S, gettext_noop("Responses from event-triggered invitations"), 0.50,
           must_have=True, action=gettext_noop("Add trigger rules so surveys follow customer events.")),
    Marker("d1_weeks_with_answers", "D1", L2, S, gettext_noop("Weeks of the period with answers"), 0.80,
           action=gettext_noop("Keep listening continuously: activate rules that fire every week.")),
    Marker("d1_triggered_share_l3", "D1", L3, S, gettext_noop("Responses from event-triggered invitations"), 0.70,
           must_have=True, action=gettext_noop("Move periodic and anonymous surveys to event triggers.")),
    Marker("d1_trigger_types", "D1", L3, C, gettext_noop("Event types triggering surveys on mapped touchpoints"),
           3, action=gettext_noop("Trigger surveys from at least three touchpoint events.")),
    Marker("d1_triggered_share_l4", "D1", L4, S, gettext_noop("Responses from event-triggered invitations"), 0.85,
           action=gettext_noop("Trigger surveys at every stage of every journey.")),
    # D2 Customer identification
    Marker("d2_identified_share", "D2", L2, S, gettext_noop("Responses linked to an identified customer"), 0.60,
           must_have=True, action=gettext_noop("Send events with the customer's id, not anonymous links.")),
    Marker("d2_attributes_per_customer", "D2", L2, C, gettext_noop("Background attributes per customer"), 2,
           action=gettext_noop("Post customer attributes (segment data) with events.")),
    Marker("d2_identified_share_l3", "D2", L3, S, gettext_noop("Responses linked to an identified customer"),
           0.80, must_have=True, action=gettext_noop("Identify respondents at every touchpoint.")),
    Marker("d2_multi_touchpoint_share", "D2", L3, S,
           gettext_noop("Identified respondents seen at 2+ touchpoints"), 0.25,
           action=gettext_noop("Use one customer id across channels and touchpoints.")),
    Marker("d2_identified_share_l4", "D2", L4, S, gettext_noop("Responses linked to an identified customer"),
           0.90, action=gettext_noop("Identify nearly every respondent.")),
    Marker("d2_sources", "D2", L4, C, gettext_noop("Systems whose events join on the customer"), 3,
           action=gettext_noop("Feed events from several systems under the same customer id.")),
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
    # D5 Closed loop
    Marker("d5_any_followup", "D5", L2, F, gettext_noop("Negative feedback gets follow-up cases"),
           must_have=True, action=gettext_noop("Turn on follow-up rules for detractors.")),
    Marker("d5_case_share", "D5", L3, S, gettext_noop("Negative responses with a follow-up case"), 0.70,
           must_have=True, action=gettext_noop("Open a case for every detractor (follow-up rules).")),
    Marker("d5_within_sla", "D5", L3, S, gettext_noop("Cases first handled within SLA"), 0.80,
           action=gettext_noop("Set an SLA for detractor follow-ups and work the queue daily.")),
    Marker("d5_root_cause", "D5", L3, S, gettext_noop("Closed cases with a root cause"), 0.90,
           action=gettext_noop("Record the root cause when closing cases.")),
    Marker("d5_within_sla_l4", "D5", L4, S, gettext_noop("Cases first handled within SLA"), 0.90,
           action=gettext_noop("Handle nine cases in ten within the SLA.")),
    Marker("d5_recovery_measured", "D5", L4, F, gettext_noop("Recovery surveys measure the loop"),
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
    # D8 Employees & leadership
    Marker("d8_employee_survey", "D8", L3, F, gettext_noop("Employee engagement survey answered"),
           must_have=True, action=gettext_noop("Start an employee pulse survey.")),
    Marker("d8_leadership_survey", "D8", L4, F, gettext_noop("Leadership survey answered"),
           must_have=True, action=gettext_noop("Run the leadership survey beside the CX surveys.")),
    # D9 Prediction & co-creation
    Marker("d9_deviation_alerts", "D9", L3, F, gettext_noop("Trend and deviation alerts in use"),
           must_have=True, action=gettext_noop("Turn on deviation alerts for touchpoint owners.")),
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
