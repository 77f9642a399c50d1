"""D6 sharing, D7 governance, D8 employees and leadership, D9 prediction.

The organisation's set-up and habits: who reads the results and how often, what flows
into other systems, who owns what, whether employees are heard, and whether the scores
are measured steadily enough for a trend and watched for deviations.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cx.models import Event, Journey, Organization, Role, Touchpoint
from insights.models import DashboardVisit, DeviationAlert, MetricTarget
from maturity.evidence.journeys import Step
from maturity.evidence.listening import ResponseSummary
from maturity.evidence.period import Period
from maturity.method import REPORTABLE_N
from maturity.scoring import Observation
from predictions.effects import prediction_evidence
from surveys.models import Response, Survey
from webhooks.models import WebhookDelivery


def _visits(organization: Organization, period: Period) -> QuerySet[DashboardVisit]:
    return DashboardVisit.objects.for_organization(organization).filter(
        day__gte=timezone.localdate(period.start, organization.tzinfo),
        day__lt=timezone.localdate(period.end, organization.tzinfo) + timedelta(days=1),
    )


def sharing(organization: Organization, period: Period) -> dict[str, Observation]:
    """D6 (part): results viewed, by whom, and delivered into other systems."""
    visits = _visits(organization, period)
    beyond_cx = (
        visits.exclude(role__in=[Role.OWNER, Role.CX_MANAGER])
        .values("user_id")
        .distinct()
        .count()
    )
    webhooks = (
        WebhookDelivery.objects.filter(
            organization=organization,
            state=WebhookDelivery.State.DELIVERED,
            delivered_at__gte=period.start,
            delivered_at__lt=period.end,
            endpoint__active=True,
        )
        .values("endpoint_id")
        .distinct()
        .count()
    )
    return {
        "d6_dashboard_viewed": Observation.flag(visits.exists()),
        "d6_viewers_beyond_cx": Observation(float(beyond_cx)),
        "d6_active_webhooks": Observation(float(webhooks)),
    }


def api_integration(
    organization: Organization, period: Period
) -> dict[str, Observation]:
    """D6 (part): event types arriving from other systems through the API."""
    event_types = (
        Event.objects.for_organization(organization)
        .filter(received_at__gte=period.start, received_at__lt=period.end)
        .values("type")
        .distinct()
        .count()
    )
    return {"d6_api_event_types": Observation(float(event_types))}


def governance(organization: Organization, period: Period) -> dict[str, Observation]:
    """D7: a CX owner, owned journeys and touchpoints, targets."""
    journeys = Journey.objects.for_organization(organization).aggregate(
        total=Count("id"), owned=Count("id", filter=Q(owner__isnull=False))
    )
    touchpoints = Touchpoint.objects.for_organization(organization).aggregate(
        total=Count("id"), owned=Count("id", filter=Q(owner__isnull=False))
    )
    return {
        "d7_owner_set": Observation.flag(organization.cx_owner_id is not None),
        "d7_owned_share": Observation.share(
            journeys["owned"] + touchpoints["owned"],
            journeys["total"] + touchpoints["total"],
            sampled=False,
        ),
        "d7_targets_set": Observation.flag(
            MetricTarget.objects.for_organization(organization).exists()
        ),
        # Level 4 of D7 is management practice the product cannot see (MATURITY.md):
        # the self-assessment decides it.
        "d7_targets_in_management": Observation(
            None, context="self-assessed: not visible in the product's data"
        ),
    }


def employees(organization: Organization, period: Period) -> dict[str, Observation]:
    """D8: customer results read week by week; employees and leadership heard beside.

    Level 2 (seed 004: reporting is central, not siloed) is the share of the period's
    weeks in which someone of the staff read the customer results in the dashboard.
    """
    zone = timezone.get_current_timezone()
    windows = period.week_windows()
    starts = [start for start, _ in windows]
    weeks_read = {
        bisect_right(starts, max(period.start, datetime.combine(day, time(), zone)))
        for day in _visits(organization, period)
        .order_by()
        .values_list("day", flat=True)
        .distinct()
    }
    answered = Response.objects.for_organization(organization).filter(
        state=Response.State.COMPLETED,
        completed_at__gte=period.start,
        completed_at__lt=period.end,
        survey__audience=Survey.Audience.EMPLOYEES,
    )
    return {
        "d8_results_read_weekly": Observation.share(
            min(len(weeks_read), period.weeks), period.weeks, sampled=False
        ),
        "d8_employee_survey": Observation.flag(
            answered.filter(survey__purpose=Survey.Purpose.EMPLOYEE_PULSE).exists()
        ),
        "d8_leadership_survey": Observation.flag(
            answered.filter(survey__purpose=Survey.Purpose.LEADERSHIP).exists()
        ),
    }


def prediction(
    organization: Organization,
    period: Period,
    summary: ResponseSummary,
    journeys: dict[str, list[Step]],
) -> dict[str, Observation]:
    """D9: a trend to learn from, deviations watched, a validated prediction.

    Level 2 (seed 004: continuous, company-level measurement) is the share of the
    period's four-week spans with a reportable number of live answers, so a score can be
    followed over time. Level 3 (deviations are addressed) is the share of the answered
    touchpoints a deviation alert can fire for and reach: enough answers in the period
    and an owner of their own. Whether an alert has fired is context, not the marker:
    a steady score is no failure to watch it.
    """
    spans = summary.span_answers
    found = prediction_evidence(organization, now=period.end)
    steps = {step.pk: step for journey in journeys.values() for step in journey}
    answered = [pk for pk in summary.answers_at if pk in steps]
    watched = [
        pk
        for pk in answered
        if summary.answers_at[pk] >= REPORTABLE_N and steps[pk].owned
    ]
    alerts = (
        DeviationAlert.objects.for_organization(organization)
        .filter(
            day__gte=timezone.localdate(period.start, organization.tzinfo),
            day__lt=timezone.localdate(period.end, organization.tzinfo)
            + timedelta(days=1),
        )
        .count()
    )
    return {
        "d9_trend_measured": Observation.share(
            sum(1 for n in spans if n >= REPORTABLE_N),
            len(spans),
            context=" · ".join(str(n) for n in spans),
            sampled=False,
        ),
        "d9_deviations_watched": Observation.share(
            len(watched),
            len(answered),
            context=f"{alerts} deviation alerts in the period",
            sampled=False,
        )
        if answered
        else Observation(0.0, context="no answered touchpoint on a journey"),
        # A published model that passed its gate, used by an active rule, with its
        # effect measured against the rule's holdout (predictions.effects).
        "d9_validated_prediction": Observation.flag(
            found.validated_in_use, context=found.context
        ),
    }
