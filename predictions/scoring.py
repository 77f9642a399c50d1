"""A published model ready to score one customer in microseconds (no ORM).

A published version never changes, so each process unpickles it once and keeps it,
keyed by the version's id. For the default model (standardised features and a logistic
regression) the scaler is folded into the coefficients, so a customer's risk is one
dot product and a sigmoid, and each feature's effect (the risk minus the risk with that
feature at its training mean) is one vector operation — the same figures
``learning.contributions`` computes through scikit-learn, without its per-call
validation, which cost milliseconds per event. Any other estimator (histogram boosting)
is scored through ``learning.contributions``.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from predictions import learning
from predictions.features import FeatureSpec


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class Scorer:
    """A fitted model with what scoring needs: its features, means and coefficients."""

    spec: FeatureSpec
    names: list[str]
    means: np.ndarray
    estimator: Any
    weights: np.ndarray | None = None  # on raw features; None: not a logistic model
    intercept: float = 0.0

    def risks(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (risk, per-feature effect) of each row of ``matrix``."""
        matrix = np.atleast_2d(matrix)
        if self.weights is None:
            return learning.contributions(self.estimator, matrix, self.means)
        z = matrix @ self.weights + self.intercept
        risk = _sigmoid(z)
        without = _sigmoid(z[:, None] - self.weights * (matrix - self.means))
        return risk, risk[:, None] - without


def _folded(estimator: Any) -> tuple[np.ndarray, float] | None:
    """Return the raw-feature weights and intercept of a scaler + logistic pipeline."""
    if not isinstance(estimator, Pipeline) or len(estimator.steps) != 2:
        return None
    scaler, model = (step for _, step in estimator.steps)
    if not hasattr(scaler, "scale_") or not hasattr(model, "coef_"):
        return None
    if model.coef_.shape[0] != 1:
        return None
    scale = np.where(scaler.scale_ == 0, 1.0, scaler.scale_)
    weights = model.coef_[0] / scale
    intercept = float(model.intercept_[0] - np.sum(weights * scaler.mean_))
    return weights, intercept


def scorer_from(raw: bytes) -> Scorer:
    """Return the scorer of a version's pickled model (as ``services`` stores it)."""
    fitted: dict[str, Any] = pickle.loads(raw)  # noqa: S301 — written by services._pickled
    spec = FeatureSpec(
        event_types=tuple(fitted["event_types"]),
        segments=tuple(fitted.get("segments", ())),
        # Models pickled before case features existed read none.
        cases=bool(fitted.get("cases", False)),
    )
    folded = _folded(fitted["estimator"])
    return Scorer(
        spec=spec,
        names=list(fitted["names"]),
        means=np.asarray(fitted["means"], dtype=float),
        estimator=fitted["estimator"],
        weights=folded[0] if folded else None,
        intercept=folded[1] if folded else 0.0,
    )
