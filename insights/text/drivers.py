"""Key drivers: what drives a journey's score, by Shapley decomposition of R². Pure.

The outcome (a response's NPS or CES) is regressed on the candidate drivers (one 0/1
column per touchpoint, theme or customer attribute). Each driver's importance is its
Shapley share of the *adjusted* R² — its average gain over every order in which the
drivers could enter — so the shares add up to the model's adjusted R² and a driver that
only echoes another gets half the credit, not all of it. The adjusted R² is used so that
a driver unrelated to the outcome has an importance centred on 0 rather than on the
small positive R² any column earns by chance. The interval is a percentile bootstrap
over responses; with several drivers it is widened by Bonferroni (each at
1 − 0.05 / drivers), and a driver counts only when its interval excludes 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

MAX_DRIVERS = 8
BOOTSTRAP = 200
MIN_RESPONSES = 60


@dataclass(frozen=True)
class Driver:
    name: str
    importance: float  # points of adjusted R² (0…1)
    ci_low: float
    ci_high: float
    effect: float  # the outcome's mean with the driver minus without it

    @property
    def significant(self) -> bool:
        return self.ci_low > 0


@lru_cache(maxsize=16)
def _subsets(p: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return, per subset size, the subsets' bitmasks and their column indexes."""
    by_size: dict[int, list[int]] = {}
    for mask in range(1, 1 << p):
        by_size.setdefault(bin(mask).count("1"), []).append(mask)
    return [
        (
            np.array(masks),
            np.array([[j for j in range(p) if mask >> j & 1] for mask in masks]),
        )
        for _size, masks in sorted(by_size.items())
    ]


def _r2_of_subsets(corr: np.ndarray, p: int) -> np.ndarray:
    """Return R² of the outcome (last column of ``corr``) on every subset, by bitmask.

    The subsets of one size are solved together, as one stack of small systems.
    """
    r2 = np.zeros(1 << p)
    xy = corr[:p, p]
    xx = corr[:p, :p]
    for masks, idx in _subsets(p):
        size = idx.shape[1]
        sub = xx[idx[:, :, None], idx[:, None, :]] + 1e-9 * np.eye(size)
        r = xy[idx]
        solved = np.linalg.solve(sub, r[:, :, None])[:, :, 0]
        r2[masks] = np.einsum("ij,ij->i", r, solved)
    return r2


@lru_cache(maxsize=16)
def _shapley_matrix(p: int) -> np.ndarray:
    """Return the matrix that turns every subset's value into the drivers' shares."""
    sizes = [bin(mask).count("1") for mask in range(1 << p)]
    weights = [
        math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p)
        for s in range(p)
    ]
    matrix = np.zeros((p, 1 << p))
    for j in range(p):
        bit = 1 << j
        for mask in range(1 << p):
            if not mask & bit:
                matrix[j, mask | bit] += weights[sizes[mask]]
                matrix[j, mask] -= weights[sizes[mask]]
    return matrix


def _shapley(r2: np.ndarray, p: int, n: int) -> np.ndarray:
    sizes = np.array([bin(mask).count("1") for mask in range(1 << p)])
    adjusted = 1 - (1 - r2) * (n - 1) / np.maximum(n - sizes - 1, 1)
    adjusted[0] = 0.0
    return _shapley_matrix(p) @ adjusted


def _importance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    data = np.column_stack([x, y])
    spread = data.std(axis=0)
    if spread[-1] == 0:
        return np.zeros(x.shape[1])
    spread[spread == 0] = 1.0  # a constant column correlates with nothing
    centred = (data - data.mean(axis=0)) / spread
    corr = centred.T @ centred / len(y)
    return _shapley(_r2_of_subsets(corr, x.shape[1]), x.shape[1], len(y))


def key_drivers(
    x: np.ndarray,
    y: np.ndarray,
    names: list[str],
    *,
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
) -> list[Driver]:
    """Return the drivers, most important first; [] below MIN_RESPONSES."""
    x = np.asarray(x, dtype=float)[:, :MAX_DRIVERS]
    y = np.asarray(y, dtype=float)
    names = names[:MAX_DRIVERS]
    n, p = x.shape
    if n < MIN_RESPONSES or p == 0:
        return []
    estimate = _importance(x, y)
    rng = np.random.default_rng(seed)
    draws = np.array(
        [
            _importance(x[rows], y[rows])
            for rows in (rng.integers(0, n, n) for _ in range(bootstrap))
        ]
    )
    tail = 100 * 0.05 / (2 * p)
    lows, highs = np.percentile(draws, [tail, 100 - tail], axis=0)
    drivers = []
    for j, name in enumerate(names):
        present = x[:, j] > 0
        effect = (
            float(y[present].mean() - y[~present].mean())
            if present.any() and (~present).any()
            else 0.0
        )
        drivers.append(
            Driver(name, float(estimate[j]), float(lows[j]), float(highs[j]), effect)
        )
    return sorted(drivers, key=lambda driver: driver.importance, reverse=True)
