"""Seed 004's four levels, built as organisations, get their level from the real engine.

Each organisation comes from ``tests/maturity/builders.py``; its assessment is computed
as the product computes one: requested through the service, scored by the Celery task
once the request commits. The last tests pin the scoring rules these organisations
exposed, on crafted evidence without a database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cx.models import Organization
from maturity import method, services
from maturity.models import Assessment
from maturity.scoring import Observation, assess
from surveys.models import Response
from tests.maturity import builders

ALL_DIMENSIONS = [dimension.key for dimension in method.DIMENSIONS]


class Result:
    """A finished assessment's stored result, read by dimension and by marker."""

    def __init__(self, result: dict[str, Any]) -> None:
        self.raw = result
        self.level = result["level"]
        self.overclaims = result["overclaims"]
        self.held_back_by = result["held_back_by"]

    def dimension(self, key: str) -> dict[str, Any]:
        return next(d for d in self.raw["dimensions"] if d["key"] == key)

    def marker(self, key: str) -> dict[str, Any]:
        return next(
            m for d in self.raw["dimensions"] for m in d["markers"] if m["key"] == key
        )


@pytest.fixture
def assessed(django_capture_on_commit_callbacks) -> Callable[[Organization], Result]:
    def assessed(organization: Organization) -> Result:
        with django_capture_on_commit_callbacks(execute=True):
            requested = services.assessment_request(organization=organization)
        assessment = Assessment.objects.get(pk=requested.pk)
        assert assessment.status == Assessment.Status.DONE, assessment.error
        assert assessment.level == assessment.result["level"]
        return Result(assessment.result)

    return assessed


@pytest.mark.django_db
def test_anonymous_periodic_and_link_surveys_are_level_1(assessed):
    result = assessed(builders.level_1_tactical())

    assert result.level == 1
    assert result.raw["level_name"] == "Tactically driven"
    assert result.overclaims == []
    assert result.marker("d1_triggered_share")["value"] == 0.0
    assert result.marker("d1_triggered_share")["trials"] == 185
    assert result.marker("d2_identified_share")["value"] == 0.0
    assert result.marker("d3_touchpoints_exist")["value"] == 0.0
    assert result.dimension("D1")["score"] == 1.5  # answers every week, none triggered
    assert "D2 Customer identification (1.0)" in result.held_back_by
    assert result.raw["confidence_label"] == "High"


@pytest.mark.django_db
def test_identified_feedback_after_some_events_is_level_2(assessed):
    result = assessed(builders.level_2_event_driven())

    assert result.level == 2
    assert result.raw["level_name"] == "Event-driven"
    assert result.overclaims == []
    assert result.marker("d1_triggered_share")["value"] == pytest.approx(0.55)
    assert result.marker("d2_identified_share")["value"] == pytest.approx(0.70)
    assert result.marker("d3_best_journey_coverage")["value"] == pytest.approx(0.4)
    assert 0 < result.marker("d5_case_share")["value"] < 0.3
    assert result.dimension("D3")["score"] == 2.0
    # Identified at one touchpoint each, its customers are not recognised across them.
    assert result.held_back_by[:2] == [
        "D2 Customer identification (2.0)",
        "D3 Journey & touchpoint coverage (2.0)",
    ]
    assert result.raw["confidence_label"] == "High"


@pytest.mark.django_db
def test_journeys_segments_and_a_working_loop_are_level_3(assessed):
    result = assessed(builders.level_3_understanding_driven())

    assert result.level == 3
    assert result.raw["level_name"] == "Understanding-driven"
    assert result.overclaims == []
    assert result.marker("d3_best_journey_coverage")["value"] == 1.0
    assert result.marker("d3_all_journeys_coverage")["value"] == 0.5
    assert result.marker("d4_cells_reportable")["value"] == 1.0
    assert result.marker("d5_case_share")["value"] >= 0.7
    # Cases past their SLA closed with a root cause: the late ones still being worked
    # are not closed yet.
    assert result.marker("d5_root_cause")["value"] >= 0.9
    assert result.marker("d5_followed_up")["value"] >= 0.7
    # No webhook delivers feedback anywhere: D6 stays at 3, however well it shares.
    assert result.marker("d6_active_webhooks")["value"] == 0.0
    assert result.dimension("D6")["score"] == 3.0
    assert result.dimension("D8")["score"] == 3.0  # employees yes, leadership no
    assert {"D3", "D8", "D9"} <= {b.split()[0] for b in result.held_back_by}
    assert result.raw["confidence_label"] == "High"


@pytest.mark.django_db
def test_all_of_it_with_a_validated_used_measured_prediction_is_level_4(assessed):
    organization = builders.level_4_predictive()

    result = assessed(organization)

    assert result.level == 4
    assert result.raw["level_name"] == "Predictive"
    assert result.overclaims == []
    assert result.held_back_by == []
    # The prediction is measured, not claimed: published, used by a rule, effect known.
    assert result.marker("d4_predictions")["value"] == 1.0
    assert result.marker("d9_validated_prediction")["value"] == 1.0
    assert "effect" in result.marker("d9_validated_prediction")["context"]
    for key in ("D4", "D9"):
        assert result.dimension(key)["evidence_score"] >= 4.0
    assert result.marker("d3_all_journeys_coverage")["value"] == 1.0
    assert result.marker("d6_active_webhooks")["value"] == 2.0
    assert result.marker("d5_recovery_measured")["value"] == 1.0
    # Recovery answers belong to the loop: they neither dilute the triggered share
    # nor count as negative answers without a case.
    recovery_answers = Response.objects.filter(
        organization=organization, origin=Response.Origin.RECOVERY
    )
    assert recovery_answers.count() > 50
    assert result.marker("d1_triggered_share")["value"] > 0.95
    assert result.marker("d5_case_share")["value"] > 0.95
    assert result.raw["confidence_label"] == "High"


@pytest.mark.django_db
def test_the_same_without_the_prediction_stays_at_level_3(assessed):
    organization = builders.level_4_predictive("hindsight", prediction=False)

    result = assessed(organization)

    # Claiming predictions is not enough: level 4 needs the measured one.
    assert result.level == 3
    assert result.marker("d9_validated_prediction")["value"] == 0.0
    assert "D9" in {b.split()[0] for b in result.held_back_by}


@pytest.mark.django_db
def test_claiming_level_4_on_level_1_data_is_level_1_with_every_gap_flagged(
    assessed,
):
    result = assessed(builders.overclaiming_level_1())

    assert result.level == 1
    assert sorted(result.overclaims) == ALL_DIMENSIONS
    for key in ALL_DIMENSIONS:
        dimension = result.dimension(key)
        assert dimension["self_assessed_level"] == 4.0
        assert dimension["overclaim"]
        assert dimension["score"] <= dimension["evidence_score"] + 0.5
    # A claim cannot speak for predictions when the data already fails level 2.
    assert result.dimension("D4")["score"] == 1.5
    assert result.raw["index"] < 2


# The rules behind the results above, on crafted evidence -------------------------


def evidence_at(level: int, n: int = 400) -> dict[str, Observation]:
    """Return evidence meeting every marker up to ``level`` and none above it."""
    evidence = {}
    for marker in method.MARKERS:
        meets = marker.level <= level
        if marker.kind is method.Kind.FLAG:
            evidence[marker.key] = Observation.flag(meets)
        elif marker.kind is method.Kind.COUNT:
            evidence[marker.key] = Observation(marker.threshold if meets else 0)
        else:
            share = min(1.0, marker.threshold + 0.03) if meets else 0.0
            evidence[marker.key] = Observation.share(round(share * n), n)
    return evidence


def level_4_without_predictions() -> dict[str, Observation]:
    evidence = evidence_at(4)
    evidence["d4_predictions"] = Observation(None)
    evidence["d9_validated_prediction"] = Observation(None)
    return evidence


def test_the_self_assessment_speaks_for_a_level_the_data_cannot_judge():
    evidence = level_4_without_predictions()

    claimed = assess(evidence, {"D4": 4.0, "D9": 4.0}, draws=100)
    unclaimed = assess(evidence, draws=100)

    assert claimed.level == 4
    assert claimed.overclaims == ()  # nothing in the data contradicts the claim
    assert unclaimed.level == 3
    assert {b.split()[0] for b in unclaimed.held_back_by} == {"D4", "D9"}


def test_a_modest_claim_toward_an_unjudged_level_counts_as_progress():
    result = assess(level_4_without_predictions(), {"D9": 3.5}, draws=0)

    d9 = next(d for d in result.dimensions if d.dimension.key == "D9")
    assert (d9.evidence_score, d9.score) == (3.0, 3.5)
    assert not d9.overclaim


def test_a_level_is_not_carried_by_the_levels_below_it():
    evidence = evidence_at(4)
    evidence["d6_active_webhooks"] = Observation(0.0)  # its only level-4 marker

    result = assess(evidence, draws=0)

    d6 = next(d for d in result.dimensions if d.dimension.key == "D6")
    assert d6.evidence_level == 3
    assert result.level == 3
