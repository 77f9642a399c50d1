"""The executive report: an assessment rendered to PDF with WeasyPrint.

Nothing in the report is fetched: the HTML is rendered from the stored assessment (and,
for the closed loop's current state and the names on the journey heatmap, a few reads of
the organisation's own rows), charts are inline SVG drawn by the same code as the
dashboard's, the stylesheet is read from ``static/maturity/report.css``, and the URL
fetcher refuses every URL — so no respondent or staff text can make WeasyPrint reach a
file or a server. Names and texts reach the HTML through Django's autoescaping and the
SVG through ``cx.svg``'s escaping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from followups.models import FollowUp, RootCause
from followups.selectors import followup_counts
from insights import charts as insight_charts
from insights.dashboard import nps_heatmap, segment_heatmap
from insights.selectors import min_sample
from maturity import charts
from maturity.method import (
    DIMENSIONS,
    LEVEL_NAMES,
    MARKERS,
    METHOD_STEPS,
    Level,
    confidence_reason_text,
)
from maturity.models import Assessment
from maturity.scoring import score_shown
from maturity.selectors import previous_assessment

STYLESHEET = Path(settings.BASE_DIR) / "static" / "maturity" / "report.css"
REPORT_LANGUAGES = ("fi", "sv", "en")


def refuse_every_url(
    url: str, timeout: int = 10, ssl_context: Any = None
) -> dict[str, Any]:
    """WeasyPrint URL fetcher that fetches nothing (the report is self-contained)."""
    raise ValueError(f"The report does not load external resources ({url[:80]!r}).")


@dataclass(frozen=True)
class Roadmap:
    days_90: list[str]
    months_6: list[str]
    months_12: list[str]


def _level_name(level: int) -> str:
    return _(LEVEL_NAMES[Level(level)])


def _blockers(result: dict[str, Any]) -> list[str]:
    """Return what holds the organisation back, in the report's language.

    The stored result names them in English ("D6 Real-time sharing … (2.5)", "index
    (2.8)"); the dimension key and score are read back and the name translated.
    """
    names = {d["key"]: d["name"] for d in result["dimensions"]}
    shown = []
    for blocker in result["held_back_by"]:
        key, rest = blocker.split(" ", 1)
        score = rest[rest.rfind("(") :]
        if key in names:
            shown.append(f"{key} {_(names[key])} {score}")
        else:
            shown.append(f"{_('index')} {score}")
    return shown


def _roadmap(result: dict[str, Any]) -> Roadmap:
    """Return actions in three horizons: unblock the next level, complete it, go beyond."""
    level = int(result["level"])
    next_level = min(level + 1, 4)
    blocking = {blocker.split(" ", 1)[0] for blocker in result["held_back_by"]}
    now: list[str] = []
    soon: list[str] = []
    later: list[str] = []
    for dimension in result["dimensions"]:
        for marker in dimension["markers"]:
            if marker["met"]:
                continue
            action = _(next(m.action for m in MARKERS if m.key == marker["key"]))
            if marker["level"] <= next_level and dimension["key"] in blocking:
                target = now
            elif marker["level"] <= next_level:
                target = soon
            else:
                target = later
            if action and action not in target and action not in now + soon:
                target.append(action)
    return Roadmap(days_90=now[:6], months_6=soon[:6], months_12=later[:6])


def _findings(result: dict[str, Any], previous: Assessment | None) -> list[str]:
    """Return the three findings an executive most needs to read."""
    findings = []
    level_name = _level_name(int(result["level"]))
    if result["held_back_by"]:
        findings.append(
            _("You operate at level %(level)s, %(name)s. Held back from the next level by: "
              "%(blockers)s.")
            % {"level": result["level"], "name": level_name,
               "blockers": ", ".join(_blockers(result)[:3])}
        )  # fmt: skip
    else:
        findings.append(
            _("You operate at level %(level)s, %(name)s.")
            % {"level": result["level"], "name": level_name}
        )
    overclaims = [d for d in result["dimensions"] if d["overclaim"]]
    if overclaims:
        findings.append(
            _(
                "Your self-assessment is a level or more above the evidence in: %(names)s."
            )
            % {"names": ", ".join(_(d["name"]) for d in overclaims)}
        )
    strongest = max(result["dimensions"], key=lambda d: d["score"])
    findings.append(
        _("Strongest dimension: %(name)s (%(score).1f).")
        % {"name": _(strongest["name"]), "score": score_shown(strongest["score"])}
    )
    if previous is not None and previous.index is not None:
        change = float(result["index"]) - float(previous.index)
        findings.append(
            _("Index %(index).1f, %(change)+.1f since %(date)s.")
            % {"index": score_shown(float(result["index"])), "change": change,
               "date": previous.period_end.strftime("%Y-%m-%d")}
        )  # fmt: skip
    return findings[:3] if previous is None else [findings[0], *findings[-2:]]


@dataclass(frozen=True)
class Share:
    """A share with the counts behind it, as the report prints it: "85 % (95 of 112)"."""

    successes: int
    trials: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.successes / self.trials) if self.trials else None


@dataclass(frozen=True)
class RootCauseCount:
    label: str
    count: int
    share: Share


def _marker_share(result: dict[str, Any], key: str) -> Share:
    """Return a stored share marker's counts (0 of 0 when it was not computable)."""
    marker = next(
        m for d in result["dimensions"] for m in d["markers"] if m["key"] == key
    )
    return Share(int(marker.get("successes") or 0), int(marker.get("trials") or 0))


def closed_loop(*, assessment: Assessment) -> dict[str, Any]:
    """Return the closed loop's figures over the period and its state today.

    The period's shares come from the stored D5 markers; its cases are those opened in
    it, as in those markers, and their root causes and recoveries take one grouped
    query and one count. Today's open, overdue and closed cases and the recovery rate
    are ``followup_counts``.
    """
    organization = assessment.organization
    result = assessment.result
    negative = _marker_share(result, "d5_case_share")
    within_sla = _marker_share(result, "d5_within_sla")
    with_cause = _marker_share(result, "d5_root_cause")
    cases = FollowUp.objects.for_organization(organization).filter(
        opened_at__gte=assessment.period_start, opened_at__lt=assessment.period_end
    )
    by_cause = list(
        cases.filter(state=FollowUp.State.CLOSED)
        .values_list("root_cause")
        .annotate(n=Count("pk"))
        .order_by("-n", "root_cause")
    )
    closed = sum(n for _, n in by_cause)
    labels = dict(RootCause.choices)
    recovered = cases.filter(recovered=True).count()
    funnel = insight_charts.funnel(
        [
            (_("Negative answers"), negative.trials),
            (_("Got a case"), negative.successes),
            (_("Case closed"), closed),
            (_("Recovered"), recovered),
        ],
        title=_("From negative answers to recovered customers"),
    )
    return {
        "negative": negative,
        "within_sla": within_sla,
        "with_cause": with_cause,
        "root_causes": [
            RootCauseCount(str(labels.get(cause, cause)), n, Share(n, closed))
            for cause, n in by_cause[:3]
        ],
        "recovered": Share(recovered, closed),
        "now": followup_counts(organization=organization),
        "funnel": funnel if negative.trials or closed else "",
    }


def journey_heatmap(*, assessment: Assessment) -> dict[str, Any]:
    """Return the touchpoint × segment NPS heatmap over the assessment's period.

    The assessment stored the period's cells (the scan of segment snapshots that D4
    counts also counts their NPS); the chart is drawn as the dashboard's
    (``insights.dashboard.segment_heatmap``) draws it. An assessment stored before the
    cells were gets the dashboard's own chart over its period's length, a window that
    ends now. An empty chart (no answer with a segment at a touchpoint) is left out for
    a sentence saying so.
    """
    organization = assessment.organization
    cells = assessment.result.get("nps_by_touchpoint_and_segment")
    if cells is not None:
        svg = nps_heatmap(organization=organization, cells=cells)
        since, until = assessment.period_start, assessment.period_end
    else:
        days = max(
            1,
            math.ceil(
                (assessment.period_end - assessment.period_start) / timedelta(days=1)
            ),
        )
        svg = segment_heatmap(organization=organization, days=days)
        until = datetime.now(tz=organization.tzinfo)
        since = until - timedelta(days=days)
    empty = "<desc></desc>" in svg  # cx.svg.document describes every cell it draws
    return {
        "svg": "" if empty else svg,
        "since": since,
        "until": until,
        "min_n": min_sample(),
    }


def report_context(*, assessment: Assessment) -> dict[str, Any]:
    """Return everything the report template shows, computed from the stored result."""
    result = assessment.result
    previous = previous_assessment(assessment=assessment)
    previous_scores = {
        d["key"]: d["score"]
        for d in (previous.result.get("dimensions", []) if previous else [])
    }
    level = int(result["level"])
    target = float(min(level + 1, 4))
    names = {d.key: _(d.name) for d in DIMENSIONS}
    dimensions = result["dimensions"]
    bars = charts.dimension_bars(
        [
            charts.DimensionBar(
                label=f"{d['key']} {names[d['key']]}",
                score=d["score"],
                previous=previous_scores.get(d["key"]),
                target=target,
            )
            for d in dimensions
        ],
        title=_("Maturity by dimension"),
        legend={
            charts.EVIDENCE: _("score"),
            charts.PREVIOUS: _("last assessment"),
            charts.TARGET: _("next level"),
        },
    )
    radar = charts.radar(
        [d["key"] for d in dimensions],
        {
            _("Evidence"): (charts.EVIDENCE, [d["evidence_score"] for d in dimensions]),
            _("Self-assessment"): (
                charts.CLAIM,
                [d["self_assessed_level"] for d in dimensions],
            ),
        },
        title=_("Evidence and self-assessment"),
    )
    ladder = charts.ladder(
        [(int(k), _(v)) for k, v in LEVEL_NAMES.items()],
        level,
        float(result["index"]),
        title=_("The four levels"),
    )
    for d in dimensions:
        d["display_name"] = names[d["key"]]
        d["previous"] = previous_scores.get(d["key"])
        # Cut, not rounded, to one decimal: a 4.99 must not read as level 5.
        d["score_shown"] = score_shown(d["score"])
        d["evidence_shown"] = score_shown(d["evidence_score"])
        if d["previous"] is not None:
            d["previous_shown"] = score_shown(d["previous"])
    return {
        "assessment": assessment,
        "organization": assessment.organization,
        "result": result,
        "level_name": _level_name(level),
        "index_shown": score_shown(float(result["index"])),
        "next_level_name": _level_name(min(level + 1, 4)),
        "previous": previous,
        "findings": _findings(result, previous),
        "blockers": _blockers(result),
        # A strength is a dimension whose data meets markers, not one carried by claims.
        "strengths": sorted(
            (d for d in dimensions if any(m["met"] for m in d["markers"])),
            key=lambda d: -d["score"],
        )[:3],
        "dimensions": dimensions,
        "chart_bars": bars,
        "chart_radar": radar,
        "chart_ladder": ladder,
        "closed_loop": closed_loop(assessment=assessment),
        "heatmap": journey_heatmap(assessment=assessment),
        "level_probabilities": [
            (int(k), round(100 * float(p)))
            for k, p in sorted(result["level_probabilities"].items())
        ],
        "roadmap": _roadmap(result),
        "markers": MARKERS,
        "method_steps": METHOD_STEPS,
        "confidence_reasons": [
            confidence_reason_text(reason)
            for reason in result.get("confidence_reasons", [])
        ],
        "generated_at": datetime.now(tz=assessment.organization.tzinfo),
    }


def report_html(*, assessment: Assessment, language: str) -> str:
    with translation.override(language):
        return render_to_string(
            "maturity/report.html", report_context(assessment=assessment)
        )


def report_pdf(*, assessment: Assessment, language: str | None = None) -> bytes:
    """Return the PDF of a finished assessment in ``language`` (default: the org's)."""
    from weasyprint import CSS, HTML

    language = language if language in REPORT_LANGUAGES else None
    language = language or assessment.organization.default_language
    html = report_html(assessment=assessment, language=language)
    document = HTML(string=html, url_fetcher=refuse_every_url, base_url=None)
    return document.write_pdf(
        stylesheets=[CSS(string=STYLESHEET.read_text(encoding="utf-8"))]
    )
