"""The effect of acting on a prediction: Newcombe's interval and the sample-ratio check."""

from __future__ import annotations

import numpy as np

from predictions import stats


def test_aa_splits_exclude_zero_about_five_percent_of_the_time():
    rng = np.random.default_rng(2026)
    runs, customers, holdout, rate = 1000, 4000, 0.10, 0.25
    held = rng.random((runs, customers)) < holdout
    outcomes = rng.random((runs, customers)) < rate  # the same rate in both arms
    n_held = held.sum(axis=1)
    k_held = (outcomes & held).sum(axis=1)
    n_acted = customers - n_held
    k_acted = (outcomes & ~held).sum(axis=1)

    _, low, high = stats.newcombe_difference(k_acted, n_acted, k_held, n_held)
    share = float(((low > 0) | (high < 0)).mean())

    assert 0.036 <= share <= 0.064, share


def test_a_planted_minus_five_points_effect_is_recovered_inside_its_interval():
    rng = np.random.default_rng(7)
    acted = rng.random(18_000) < 0.25  # acting lowered the outcome rate from 30 %
    held = rng.random(2_000) < 0.30

    effect = stats.Effect(
        acted=len(acted),
        acted_outcomes=int(acted.sum()),
        held_out=len(held),
        held_out_outcomes=int(held.sum()),
        holdout_share=0.10,
    )

    difference = effect.difference
    assert difference.low <= -0.05 <= difference.high
    assert difference.high < 0  # and it is told apart from no effect
    assert not effect.sample_ratio_alert


def test_a_45_55_split_of_a_planned_50_50_holdout_trips_the_sample_ratio_alert():
    effect = stats.Effect(
        acted=900, acted_outcomes=200, held_out=1100, held_out_outcomes=250,
        holdout_share=0.5,
    )  # fmt: skip

    assert effect.sample_ratio_p < 0.001
    assert effect.sample_ratio_alert


def test_a_split_as_planned_raises_no_alert():
    effect = stats.Effect(
        acted=1802, acted_outcomes=400, held_out=198, held_out_outcomes=50,
        holdout_share=0.1,
    )  # fmt: skip

    assert not effect.sample_ratio_alert


def test_delong_interval_covers_a_known_auc():
    rng = np.random.default_rng(1)
    labels = rng.random(4000) < 0.3
    scores = rng.normal(labels * 1.0, 1.0)  # binormal, d' = 1: AUC = Φ(1/√2) ≈ 0.760
    auc = stats.auc_delong(labels, scores)

    assert auc.low < 0.7602 < auc.high
    assert auc.high - auc.low < 0.05


def test_reliability_table_counts_every_customer_once():
    rng = np.random.default_rng(3)
    risk = rng.random(1000)
    labels = rng.random(1000) < risk

    table = stats.reliability(labels, risk)

    assert sum(row["n"] for row in table) == 1000
    assert all(row["low"] <= row["observed"] <= row["high"] for row in table)
    assert stats.brier(labels, risk) < stats.brier(labels, np.full(1000, 0.5))
