"""The maturity rule on crafted evidence: levels, gating, blending, over-claims, confidence."""

from __future__ import annotations

import pytest

from maturity import method
from maturity.scoring import Observation, assess, marker_score

Obs = Observation


def evidence_at(level: int, n: int = 400) -> dict[str, Observation]:
    """Return evidence meeting every marker up to ``level`` and none above it."""
    evidence = {}
    for marker in method.MARKERS:
        meets = marker.level <= level
        if marker.kind is method.Kind.FLAG:
            evidence[marker.key] = Obs.flag(meets)
        elif marker.kind is method.Kind.COUNT:
            evidence[marker.key] = Obs(marker.threshold if meets else 0)
        else:
            share = min(1.0, marker.threshold + 0.03) if meets else 0.0
            evidence[marker.key] = Obs.share(round(share * n), n)
    return evidence


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_evidence_meeting_a_level_gives_that_level(level):
    result = assess(evidence_at(level), draws=200)

    assert result.level == level
    assert result.level_name == method.LEVEL_NAMES[method.Level(level)]
    assert result.confidence_label == "High"


def test_a_share_just_under_its_threshold_is_not_a_cliff():
    marker = method.MARKER_BY_KEY["d1_triggered_share_l3"]  # threshold 70 %

    assert marker_score(marker, 0.70) == 1.0
    assert marker_score(marker, 0.69) == pytest.approx(0.857, abs=0.01)
    assert marker_score(marker, 0.60) == 0.0
    assert marker_score(marker, None) is None


def test_one_weak_core_dimension_holds_the_organisation_back():
    evidence = evidence_at(3)
    for key in ("d5_followed_up", "d5_within_sla", "d5_root_cause"):
        evidence[key] = Obs.share(5, 100)

    result = assess(evidence, draws=200)

    assert result.level == 2
    assert any(blocker.startswith("D5 Closed loop") for blocker in result.held_back_by)
    closed_loop = next(d for d in result.dimensions if d.dimension.key == "D5")
    assert (
        "Work every case in the follow-up queue, not only some."
        in closed_loop.recommendations
    )


def test_claiming_level_4_on_level_1_data_is_flagged_and_capped():
    claims = {dimension.key: 4.0 for dimension in method.DIMENSIONS}

    result = assess(evidence_at(1), claims, draws=200)

    assert result.level == 1
    assert set(result.overclaims) == {d.key for d in method.DIMENSIONS}
    assert all(d.score <= d.evidence_score + 0.5 for d in result.dimensions)


def test_self_assessment_fills_in_where_data_cannot_show():
    evidence = evidence_at(2)
    for marker in method.MARKERS:
        if marker.dimension == "D8":
            evidence[marker.key] = Obs(None)  # nothing computable about employees

    with_claim = assess(evidence, {"D8": 3.0}, draws=0)
    d8 = next(d for d in with_claim.dimensions if d.dimension.key == "D8")

    assert d8.coverage == 0.0
    assert d8.score == pytest.approx(3.0)
    assert not d8.overclaim  # no data to contradict the claim


def test_thin_evidence_lowers_confidence_and_is_marked():
    # Level-2 shares measured on only 12 answers each sit near their thresholds.
    evidence = evidence_at(2, n=12)

    result = assess(evidence, draws=500)

    listening = next(d for d in result.dimensions if d.dimension.key == "D1")
    assert listening.insufficient_evidence
    assert result.confidence < assess(evidence_at(2, n=2000), draws=500).confidence


def test_the_monte_carlo_is_reproducible():
    evidence = evidence_at(2, n=40)

    assert assess(evidence, draws=300) == assess(evidence, draws=300)


def test_priorities_weigh_importance_by_gap():
    evidence = evidence_at(2)

    result = assess(evidence, importance={"D7": 5, "D3": 1}, draws=0)

    ranked = [key for key, _ in result.priorities]
    assert ranked.index("D7") < ranked.index("D3")


@pytest.mark.parametrize("dimension", [d.key for d in method.DIMENSIONS])
def test_every_dimension_has_markers_at_every_level(dimension):
    levels = {m.level for m in method.MARKERS if m.dimension == dimension}

    assert levels == {2, 3, 4}  # nothing is attained on the way


def test_a_dimension_the_organisation_does_nothing_in_scores_1():
    evidence = evidence_at(1)

    result = assess(evidence, draws=0)

    assert {d.dimension.key: d.score for d in result.dimensions} == {
        d.key: 1.0 for d in method.DIMENSIONS
    }


@pytest.mark.parametrize(
    ("days", "label"),
    [(4, "Low"), (21, "Low"), (42, "Medium"), (83, "Medium"), (84, "High")],
)
def test_a_short_history_caps_the_confidence_but_not_the_level(days, label):
    result = assess(evidence_at(2), draws=200, history_days=days)

    assert result.level == 2
    assert result.confidence_label == label
    codes = [reason["code"] for reason in result.confidence_reasons]
    assert codes == ([] if label == "High" else ["short_history"])


def test_the_short_history_is_said_in_words():
    from maturity.method import confidence_reason_text

    three_weeks = assess(evidence_at(2), draws=0, history_days=21)
    four_days = assess(evidence_at(2), draws=0, history_days=4)

    assert "only 3 weeks of data" in confidence_reason_text(
        three_weeks.confidence_reasons[0]
    )
    assert "only 4 days of data" in confidence_reason_text(
        four_days.confidence_reasons[0]
    )


@pytest.mark.parametrize(
    ("dimension", "marker"),
    [("D5", "d5_recovery_measured"), ("D2", "d2_multi_channel_share")],
)
def test_a_level_4_fact_missing_keeps_its_dimension_at_3(dimension, marker):
    evidence = evidence_at(4)
    evidence[marker] = Obs.share(0, 100)  # e.g. cases closed in time, recovery unknown

    result = assess(evidence, draws=0)

    scored = next(d for d in result.dimensions if d.dimension.key == dimension)
    assert scored.evidence_level == 3
