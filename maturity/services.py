"""Writes of the maturity app: self-assessment answers and assessments.

Maturity only *reads* cx and surveys; everything it writes is its own.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from cx.models import Organization
from cx.outbox import Outbox
from cx.publish import publish_on_commit
from insights.metrics import Counts
from maturity import evidence
from maturity.method import (
    DIMENSION_BY_KEY,
    SELF_ASSESSMENT_ITEM_KEYS,
    confidence_reason_text,
)
from maturity.models import (
    Assessment,
    DimensionImportance,
    SelfAssessmentAnswer,
    SelfAssessmentRound,
)
from maturity.scoring import Assessment as Scored
from maturity.scoring import assess
from maturity.selectors import (
    importance_of,
    self_assessment_answers,
    self_assessment_levels,
)

logger = logging.getLogger(__name__)

# A run takes at most CELERY_TASK_TIME_LIMIT (5 min); one claimed longer ago lost its
# worker. A worker that dies on the same assessment three times will not do better.
ASSESSMENT_STUCK_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3
OUTBOX: Outbox[Assessment] = Outbox(
    Assessment,
    max_attempts=MAX_ATTEMPTS,
    backoff=lambda attempts: timedelta(minutes=1),
    stuck_after=lambda: ASSESSMENT_STUCK_AFTER,
    scheduled=Assessment.Status.PENDING,
    sending=Assessment.Status.RUNNING,
    failed=Assessment.Status.FAILED,
    state_field="status",
    error_field="error",
)

DEFAULT_PERIOD = timedelta(days=90)
METHOD_VERSION = "2026.12"


@transaction.atomic
def self_assessment_save(
    *,
    organization: Organization,
    answers: Mapping[str, int],
    importance: Mapping[str, int] | None = None,
    user: User | None = None,
    at: datetime | None = None,
) -> SelfAssessmentRound:
    """Store the organisation's answers (item → step 1–4) and importances (1–5).

    The current answer per item is updated and the whole questionnaire as it now
    stands is kept as one round of history (who answered, when), which is returned.
    """
    errors: dict[str, str] = {}
    for item, step in answers.items():
        if item not in SELF_ASSESSMENT_ITEM_KEYS:
            errors[item] = "Unknown self-assessment item."
        elif not isinstance(step, int) or not 1 <= step <= 4:
            errors[item] = "Answer with a step from 1 (undeveloped) to 4 (systematic)."
    for dimension, weight in (importance or {}).items():
        if dimension not in DIMENSION_BY_KEY:
            errors[dimension] = "Unknown dimension."
        elif not isinstance(weight, int) or not 1 <= weight <= 5:
            errors[dimension] = "Importance is a whole number from 1 to 5."
    if errors:
        raise ValidationError(errors)
    answerer = user if user is not None and user.is_authenticated else None
    for item, step in answers.items():
        SelfAssessmentAnswer.objects.update_or_create(
            organization=organization,
            item=item,
            defaults={"step": step, "answered_by": answerer},
        )
    for dimension, weight in (importance or {}).items():
        DimensionImportance.objects.update_or_create(
            organization=organization,
            dimension=dimension,
            defaults={"importance": weight},
        )
    return SelfAssessmentRound.objects.create(
        organization=organization,
        answered_by=answerer,
        answered_at=at or timezone.now(),
        answers=self_assessment_answers(organization=organization),
        importance=importance_of(organization=organization),
    )


def assessment_request(
    *,
    organization: Organization,
    period_start: datetime | None = None,
    period_end: datetime | None = None,
    user: User | None = None,
    email_executives: bool = False,
) -> Assessment:
    """Queue an assessment of ``organization``; a Celery task computes it after commit.

    The row is the work: when the message is lost, the sweeper dispatches it.
    """
    from maturity.tasks import assessment_compute_task

    period_end = period_end or timezone.now()
    period_start = period_start or period_end - DEFAULT_PERIOD
    if period_start >= period_end:
        raise ValidationError({"period_start": "The period must start before it ends."})
    with transaction.atomic():
        assessment = Assessment.objects.create(
            organization=organization,
            period_start=period_start,
            period_end=period_end,
            requested_by=user if user is not None and user.is_authenticated else None,
            email_executives=email_executives,
        )
        publish_on_commit(assessment_compute_task.delay, assessment.pk)
    return assessment


def assessment_compute_now(
    *,
    organization: Organization,
    period_start: datetime,
    period_end: datetime,
) -> Assessment:
    """Compute an assessment of a past period in this process, dated at its end.

    For the demo's history: no task is queued, and the row reads as if it had been
    requested and finished when its period ended, so the trend orders it rightly.
    """
    assessment = Assessment.objects.create(
        organization=organization, period_start=period_start, period_end=period_end
    )
    assessment_compute(assessment_id=assessment.pk)
    Assessment.objects.filter(pk=assessment.pk).update(
        created_at=period_end, completed_at=period_end
    )
    assessment.refresh_from_db()
    return assessment


def assessment_compute(*, assessment_id: int) -> None:
    """Compute a pending assessment once: a duplicate task finds it claimed and stops."""
    claimed_at = OUTBOX.claim(pk=assessment_id)
    if claimed_at is None:
        return
    assessment = Assessment.objects.select_related("organization").get(pk=assessment_id)
    organization = assessment.organization
    try:
        history = evidence.period_from_first_data(
            organization,
            evidence.Period(assessment.period_start, assessment.period_end),
        )
        claims = self_assessment_levels(organization=organization)
        found = evidence.gather(organization, history.period)
        scored = assess(
            found.markers,
            claims_with_history(claims, found.imported.claims()),
            importance=importance_of(organization=organization),
            history_days=history.days if history.clipped else None,
        )
    except Exception as exc:  # recorded on the row, so the requester sees why
        logger.exception("Assessment %s failed", assessment_id)
        OUTBOX.owned(assessment_id, claimed_at).update(
            status=Assessment.Status.FAILED,
            error=str(exc)[:2000],
            completed_at=timezone.now(),
        )
        return
    finished = OUTBOX.owned(assessment_id, claimed_at).update(
        status=Assessment.Status.DONE,
        # The period assessed: from the first live answer when that came later.
        period_start=history.period.start,
        level=scored.level,
        index=scored.index,
        confidence=scored.confidence,
        confidence_label=scored.confidence_label,
        result=result_as_json(
            scored,
            claims=claims,
            nps_cells=found.nps_cells,
            history=history,
            imported=found.imported,
            headline_counts=found.headline_counts,
        ),
        completed_at=timezone.now(),
    )
    if finished and assessment.email_executives:
        assessment_email_report(assessment_id=assessment_id)


def assessments_sweep() -> list[int]:
    """Return the pending assessments a lost message or a dead worker left behind.

    Runs stuck in *running* longer than ASSESSMENT_STUCK_AFTER go back to pending (or
    fail after MAX_ATTEMPTS workers died on them); at most ``cx.outbox.SWEEP_BATCH``.
    """
    return OUTBOX.sweep()


def assessments_schedule_monthly() -> list[Assessment]:
    """Request this month's assessment of every organisation, to be emailed when done."""
    return [
        assessment_request(organization=organization, email_executives=True)
        for organization in Organization.objects.all()
    ]


def assessment_email_report(*, assessment_id: int) -> int:
    """Email the finished report to the organisation's executives and owners, once.

    Return the number of recipients. The claim on ``report_sent_at`` keeps a redelivered
    task from mailing twice.
    """
    from django.core.mail import EmailMessage

    from cx.models import Membership, Role
    from maturity.report import report_pdf

    claimed = Assessment.objects.filter(
        pk=assessment_id, status=Assessment.Status.DONE, report_sent_at__isnull=True
    ).update(report_sent_at=timezone.now())
    if not claimed:
        return 0
    assessment = Assessment.objects.select_related("organization").get(pk=assessment_id)
    organization = assessment.organization
    recipients = sorted(
        {
            email
            for email in Membership.objects.for_organization(organization)
            .filter(role__in=[Role.EXECUTIVE, Role.OWNER], user__is_active=True)
            .values_list("user__email", flat=True)
            if email
        }
    )
    if not recipients:
        return 0
    with translation.override(organization.default_language):
        subject = translation.gettext("CX maturity report · %(name)s") % {
            "name": organization.name
        }
        body = translation.gettext(
            "The monthly CX maturity assessment of %(name)s is ready: level %(level)s, "
            "%(level_name)s (index %(index)s). The report is attached."
        ) % {
            "name": organization.name,
            "level": assessment.level,
            "level_name": translation.gettext(assessment.result.get("level_name", "")),
            "index": assessment.index,
        }
    message = EmailMessage(subject=subject, body=body, to=recipients)
    message.attach(
        f"cx-maturity-{organization.slug}-{assessment.period_end:%Y-%m-%d}.pdf",
        report_pdf(assessment=assessment),
        "application/pdf",
    )
    message.send()
    return len(recipients)


def claims_with_history(
    claims: Mapping[str, float], history: Mapping[str, float]
) -> dict[str, float]:
    """Return the claims per dimension with imported history weighed in as one more item.

    Imported answers are self-reported evidence about the past: where they claim a level
    (``ImportedHistory.claims``, at most 2) it is averaged with the self-assessment like
    one more of its items (D1 and D2 have one item each), or stands alone without one.
    """
    blended = dict(claims)
    for dimension, level in history.items():
        own = claims.get(dimension)
        blended[dimension] = level if own is None else (own + level) / 2
    return blended


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def result_as_json(
    scored: Scored,
    *,
    claims: Mapping[str, float],
    nps_cells: list[list[int]] | None = None,
    history: evidence.History | None = None,
    imported: evidence.ImportedHistory | None = None,
    headline_counts: Mapping[str, Counts] | None = None,
) -> dict[str, Any]:
    """Return every number behind the scored level, for storage and audit.

    ``nps_cells`` ([touchpoint, segment, answers, promoters, detractors], from
    ``evidence.gather``) are the period's NPS by touchpoint × segment: the report draws
    its heatmap from them. ``history`` says where the period starts and why;
    ``imported`` counts the period's imported answers, kept apart from the markers;
    ``headline_counts`` the counts behind the report's headline metrics (per metric).
    """
    imported = imported or evidence.ImportedHistory()
    imported_claims = imported.claims()
    with translation.override("en"):
        reasons = [
            {**reason, "text": confidence_reason_text(reason)}
            for reason in scored.confidence_reasons
        ]
    return {
        "method_version": METHOD_VERSION,
        "level": scored.level,
        "level_name": scored.level_name,
        "index": scored.index,
        "confidence": scored.confidence,
        "confidence_label": scored.confidence_label,
        "confidence_reasons": reasons,
        "history": None
        if history is None
        else {
            "requested_start": _iso(history.requested_start),
            "first_data": _iso(history.first_data),
            "start": _iso(history.period.start),
            "end": _iso(history.period.end),
            "days": history.days,
            "weeks": history.weeks,
            "clipped": history.clipped,
        },
        "imported_history": {
            "responses": imported.total,
            "labelled_event": imported.labelled_event,
            "identified": imported.identified,
            "claims": imported_claims,
        },
        "headline_counts": {
            metric: asdict(counts) for metric, counts in (headline_counts or {}).items()
        },
        "level_probabilities": {
            str(k): v for k, v in scored.level_probabilities.items()
        },
        "coverage": scored.coverage,
        "held_back_by": list(scored.held_back_by),
        "overclaims": list(scored.overclaims),
        "priorities": [list(item) for item in scored.priorities],
        "self_assessment": dict(claims),
        "dimensions": [
            {
                "key": d.dimension.key,
                "name": d.dimension.name,
                "score": d.score,
                "level": d.level,
                "evidence_score": d.evidence_score,
                "evidence_level": d.evidence_level,
                "self_assessed_level": claims.get(d.dimension.key),
                "imported_claim": imported_claims.get(d.dimension.key),
                "claimed_level": d.self_level,
                "coverage": round(d.coverage, 2),
                "overclaim": d.overclaim,
                "insufficient_evidence": d.insufficient_evidence,
                "recommendations": list(d.recommendations),
                "markers": [
                    {
                        "key": m.marker.key,
                        "label": m.marker.label,
                        "level": int(m.marker.level),
                        "kind": str(m.marker.kind),
                        "threshold": m.marker.threshold,
                        "must_have": m.marker.must_have,
                        "score": m.score,
                        "met": m.met,
                        **{k: v for k, v in asdict(m.observation).items()},
                    }
                    for m in d.markers
                ],
            }
            for d in scored.dimensions
        ],
        **({} if nps_cells is None else {"nps_by_touchpoint_and_segment": nps_cells}),
    }
