"""The maturity page's reading of the stored assessments: ladder, blockers, actions, charts.

Everything comes from the assessments' stored results (what the report reads too), so
the page and the PDF say the same; nothing here scores or writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cx.models import Organization
from maturity import actions, charts
from maturity.method import DIMENSION_BY_KEY, DIMENSIONS, LEVEL_NAMES, Level
from maturity.models import Assessment, SelfAssessmentRound
from maturity.selectors import assessments_of

# A pending assessment older than this is not waited for on the page (no worker ran it).
WAIT_AT_MOST = timedelta(minutes=15)
TREND_ASSESSMENTS = 24


@dataclass(frozen=True)
class Step:
    """One rung of the ladder as the page shows it."""

    level: int
    name: str
    state: str  # "reached", "current", "next" or "ahead"


@dataclass(frozen=True)
class Blocker:
    key: str
    name: str
    score: float
    needed: int
    missing: tuple[str, ...] = ()  # what the dimension lacks for the next level
    evidence: float | None = None
    claim: float | None = None  # the self-assessment

    @property
    def shown(self) -> str:
        return charts.decimal(self.score)

    @property
    def held_by_claim(self) -> bool:
        """The data reaches the next level; the self-assessment keeps the score below."""
        return (
            not self.missing
            and self.evidence is not None
            and self.claim is not None
            and self.evidence >= self.needed > self.claim
        )

    @property
    def evidence_shown(self) -> str:
        return charts.decimal(self.evidence or 0.0)

    @property
    def claim_shown(self) -> str:
        return charts.decimal(self.claim or 0.0)


def dimension_name(key: str) -> str:
    return _(DIMENSION_BY_KEY[key].name) if key in DIMENSION_BY_KEY else key


def ladder(level: int) -> list[Step]:
    """Return the four levels, highest first, each marked against ``level``."""
    steps = []
    for rung in sorted(Level, reverse=True):
        if rung < level:
            state = "reached"
        elif rung == level:
            state = "current"
        elif rung == level + 1:
            state = "next"
        else:
            state = "ahead"
        steps.append(Step(int(rung), _(LEVEL_NAMES[rung]), state))
    return steps


def blockers(result: dict[str, Any]) -> list[Blocker]:
    """Return the core dimensions below the next level, lowest first."""
    level = int(result.get("level") or 1)
    if level >= Level.PREDICTIVE:
        return []
    keys = {str(b).split(" ", 1)[0] for b in result.get("held_back_by", [])}
    found = [
        Blocker(
            d["key"],
            dimension_name(d["key"]),
            float(d["score"]),
            level + 1,
            tuple(
                _(m["label"])
                for m in d.get("markers", [])
                if not m.get("met") and int(m["level"]) <= level + 1
            ),
            _optional(d.get("evidence_score")),
            _optional(d.get("self_assessed_level")),
        )
        for d in result.get("dimensions", [])
        if d["key"] in keys
    ]
    return sorted(found, key=lambda blocker: blocker.score)


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


def index_held_back(result: dict[str, Any]) -> bool:
    """Return whether the index itself is below the next level."""
    return any(str(b).startswith("index") for b in result.get("held_back_by", []))


def claim_chart(result: dict[str, Any]) -> tuple[SafeString, SafeString]:
    """Return the evidence vs self-assessment dumbbell of a stored result, wide and narrow."""
    rows = [
        charts.ClaimRow(
            label=f"{d['key']} {dimension_name(d['key'])}",
            evidence=float(d["evidence_score"]),
            claim=d.get("self_assessed_level"),
        )
        for d in result.get("dimensions", [])
    ]
    drawn = (
        charts.claim_vs_evidence(
            rows,
            title=_("Evidence and self-assessment by dimension"),
            evidence_name=_("Evidence"),
            claim_name=_("Self-assessment"),
            narrow=narrow,
        )
        for narrow in (False, True)
    )
    wide, small = (mark_safe(svg) for svg in drawn)  # noqa: S308 - cx.svg escapes labels
    return wide, small


def trend_chart(done: list[Assessment]) -> tuple[SafeString, SafeString]:
    """Return the index of finished assessments, oldest first, wide and narrow."""
    points = [
        charts.TrendPoint(
            day=timezone.localdate(a.period_end, a.organization.tzinfo),
            index=float(a.index or 1),
            level=int(a.level or 1),
        )
        for a in done
    ]
    drawn = (
        charts.index_trend(
            points,
            title=_("Maturity index across assessments"),
            index_name=_("index"),
            narrow=narrow,
        )
        for narrow in (False, True)
    )
    wide, small = (mark_safe(svg) for svg in drawn)  # noqa: S308 - cx.svg escapes labels
    return wide, small


def waiting_for(organization: Organization) -> Assessment | None:
    """Return the newest assessment still being computed, if the page should wait."""
    since = timezone.now() - WAIT_AT_MOST
    return (
        Assessment.objects.for_organization(organization)
        .filter(
            status__in=[Assessment.Status.PENDING, Assessment.Status.RUNNING],
            created_at__gte=since,
        )
        .order_by("-created_at")
        .first()
    )


def latest_self_assessment(organization: Organization) -> SelfAssessmentRound | None:
    return (
        SelfAssessmentRound.objects.for_organization(organization)
        .select_related("answered_by")
        .first()
    )


def overview(*, organization: Organization) -> dict[str, Any]:
    """Return what the maturity page shows about ``organization``."""
    recent = list(
        assessments_of(organization=organization).select_related("organization")[
            : TREND_ASSESSMENTS + 4
        ]
    )
    done = [a for a in recent if a.status == Assessment.Status.DONE]
    latest = done[0] if done else None
    failed = next(
        (
            a
            for a in recent
            if a.status == Assessment.Status.FAILED
            and (latest is None or a.created_at > latest.created_at)
        ),
        None,
    )
    context: dict[str, Any] = {
        "latest": latest,
        "previous": done[1] if len(done) > 1 else None,
        "waiting": waiting_for(organization),
        "failed": failed,
        "self_assessment": latest_self_assessment(organization),
        "history": [
            (a, charts.decimal(float(a.index or 1))) for a in done[:TREND_ASSESSMENTS]
        ],
    }
    if latest is None:
        return context
    result = latest.result
    level = int(result["level"])
    previous = context["previous"]
    change = (
        None
        if previous is None or previous.index is None
        else round(float(latest.index or 0) - float(previous.index), 1)
    )
    context.update(
        result=result,
        level=level,
        level_name=_(LEVEL_NAMES[Level(level)]),
        next_level=min(level + 1, 4),
        next_level_name=_(LEVEL_NAMES[Level(min(level + 1, 4))]),
        ladder=ladder(level),
        index=float(result["index"]),
        index_shown=charts.decimal(float(result["index"])),
        change=None if change is None else number_format(abs(change), 1),
        # The sign of the change as shown: a change that rounds to 0,0 is "=".
        change_sign=0 if not change else (change > 0) - (change < 0),
        confidence_percent=round(100 * float(result.get("confidence") or 0)),
        coverage_percent=round(100 * float(result.get("coverage") or 0)),
        insufficient=[
            dimension_name(d["key"])
            for d in result.get("dimensions", [])
            if d.get("insufficient_evidence")
        ],
        confidence_notes=[str(note) for note in result.get("confidence_notes", [])],
        blockers=blockers(result),
        index_held_back=index_held_back(result),
        core_dimensions=[
            d.key
            for d in DIMENSIONS
            if d.core_from is not None and d.core_from <= min(level + 1, 4)
        ],
        actions=actions.actions(result, limit=3),
        overclaims=[
            dimension_name(d["key"])
            for d in result.get("dimensions", [])
            if d.get("overclaim")
        ],
        claim_chart=claim_chart(result),
        trend_chart=trend_chart(list(reversed(done[:TREND_ASSESSMENTS]))),
        period_days=max(1, (latest.period_end - latest.period_start).days),
    )
    return context
