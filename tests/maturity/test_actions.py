"""What to do next: unblockers first, quick wins before programmes, each with its page."""

from __future__ import annotations

from maturity import actions
from maturity.method import MARKERS


def result_with_nothing_met() -> dict:
    """A level-1 result in which no marker is met, held back by D1, D2 and D6."""
    dimensions: dict[str, list[dict]] = {}
    for marker in MARKERS:
        dimensions.setdefault(marker.dimension, []).append(
            {
                "key": marker.key,
                "level": int(marker.level),
                "must_have": marker.must_have,
                "met": False,
            }
        )
    return {
        "level": 1,
        "held_back_by": ["D1 Listening mode (1.0)", "D2 x (1.0)", "D6 y (1.0)"],
        "dimensions": [
            {"key": key, "markers": markers} for key, markers in dimensions.items()
        ],
    }


def test_the_first_actions_unblock_the_next_level_and_link_to_a_page():
    found = actions.actions(result_with_nothing_met(), limit=3)

    assert len(found) == 3
    assert all(action.unblocks for action in found)
    assert {action.dimension for action in found} <= {"D1", "D2", "D6"}
    assert all(action.url.startswith("/") for action in found)


def test_the_roadmap_puts_quick_wins_first_and_none_at_twelve_months():
    timeline = actions.timeline(actions.actions(result_with_nothing_met()))

    efforts = [[a.effort for a in listed] for _horizon, listed in timeline]
    assert [horizon for horizon, _listed in timeline] == [
        "Next 90 days",
        "Within 6 months",
        "Within 12 months",
    ]
    assert set(efforts[0]) == {actions.Effort.QUICK}
    assert actions.Effort.QUICK not in efforts[2]
    # A minute-long task ("add a webhook") is a quick win, never a twelve-month item.
    webhook = next(
        a for a in actions.actions(result_with_nothing_met()) if "webhook" in a.text
    )
    assert webhook.effort is actions.Effort.QUICK


def test_no_action_asks_to_switch_on_deviation_alerts():
    # Deviation alerts run every day by themselves: there is no switch to turn on.
    found = actions.actions(result_with_nothing_met())

    assert not any("Turn on deviation alerts" in action.text for action in found)
    assert any("daily deviation alerts" in action.text for action in found)


def test_every_marker_says_where_its_action_is_done():
    # A marker renamed in the method without its entry here would fall back to its
    # dimension's page: say so at once instead.
    from maturity.method import MARKERS

    assert {marker.key for marker in MARKERS} == set(actions.WHERE)


def test_a_blocking_dimension_whose_lower_markers_are_met_gets_its_next_step():
    """D7 meets every marker up to level 3 but its self-assessment holds it below 3:
    the level-4 marker is the way up, so it is an unblocker and reaches the roadmap
    ahead of actions that unblock nothing."""
    result = result_with_nothing_met()
    result["level"] = 2
    result["held_back_by"] = ["D7 Governance & ownership (2.8)"]
    for dimension in result["dimensions"]:
        for marker in dimension["markers"]:
            marker["met"] = dimension["key"] == "D7" and marker["level"] <= 3
    d7 = next(a for a in actions.actions(result) if a.dimension == "D7")

    assert d7.unblocks
    assert actions.actions(result, limit=1) == [d7]
    horizons = dict(actions.timeline(actions.actions(result)))
    assert d7 in horizons[d7.horizon]

    # With a lower marker of D7 unmet, the level-4 one is no step of the way.
    for dimension in result["dimensions"]:
        for marker in dimension["markers"]:
            if marker["key"] == "d7_owner_set":
                marker["met"] = False
    by_marker = {a.marker: a for a in actions.actions(result) if a.dimension == "D7"}
    assert by_marker["d7_owner_set"].unblocks
    assert not by_marker["d7_targets_in_management"].unblocks
