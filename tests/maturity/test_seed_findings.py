"""Seed 004's level descriptions against the findings of issue 16, one test each.

Each organisation is built with ``tests/maturity/builders.py`` and assessed as the
product assesses (the service, then the Celery task after commit), over the default
90-day window. What the seed says each level means:

- level 1, *tactical*: one-off, anonymous surveys; siloed; results about the past;
- level 2, *event-driven*: collection follows the customer's events; reporting is
  central; identified background data classify results; measurement is continuous
  but company-level;
- level 3, *understanding-driven*: the lifecycle and its touchpoints defined; dialogue
  (react to feedback, fix deviations); the customer recognised across touchpoints;
- level 4, *predictive*: measured across the whole journey, employees and leadership
  beside CX, the next step predicted.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cx.models import Touchpoint
from insights.models import DeviationAlert
from maturity.models import Assessment
from surveys.models import Response, ResponseSegment, Survey
from surveys.services.imports import ImportedResponse, responses_import
from tests.maturity import builders
from tests.maturity.test_levels import assessed  # noqa: F401

pytestmark = pytest.mark.django_db


def test_an_event_driven_organisation_three_weeks_old_is_level_2_with_low_confidence(
    assessed,
):
    organization = builders.event_driven(days=21)

    result = assessed(organization)

    # The weeks before its first answer are not silent weeks: it listened every week.
    assert result.level == 2
    assert result.marker("d1_weeks_with_answers")["value"] == 1.0
    assert result.raw["history"]["clipped"]
    assert result.raw["history"]["weeks"] == 3
    # ...but three weeks show a level, not yet that it lasts.
    assert result.raw["confidence_label"] == "Low"
    reasons = [reason["text"] for reason in result.raw["confidence_reasons"]]
    assert any("only 3 weeks of data" in text for text in reasons), reasons
    assessment = Assessment.objects.get(organization=organization)
    assert assessment.period_start > timezone.now() - timedelta(days=22)


def test_the_short_history_reads_in_the_reports_languages(assessed):
    from django.utils import translation

    from maturity.method import confidence_reason_text

    reason = {"code": "short_history", "weeks": 3, "days": 21}

    with translation.override("fi"):
        finnish = confidence_reason_text(reason)
    with translation.override("sv"):
        swedish = confidence_reason_text(reason)

    assert "3 viikon" in finnish
    assert "3 veckors" in swedish


def test_a_long_standing_event_driven_organisation_keeps_high_confidence(assessed):
    result = assessed(builders.event_driven("veteran", days=88))

    assert result.level == 2
    assert result.raw["confidence_label"] == "High"
    assert result.raw["confidence_reasons"] == []


@pytest.mark.parametrize(
    "build",
    [builders.level_2_event_driven, lambda: builders.event_driven(days=88)],
    ids=["mixed-sources", "every-answer-triggered"],
)
def test_a_plain_level_2_organisations_listening_and_identification_stay_below_4(
    assessed, build
):
    result = assessed(build())

    assert result.level == 2
    # Triggered answers at two of the journey's five stages are not "across them all".
    assert result.marker("d1_journey_stages_triggered")["value"] == pytest.approx(0.4)
    assert result.dimension("D1")["score"] < 4
    # Identified, yes; recognised across touchpoints (level 3), no.
    assert result.marker("d2_multi_touchpoint_share")["value"] == 0.0
    assert result.dimension("D2")["score"] < 3
    assert result.dimension("D2")["evidence_level"] == 2


def test_a_loop_run_only_by_automation_stays_below_level_3(assessed):
    result = assessed(builders.event_driven("autopilot", days=88, loop_worked=False))

    # The product opened a case for every negative answer of a known customer...
    assert result.marker("d5_case_share")["value"] == 1.0
    # ...and nobody started, closed or explained one.
    assert result.marker("d5_staff_worked")["value"] == 0.0
    assert result.marker("d5_followed_up")["value"] == 0.0
    assert result.dimension("D5")["score"] < 3
    assert result.dimension("D5")["evidence_level"] == 1


def test_a_loop_staff_work_reaches_its_level(assessed):
    result = assessed(builders.level_3_understanding_driven())

    assert result.marker("d5_followed_up")["value"] >= 0.7
    assert result.dimension("D5")["evidence_level"] == 3


@pytest.mark.parametrize(
    "build", [builders.level_1_tactical, builders.overclaiming_level_1]
)
def test_level_1_organisations_score_1_on_employees_and_prediction(assessed, build):
    result = assessed(build())

    for key in ("D8", "D9"):
        assert result.dimension(key)["evidence_score"] == 1.0
    assert result.dimension("D8")["score"] <= 1.5  # at most a capped claim
    assert result.marker("d8_results_read_weekly")["value"] == 0.0
    assert result.marker("d9_trend_measured")["value"] < 0.75  # one survey wave


def test_level_1_without_claims_is_1_on_employees_and_prediction(assessed):
    result = assessed(builders.level_1_tactical())

    assert result.dimension("D8")["score"] == 1.0
    assert result.dimension("D9")["score"] == 1.0


def test_an_honest_level_3_claim_is_no_overclaim_when_no_deviation_alert_fired(
    assessed,
):
    organization = builders.level_3_understanding_driven()
    DeviationAlert.objects.filter(organization=organization).delete()  # a calm quarter

    result = assessed(organization)

    assert result.level == 3
    assert result.overclaims == []
    assert result.dimension("D9")["evidence_level"] == 3
    assert result.marker("d9_deviations_watched")["value"] == 1.0


@pytest.mark.parametrize("label", ["event", "periodic", "list", "public_link"])
def test_imported_answers_never_make_listening_level_3_or_4(assessed, label):
    """A yearly history loaded from another tool, labelled with any origin.

    The organisation has mapped its journeys and trigger rules, but the product itself
    heard nothing: every answer in the period was imported, identified, at every
    touchpoint, every week.
    """
    builder = builders.OrganizationBuilder(f"history-{label}", "History Oy")
    organization = builder.organization
    mortgage = builder.journey("Mortgage", builders.MORTGAGE)
    builder.segments()
    survey = builder.survey("Feedback")
    for touchpoint in mortgage:
        builder.rule(survey, touchpoint)
    customers = builder.customers(100, builders._customer_attributes)
    rows = [
        ImportedResponse(
            completed_at=builder.at(1 + builders.spread(i) * 85),
            answers={"score": builders.nps(i, 0.2)},
            origin=label,
            anonymous=False,
            customer_external_id=customers[i % 100].external_id,
            touchpoint_id=mortgage[i % 5].pk,
        )
        for i in range(600)
    ]
    assert (
        responses_import(organization=organization, survey=survey, rows=rows).imported
        == 600
    )

    result = assessed(organization)

    imported = Response.objects.filter(organization=organization)
    assert imported.filter(imported_at__isnull=False).count() == 600
    assert result.raw["imported_history"]["responses"] == 600
    assert result.marker("d1_triggered_share")["value"] is None  # nothing live
    assert result.marker("d1_trigger_types")["value"] == 0.0
    assert result.dimension("D1")["score"] < 3
    assert result.dimension("D1")["evidence_level"] == 1
    # The labels speak as a claim about the past, at most level 2, like a self-assessment.
    claim = result.dimension("D1")["imported_claim"]
    assert claim == (2.0 if label == "event" else 1.0)
    # Its segment snapshots feed results by segment, not the segmentation evidence.
    assert ResponseSegment.objects.filter(organization=organization).exists()
    assert result.marker("d4_segments_reportable")["value"] == 0.0


def test_imported_history_does_not_lift_live_listening(assessed):
    """Event-labelled history beside live level-2 listening changes nothing in D1."""
    plain = assessed(builders.level_2_event_driven("plain"))
    organization = builders.level_2_event_driven("with-history")
    survey = Survey.objects.get(organization=organization, name="Feedback")
    touchpoint = Touchpoint.objects.get(
        organization=organization, name="Personal offer"
    )
    rows = [
        ImportedResponse(
            completed_at=timezone.now() - timedelta(days=2 + i % 80),
            answers={"score": 9},
            origin="event",
            anonymous=True,
            touchpoint_id=touchpoint.pk,
        )
        for i in range(400)
    ]
    responses_import(organization=organization, survey=survey, rows=rows)

    result = assessed(organization)

    for key in (
        "d1_triggered_share",
        "d1_trigger_types",
        "d1_journey_stages_triggered",
    ):
        assert result.marker(key)["value"] == plain.marker(key)["value"], key
    assert (
        result.dimension("D1")["evidence_score"]
        == plain.dimension("D1")["evidence_score"]
    )


def test_imports_of_known_customers_get_segment_snapshots():
    builder = builders.OrganizationBuilder("snapshots", "Snapshot Oy")
    organization = builder.organization
    builder.segments()
    survey = builder.survey("Feedback")
    customers = builder.customers(4, builders._customer_attributes)
    rows = [
        ImportedResponse(
            completed_at=builder.at(30),
            answers={"score": 3},
            anonymous=anonymous,
            customer_external_id="" if anonymous else customers[0].external_id,
        )
        for anonymous in (False, True)
    ]

    responses_import(organization=organization, survey=survey, rows=rows)

    known, anonymous = Response.objects.filter(organization=organization).order_by(
        "is_anonymous"
    )
    # Customer 0 is valuable (150,000) and no returner (no previous products).
    snapshots = ResponseSegment.objects.filter(response=known)
    assert [(s.key, s.nps, s.completed_at, s.imported) for s in snapshots] == [
        ("valuable", 3, known.completed_at, True)
    ]
    assert not ResponseSegment.objects.filter(response=anonymous).exists()
