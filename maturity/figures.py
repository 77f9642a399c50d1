"""The report's figures, read through the staff pages' own selectors.

Every number the report states about customers and cases comes from the selector the
staff pages use for the same definition (``insights.selectors.metric_rows`` for the
metrics, ``target_for`` for the targets set in the admin, ``followups.selectors`` for the
cases), over the assessment's period — so the PDF and the product cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from followups.selectors import followup_sla
from insights.metrics import DEFINITIONS, Counts, Kind, Metric
from insights.selectors import metric_counts, metric_total, target_for
from maturity.evidence import HEADLINE_WANTED
from maturity.models import Assessment

SHORT_NAMES = {
    Metric.NPS: "NPS",
    Metric.CSAT: "CSAT",
    Metric.CES: "CES",
    Metric.FCR: "FCR",
    Metric.RESPONSE_RATE: "",
}


def _number(value: float, kind: Kind) -> str:
    """Return ``value`` as the staff pages write it: NPS and shares whole, CES to 0.1."""
    places = 1 if kind is Kind.MEAN else 0
    # A minus sign, not a hyphen, as the dashboard and the report's charts write it.
    return number_format(round(value, places), places).replace("-", "−")


@dataclass(frozen=True)
class Headline:
    """One metric over the period: value, 95 % interval, n, target, change."""

    metric: Metric
    n: int
    value: float | None
    low: float | None
    high: float | None
    reason: str | None
    previous: float | None
    target: float | None

    @property
    def kind(self) -> Kind:
        return DEFINITIONS[self.metric].kind

    @property
    def name(self) -> str:
        return SHORT_NAMES[self.metric] or str(DEFINITIONS[self.metric].label)

    @property
    def label(self) -> str:
        return str(DEFINITIONS[self.metric].label)

    @property
    def unit(self) -> str:
        return " %" if self.kind is Kind.PROPORTION else ""

    @property
    def shown(self) -> str:
        return "–" if self.value is None else _number(self.value, self.kind) + self.unit

    @property
    def interval(self) -> str:
        if self.low is None or self.high is None:
            return ""
        return f"{_number(self.low, self.kind)}…{_number(self.high, self.kind)}"

    @property
    def target_shown(self) -> str:
        return (
            "" if self.target is None else _number(self.target, self.kind) + self.unit
        )

    @property
    def change(self) -> str:
        """Return the change since the last assessment's period, signed ("+4", "−2")."""
        if self.value is None or self.previous is None:
            return ""
        places = 1 if self.kind is Kind.MEAN else 0
        delta = round(self.value, places) - round(self.previous, places)
        sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
        return sign + _number(abs(delta), self.kind)


def headline_metrics(
    *, assessment: Assessment, previous: Assessment | None
) -> list[Headline]:
    """Return NPS, CSAT, CES, FCR and the response rate over the assessment's period.

    Counted as the dashboard counts them (``insights.selectors.metric_totals``, the
    ungrouped ``metric_rows``). An assessment stores its period's counts when it is
    computed (``evidence.gather``); one stored before that is counted now, with the
    last assessment's period, in one pass.
    """
    organization = assessment.organization
    wanted = HEADLINE_WANTED
    stored = {"now": _stored_counts(assessment)}
    periods = {"now": (assessment.period_start, assessment.period_end)}
    if previous is not None:
        stored["before"] = _stored_counts(previous)
        periods["before"] = (previous.period_start, previous.period_end)
    missing = {
        when: period
        for when, period in periods.items()
        if any(metric not in stored[when] for metric in wanted)
    }
    counted = (
        metric_counts(organization=organization, metrics_wanted=wanted, periods=missing)
        if missing
        else {}
    )
    for (when, metric), counts in counted.items():
        stored[when][metric] = counts
    headlines = []
    for metric in wanted:
        row = metric_total(metric, stored["now"][metric])
        earlier = stored.get("before", {}).get(metric)
        headlines.append(
            Headline(
                metric=metric,
                n=row.n,
                value=row.value,
                low=row.ci_low,
                high=row.ci_high,
                reason=row.reason,
                previous=None
                if earlier is None
                else metric_total(metric, earlier).value,
                target=target_for(organization=organization, metric=metric),
            )
        )
    return headlines


def _stored_counts(assessment: Assessment) -> dict[Metric, Counts]:
    """Return the headline counts the assessment stored ({} if computed before they were)."""
    stored = (assessment.result or {}).get("headline_counts") or {}
    return {Metric(metric): Counts(**counts) for metric, counts in stored.items()}


@dataclass(frozen=True)
class Share:
    """A share with the counts behind it, as the report prints it: "85 % (95 of 112)"."""

    successes: int
    trials: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.successes / self.trials) if self.trials else None

    def __str__(self) -> str:
        if not self.trials:
            return "–"
        return _("%(percent)s %% (%(count)s of %(total)s)") % {
            "percent": self.percent,
            "count": self.successes,
            "total": self.trials,
        }


@dataclass(frozen=True)
class Deadlines:
    cases: int
    closed: int
    first_action: Share
    closed_in_time: Share
    overdue: int


def deadlines(*, assessment: Assessment) -> Deadlines:
    """Return the period's cases against their deadline, both ways the queue measures."""
    counts = followup_sla(
        organization=assessment.organization,
        since=assessment.period_start,
        until=assessment.period_end,
    )
    return Deadlines(
        cases=counts["cases"],
        closed=counts["closed"],
        first_action=Share(
            counts["first_action_in_time"], counts["first_action_judged"]
        ),
        closed_in_time=Share(counts["closed_in_time"], counts["closed_judged"]),
        overdue=counts["overdue"],
    )
