"""The executive report: an assessment rendered to PDF with WeasyPrint.

Nothing in the report is fetched: the HTML is rendered from the stored assessment, charts
are inline SVG, the stylesheet is read from ``static/maturity/report.css``, and the URL
fetcher refuses every URL — so no respondent text can make WeasyPrint reach a file or a
server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from maturity import charts
from maturity.method import DIMENSIONS, LEVEL_NAMES, MARKERS, Level
from maturity.models import Assessment
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
            if (
                marker["level"] <= next_level
                and dimension["key"] in blocking
                and marker["must_have"]
            ):
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
               "blockers": ", ".join(result["held_back_by"][:3])}
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
        % {"name": _(strongest["name"]), "score": strongest["score"]}
    )
    if previous is not None and previous.index is not None:
        change = float(result["index"]) - float(previous.index)
        findings.append(
            _("Index %(index).1f, %(change)+.1f since %(date)s.")
            % {"index": result["index"], "change": change,
               "date": previous.period_end.strftime("%Y-%m-%d")}
        )  # fmt: skip
    return findings[:3] if previous is None else [findings[0], *findings[-2:]]


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
    return {
        "assessment": assessment,
        "organization": assessment.organization,
        "result": result,
        "level_name": _level_name(level),
        "next_level_name": _level_name(min(level + 1, 4)),
        "previous": previous,
        "findings": _findings(result, previous),
        # A strength is a dimension whose data meets markers, not one carried by claims.
        "strengths": sorted(
            (d for d in dimensions if any(m["met"] for m in d["markers"])),
            key=lambda d: -d["score"],
        )[:3],
        "dimensions": dimensions,
        "chart_bars": bars,
        "chart_radar": radar,
        "chart_ladder": ladder,
        "roadmap": _roadmap(result),
        "markers": MARKERS,
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
