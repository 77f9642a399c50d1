"""What holds the organisation back, in words: a missing marker, or its own claim."""

from __future__ import annotations

from django.utils import translation

from maturity import overview


def dimension(key, score, evidence, claim, met_up_to):
    return {
        "key": key,
        "score": score,
        "evidence_score": evidence,
        "self_assessed_level": claim,
        "markers": [
            {
                "key": f"{key}_{level}",
                "label": f"marker {level}",
                "level": level,
                "met": level <= met_up_to,
            }
            for level in (2, 3, 4)
        ],
    }


def test_a_dimension_held_back_by_its_self_assessment_says_so():
    result = {
        "level": 2,
        "held_back_by": ["D2 Customer identification (2.0)", "D7 Governance (2.8)"],
        "dimensions": [
            dimension("D2", 2.0, 2.0, 2.0, met_up_to=2),
            dimension("D7", 2.8, 3.0, 2.5, met_up_to=3),
            dimension("D8", 2.0, 2.0, 1.0, met_up_to=2),  # not blocking
        ],
    }

    d2, d7 = overview.blockers(result)

    assert (d2.key, d2.missing, d2.held_by_claim) == ("D2", ("marker 3",), False)
    assert (d7.key, d7.missing, d7.held_by_claim) == ("D7", (), True)
    with translation.override("fi"):
        assert (d7.evidence_shown, d7.claim_shown) == ("3,0", "2,5")


def test_no_claim_or_evidence_short_of_the_level_is_not_blamed_on_the_claim():
    short = overview.Blocker("D7", "Governance", 2.8, 3, (), evidence=2.9, claim=2.5)
    unclaimed = overview.Blocker("D7", "Governance", 2.8, 3, (), evidence=3.0)
    higher = overview.Blocker("D7", "Governance", 2.8, 3, (), evidence=3.0, claim=3.5)

    assert not any(b.held_by_claim for b in (short, unclaimed, higher))
