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
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from followups.models import FollowUp, RootCause
from followups.selectors import followup_counts
from insights import charts as insight_charts
from insights.dashboard import nps_heatmap, segment_heatmap
from insights.selectors import min_sample
from insights.text.selectors import Scope, theme_impacts
from maturity import actions, charts
from maturity.figures import Share, deadlines, headline_metrics
from maturity.method import (
    DIMENSIONS,
    LEVEL_NAMES,
    MARKERS,
    METHOD_STEPS,
    Level,
    confidence_reason_text,
)
from maturity.models import Assessment
from maturity.selectors import previous_assessment
from predictions.report import prediction_section

STYLESHEET = Path(settings.BASE_DIR) / "static" / "maturity" / "report.css"
REPORT_LANGUAGES = ("fi", "sv", "en")


def refuse_every_url(
    url: str, timeout: int = 10, ssl_context: Any = None
) -> dict[str, Any]:
    """WeasyPrint URL fetcher that fetches nothing (the report is self-contained)."""
    raise ValueError(f"The report does not load external resources ({url[:80]!r}).")


def _level_name(level: int) -> str:
    return _(LEVEL_NAMES[Level(level)])


def _blockers(result: dict[str, Any]) -> list[str]:
    """Return what holds the organisation back, in the report's language.

    The stored result names them in English ("D6 Real-time sharing … (2.5)", "index
    (2.8)"); the dimension key and score are read back and the name translated.
    """
    names = {d["key"]: d["name"] for d in result["dimensions"]}
    shown = []
    scores = {d["key"]: d["score"] for d in result["dimensions"]}
    for blocker in result["held_back_by"]:
        key = blocker.split(" ", 1)[0]
        if key in names:
            shown.append(f"{key} {_(names[key])} ({charts.decimal(scores[key])})")
        else:
            index = charts.decimal(float(result["index"]))
            shown.append(f"{_('index')} ({index})")
    return shown


def _findings(
    result: dict[str, Any], previous: Assessment | None, headlines: list[Any]
) -> list[str]:
    """Return the three findings an executive most needs to read: always three."""
    level_name = _level_name(int(result["level"]))
    findings = []
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
    if previous is not None and previous.index is not None:
        # Rounded to one decimal as the page shows it; a change of 0,0 is "±0,0".
        change = round(float(result["index"]) - float(previous.index), 1)
        sign = "±" if not change else ("+" if change > 0 else "−")
        findings.append(
            _("Index %(index)s, %(change)s since %(date)s.")
            % {"index": charts.decimal(float(result["index"])),
               "change": sign + number_format(abs(change), 1),
               "date": date_format(previous.period_end, "j.n.Y")}
        )  # fmt: skip
    overclaims = [d for d in result["dimensions"] if d["overclaim"]]
    if overclaims:
        findings.append(
            _(
                "Your self-assessment is a level or more above the evidence in: %(names)s."
            )
            % {"names": ", ".join(_(d["name"]) for d in overclaims)}
        )
    nps = next((h for h in headlines if h.metric == "nps"), None)
    if nps is not None and nps.value is not None:
        findings.append(
            _("NPS %(value)s (95 %% interval %(interval)s, n = %(n)s); target %(target)s.")
            % {"value": nps.shown, "interval": nps.interval, "n": nps.n,
               "target": nps.target_shown or "–"}
        )  # fmt: skip
    strongest = max(result["dimensions"], key=lambda d: d["score"])
    findings.append(
        _("Strongest dimension: %(name)s (%(score)s).")
        % {"name": _(strongest["name"]), "score": charts.decimal(strongest["score"])}
    )
    weakest = min(result["dimensions"], key=lambda d: d["score"])
    findings.append(
        _("Weakest dimension: %(name)s (%(score)s).")
        % {"name": _(weakest["name"]), "score": charts.decimal(weakest["score"])}
    )
    return findings[:3]


@dataclass(frozen=True)
class RootCauseCount:
    label: str
    count: int
    share: Share


def _marker_share(result: dict[str, Any], key: str) -> Share:
    """Return a stored share marker's counts (0 of 0 when it was not computable)."""
    marker: dict[str, Any] = next(
        (m for d in result["dimensions"] for m in d["markers"] if m["key"] == key), {}
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
        of_previous=_("{rate} of the step before"),
    )
    return {
        "negative": negative,
        "deadlines": deadlines(assessment=assessment),
        "with_cause": Share(sum(n for cause, n in by_cause if cause), closed),
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


def _strengths(dimensions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return three strengths: dimensions whose data meets markers, highest first.

    A dimension carried by claims alone is a strength only when fewer than three have
    evidence behind them.
    """
    ranked = sorted(
        dimensions,
        key=lambda d: (not any(m["met"] for m in d["markers"]), -d["score"]),
    )
    return ranked[:3]


def _summary_blockers(result: dict[str, Any]) -> list[str]:
    """Return three blockers: what holds the level back, then the weakest dimensions."""
    shown = _blockers(result)
    listed = {blocker.split(" ", 1)[0] for blocker in shown}
    for d in sorted(result["dimensions"], key=lambda d: d["score"]):
        if len(shown) >= 3:
            break
        if d["key"] not in listed and d["score"] < 4:
            shown.append(f"{d['key']} {_(d['name'])} ({charts.decimal(d['score'])})")
    return shown[:3]


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
        # Cut, not rounded, to one decimal: a 4.99 must not read as level 5; and
        # written with the language's decimal separator, as every figure is.
        d["score_shown"] = charts.decimal(d["score"])
        d["evidence_shown"] = charts.decimal(d["evidence_score"])
        if d.get("self_assessed_level") is not None:
            d["claim_shown"] = charts.decimal(d["self_assessed_level"])
        if d["previous"] is not None:
            d["previous_shown"] = charts.decimal(d["previous"])
    headlines = headline_metrics(assessment=assessment, previous=previous)
    found_actions = actions.actions(result)
    for d in dimensions:
        # The same actions as the roadmap's, so no page recommends what does not exist.
        d["next_actions"] = [a.text for a in found_actions if a.dimension == d["key"]][
            :3
        ]
    return {
        "assessment": assessment,
        "organization": assessment.organization,
        # What the comments say (insights.text): the period's themes of largest impact.
        "themes": theme_impacts(
            organization=assessment.organization,
            scope=Scope(since=assessment.period_start, until=assessment.period_end),
            limit=5,
        ),
        "result": result,
        "level_name": _level_name(level),
        "index_shown": charts.decimal(float(result["index"])),
        "headlines": headlines,
        "has_self_assessment": any(
            d.get("self_assessed_level") is not None for d in dimensions
        ),
        "next_level_name": _level_name(min(level + 1, 4)),
        "previous": previous,
        "previous_index_shown": (
            charts.decimal(float(previous.index))
            if previous is not None and previous.index is not None
            else ""
        ),
        "findings": _findings(result, previous, headlines),
        "blockers": _summary_blockers(result),
        "strengths": _strengths(dimensions),
        "dimensions": dimensions,
        "chart_bars": bars,
        "chart_radar": radar,
        "chart_ladder": ladder,
        "closed_loop": closed_loop(assessment=assessment),
        "heatmap": journey_heatmap(assessment=assessment),
        # Predictions, their models and the measured effect of acting (as of today).
        "predictions": prediction_section(organization=assessment.organization),
        # The roadmap's actions link to the product's pages (absolute: a PDF has no base).
        "site_url": settings.SITE_URL,
        "level_probabilities": [
            (int(k), round(100 * float(p)))
            for k, p in sorted(result["level_probabilities"].items())
        ],
        "top_actions": found_actions[:3],
        "roadmap": actions.timeline(found_actions),
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
