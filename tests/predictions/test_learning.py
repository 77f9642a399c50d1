"""The learning method on generated data: it finds a planted signal and refuses noise."""

from __future__ import annotations

import numpy as np
import pytest

from predictions import learning
from predictions.features import History
from predictions.synthetic import ABANDONED, generate


def history_of(generated, *, shuffle_labels: bool = False):
    history = History.build(
        event_customers=generated.event_customers,
        event_types=generated.event_types,
        event_times=generated.event_times,
        answer_customers=generated.answer_customers,
        answer_metrics=["ces"] * len(generated.answer_customers),
        answer_scores=generated.answer_scores,
        answer_times=generated.answer_times,
        answer_comments=np.zeros(len(generated.answer_customers), bool),
    )

    def outcome(customers, at):
        labels = history.event_outcome(ABANDONED, customers, at, horizon_days=14)
        if shuffle_labels:
            labels = np.random.default_rng(1).permutation(labels)
        return labels.astype(int)

    return history, outcome


@pytest.fixture(scope="module")
def planted():
    generated = generate(4000, seed=3)
    history, outcome = history_of(generated)
    return learning.train(history, outcome, now=generated.now, horizon_days=14)


def test_planted_signal_validates_and_reasons_name_it(planted):
    trained = planted

    auc = trained.card["auc"]
    assert trained.published, trained.refusals
    assert auc["low"] > 0.5
    assert trained.card["sizes"]["test_positives"] >= 50
    # The riskiest tenth abandons more often than average, and beats the last score.
    assert trained.card["lift_top_decile"] > 1.5
    factors = [factor["feature"] for factor in trained.card["top_factors"]]
    planted = {"events:chat.ended:10", "events:chat.ended:60", "last_score:ces"}
    assert planted & set(factors), factors
    # The test period is later than every training cutoff plus its horizon.
    periods = trained.card["periods"]
    assert periods["train_to"] < periods["test_from"]


def test_a_planted_customer_gets_the_planted_reasons(planted):
    trained = planted

    def applicant(chats: int, ces: int) -> np.ndarray:
        row = trained.means.copy()
        values = {
            "events:loan.page_viewed:60": 1,
            "events:mortgage.application_submitted:10": 1,
            "events:mortgage.application_submitted:60": 1,
            "events:chat.ended:10": chats,
            "events:chat.ended:60": chats,
            "last_score:ces": ces,
            "answers:90": 1,
            "low_scores:90": int(ces <= 3),
            "days_since_last_event": 1,
        }
        for name, value in values.items():
            row[trained.names.index(name)] = value
        return row

    struggling = applicant(chats=4, ces=2)
    risk, effects = learning.contributions(trained.estimator, struggling, trained.means)
    smooth_risk, _ = learning.contributions(
        trained.estimator, applicant(chats=0, ces=6), trained.means
    )
    named = {
        r["feature"] for r in learning.reasons(effects[0], struggling, trained.names)
    }

    assert risk[0] > 2 * smooth_risk[0]
    assert named & {
        "events:chat.ended:10",
        "events:chat.ended:60",
        "last_score:ces",
        "low_scores:90",
    }, named


def test_shuffled_labels_are_refused_with_the_reason():
    generated = generate(3000, seed=3)
    history, outcome = history_of(generated, shuffle_labels=True)

    trained = learning.train(history, outcome, now=generated.now, horizon_days=14)

    assert not trained.published
    assert "auc_reaches_chance" in [r["code"] for r in trained.refusals]


def test_too_few_outcomes_are_refused():
    generated = generate(400, seed=5, base=0.02, lift=0.1)
    history, outcome = history_of(generated)

    trained = learning.train(history, outcome, now=generated.now, horizon_days=14)

    refusal = next(r for r in trained.refusals if r["code"] == "few_outcomes")
    assert refusal["positives"] < 50 and refusal["needed"] == 50


def test_future_data_changes_no_feature():
    generated = generate(1500, seed=7)
    history, _ = history_of(generated)
    at = generated.start + 60 * 86_400
    customers = np.arange(len(history.customer_ids))
    spec = learning.FeatureSpec(event_types=learning.top_types(history))
    before = history.features(spec, customers, np.full(len(customers), at))
    later = generated.event_times >= at
    # Append a burst of events and answers at and after the prediction time.
    ids = history.customer_ids
    appended = History.build(
        event_customers=np.concatenate([generated.event_customers, ids, ids]),
        event_types=np.concatenate(
            [generated.event_types, ["chat.ended"] * len(ids), [ABANDONED] * len(ids)]
        ),
        event_times=np.concatenate(
            [generated.event_times, np.full(len(ids), at), np.full(len(ids), at + 99)]
        ),
        answer_customers=np.concatenate([generated.answer_customers, ids]),
        answer_metrics=["ces"] * (len(generated.answer_customers) + len(ids)),
        answer_scores=np.concatenate([generated.answer_scores, np.ones(len(ids))]),
        answer_times=np.concatenate([generated.answer_times, np.full(len(ids), at)]),
        answer_comments=np.concatenate(
            [np.zeros(len(generated.answer_customers), bool), np.ones(len(ids), bool)]
        ),
    )
    after = appended.features(spec, customers, np.full(len(customers), at))

    assert later.any()
    np.testing.assert_array_equal(before, after)
    # The same data counted at a later moment does change: the test can see a change.
    moved = appended.features(spec, customers, np.full(len(customers), at + 100))
    assert not np.array_equal(before, moved)


def _with_cases_and_segments(generated, *, extra=None):
    """Return a history of ``generated`` plus follow-up cases and segment snapshots."""
    rng = np.random.default_rng(5)
    customers = np.unique(generated.answer_customers)
    opened = generated.start + rng.integers(0, 100, len(customers)) * 86_400
    closed = [
        int(o + 5 * 86_400) if k % 2 else None for k, o in enumerate(opened)
    ]  # every other case still open
    snap_customers = generated.answer_customers
    snap_keys = np.where(generated.answer_scores <= 3, "struggling", "gold")
    snap_times = generated.answer_times
    parts = {
        "case_customers": list(customers), "case_opened": list(opened),
        "case_closed": closed, "segment_customers": list(snap_customers),
        "segment_keys": list(snap_keys), "segment_times": list(snap_times),
    }  # fmt: skip
    for name, more in (extra or {}).items():
        parts[name] = list(parts[name]) + list(more)
    return History.build(
        event_customers=generated.event_customers,
        event_types=generated.event_types,
        event_times=generated.event_times,
        answer_customers=generated.answer_customers,
        answer_metrics=["ces"] * len(generated.answer_customers),
        answer_scores=generated.answer_scores,
        answer_times=generated.answer_times,
        answer_comments=np.zeros(len(generated.answer_customers), bool),
        **parts,
    )


def test_cases_and_segment_changes_after_the_moment_change_no_feature():
    generated = generate(1500, seed=8)
    history = _with_cases_and_segments(generated)
    at = generated.start + 60 * 86_400
    spec = learning.FeatureSpec(
        event_types=learning.top_types(history),
        segments=learning.top_segments(history),
    )
    assert set(spec.segments) == {"struggling", "gold"}
    customers = np.arange(len(history.customer_ids))
    moments = np.full(len(customers), at)
    before = history.features(spec, customers, moments)
    ids = history.customer_ids
    # At and after the moment: a new case for everyone, every case closed, and every
    # customer snapshotted into both segments (their membership "changed").
    appended = _with_cases_and_segments(
        generated,
        extra={
            "case_customers": ids, "case_opened": np.full(len(ids), at),
            "case_closed": [at + 3600] * len(ids),
            "segment_customers": np.concatenate([ids, ids]),
            "segment_keys": ["struggling"] * len(ids) + ["gold"] * len(ids),
            "segment_times": np.full(2 * len(ids), at + 60),
        },
    )  # fmt: skip
    after = appended.features(spec, customers, moments)

    np.testing.assert_array_equal(before, after)
    names = spec.names()
    open_cases = before[:, names.index("cases:open")]
    struggling = before[:, names.index("segment:struggling")]
    assert open_cases.any() and struggling.any() and not struggling.all()
    # Counted at a later moment, the appended cases and snapshots do show.
    moved = appended.features(spec, customers, moments + 7200)
    assert (
        moved[:, names.index("cases:90")] > before[:, names.index("cases:90")]
    ).all()
    assert (moved[:, names.index("segment:struggling")] == 1).all()


def test_the_cached_scorer_gives_scikit_learns_risks_and_reasons(planted):
    from predictions.scoring import scorer_from
    from predictions.services import _pickled

    scorer = scorer_from(_pickled(planted))
    rows = np.random.default_rng(2).poisson(2.0, size=(50, len(planted.names)))
    rows = rows.astype(float)
    risk, effects = scorer.risks(rows)
    expected_risk, expected_effects = learning.contributions(
        planted.estimator, rows, planted.means
    )

    assert scorer.weights is not None  # the logistic model, folded to one vector
    np.testing.assert_allclose(risk, expected_risk, atol=1e-9)
    np.testing.assert_allclose(effects, expected_effects, atol=1e-9)
