"""Themes, impact, rising themes and key drivers, computed without a database."""

from __future__ import annotations

import numpy as np
import pytest

from cx.statistics import nps
from insights.text.discovery import discover, purity
from insights.text.drivers import key_drivers
from insights.text.impact import theme_impact
from insights.text.language import lemmatised
from insights.text.rising import WeekCount, benjamini_hochberg, rising
from tests.insights.text.corpus import SHARES, corpus


def test_five_of_six_planted_themes_are_recovered_pure():
    comments = corpus(1500, seed=7)
    docs = [lemmatised(comment.text, comment.language) for comment in comments]
    model = discover(docs, seed=0)
    assert model is not None
    found = model.assign(model.weights(docs))
    pure = {
        label
        for label, share, size in purity(found, [c.theme for c in comments]).values()
        if label is not None and share >= 0.7 and size >= 20
    }
    assert len(pure) >= 5, pure
    assert pure <= set(SHARES)


def test_too_few_comments_discover_nothing():
    comments = corpus(20)
    assert discover([lemmatised(c.text, c.language) for c in comments]) is None


def test_theme_impact_equals_nps_recomputed_without_the_theme():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 11, 800)
    has_theme = rng.random(800) < 0.2
    scores[has_theme] = rng.integers(0, 7, int(has_theme.sum()))  # the theme hurts
    impact = theme_impact("nps", scores, has_theme)
    rest = scores[~has_theme]
    brute_without = nps(int((rest >= 9).sum()), int((rest <= 6).sum()), rest.size)
    brute_all = nps(int((scores >= 9).sum()), int((scores <= 6).sum()), scores.size)
    assert impact.without == pytest.approx(brute_without.value)
    assert impact.change == pytest.approx(brute_without.value - brute_all.value)
    assert impact.ci_low < impact.change < impact.ci_high
    assert impact.significant and impact.change > 0  # removing it raises NPS


def test_ces_impact_is_the_change_of_the_mean():
    scores = np.array([7, 7, 6, 2, 1, 2, 7, 6] * 10)
    has_theme = scores <= 2
    impact = theme_impact("ces", scores, has_theme)
    assert impact.overall == pytest.approx(scores.mean())
    assert impact.change == pytest.approx(scores[~has_theme].mean() - scores.mean())


def test_benjamini_hochberg_matches_the_textbook_example():
    adjusted = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.02, 0.04, 0.04, 0.02])


def _weeks(rng, shares, weeks, n=500):
    """Return weekly counts per theme: shares[t](week) is theme t's true share."""
    return [
        [int(rng.binomial(n, share(week))) for share in shares] for week in range(weeks)
    ]


def _alerts(counts, n=500, start=8):
    alerted = []
    for week in range(start, len(counts)):
        base = counts[week - 8 : week]
        found = rising(
            [
                WeekCount(
                    theme=t,
                    count=counts[week][t],
                    n=n,
                    baseline_count=sum(row[t] for row in base),
                    baseline_n=8 * n,
                )
                for t in range(len(counts[week]))
            ]
        )
        alerted += [(week, rise.theme) for rise in found]
    return alerted


def test_a_theme_rising_from_one_to_four_percent_is_alerted_within_two_weeks():
    rng = np.random.default_rng(11)
    shares = [lambda w: 0.01 if w < 20 else 0.04] + [lambda w: 0.08] * 7
    alerted = _alerts(_weeks(rng, shares, 30))
    first = min(week for week, theme in alerted if theme == 0)
    assert 20 <= first <= 21


def test_fifty_two_unchanged_weeks_give_at_most_one_false_alert():
    rng = np.random.default_rng(12)
    shares = [lambda w, s=s: s for s in (0.01, 0.03, 0.05, 0.08, 0.1, 0.12, 0.2, 0.02)]
    alerted = _alerts(_weeks(rng, shares, 60))
    assert len(alerted) <= 1, alerted


def test_the_planted_touchpoint_drives_the_score_and_a_shuffled_one_nothing():
    rng = np.random.default_rng(5)
    n = 900
    x = (rng.random((n, 5)) < 0.3).astype(float)
    y = 8 - 3 * x[:, 3] - 0.3 * x[:, 0] + rng.normal(0, 2, n)
    names = ["Branch", "Chat", "Phone", "Application form", "Email"]
    drivers = key_drivers(x, y, names, bootstrap=120)
    assert drivers[0].name == "Application form"
    assert drivers[0].ci_low > 0 and drivers[0].effect < 0
    shuffled = key_drivers(x, rng.permutation(y), names, bootstrap=120, seed=1)
    assert not [driver.name for driver in shuffled if driver.significant]


def test_a_themes_change_and_interval_are_written_alike_in_each_language():
    """The report and the themes page write "−5.6 (−7.0 … −4.3)": one minus sign and
    the language's decimal comma for the figure and its interval alike."""
    from django.utils import translation

    from insights.text.impact import Impact
    from insights.text.selectors import ThemeRow

    row = ThemeRow(
        theme=None,  # type: ignore[arg-type]
        volume=84,
        share=0.1,
        impact=Impact(84, 900, 60.0, -18.0, -12.4, -5.6, -7.04, 4.3),
    )
    with translation.override("en"):
        assert (row.change_shown, row.interval_shown) == ("−5.6", "−7.0 … 4.3")
    with translation.override("fi"):
        assert (row.change_shown, row.interval_shown) == ("−5,6", "−7,0 … 4,3")
    unknown = ThemeRow(None, 3, 0.0, Impact(3, 3, None, None, None, None, None, None))  # type: ignore[arg-type]
    assert (unknown.change_shown, unknown.interval_shown) == ("", "")
