"""The report's charts: one 1–5 scale with every gridline labelled, legends for drawn series."""

from __future__ import annotations

import re

from django.utils import translation

from maturity import charts

LABELS = [f"D{i}" for i in range(1, 10)]


def legend_entries(svg: str) -> list[str]:
    return re.findall(
        r"<rect [^>]*width='10' height='10'[^>]*/><text[^>]*>([^<]+)<", svg
    )


def test_the_radar_names_the_self_assessment_only_when_it_is_drawn():
    evidence = (charts.EVIDENCE, [2.0] * 9)

    without = charts.radar(
        LABELS,
        {"Evidence": evidence, "Self-assessment": (charts.CLAIM, [None] * 9)},
        title="t",
    )
    with_claims = charts.radar(
        LABELS,
        {"Evidence": evidence, "Self-assessment": (charts.CLAIM, [3.0] * 9)},
        title="t",
    )

    assert legend_entries(without) == ["Evidence"]
    assert charts.CLAIM not in without
    assert legend_entries(with_claims) == ["Evidence", "Self-assessment"]


def test_the_bars_label_every_gridline_up_to_5_and_only_drawn_marks():
    svg = charts.dimension_bars(
        [charts.DimensionBar(label="D1 Listening", score=4.95, target=3.0)],
        title="t",
        legend={
            charts.EVIDENCE: "score",
            charts.PREVIOUS: "last assessment",
            charts.TARGET: "next level",
        },
    )

    ticks = re.findall(r"text-anchor='middle'[^>]*>(\d)</text>", svg)
    assert ticks == ["1", "2", "3", "4", "5"]
    assert legend_entries(svg) == ["score", "next level"]  # no previous bar drawn


def test_scores_are_written_with_the_languages_decimal_separator():
    with translation.override("fi"):
        finnish = charts.decimal(4.99)
    with translation.override("en"):
        english = charts.decimal(4.99)

    # Cut, not rounded: 4.99 is level 4 and must never read 5.
    assert (finnish, english) == ("4,9", "4.9")
