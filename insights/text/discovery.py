"""Discover themes in lemmatised comments: TF-IDF and NMF (scikit-learn). Pure: no ORM.

A topic is labelled by its most telling words (the heaviest terms of its NMF component).
A comment belongs to a topic when the topic's weight in it is at least half its largest
topic weight and above the topic's floor (a tenth of the topic's typical weight in the
comments it leads), so that noise comments stay without a theme instead of being forced
into one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import nnls
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer

SIGNATURE_WORDS = 20
LABEL_WORDS = 3
MIN_COMMENTS = 40
SHARE_OF_LEADER = 0.5
FLOOR_OF_TYPICAL = 0.25
FEW = 8  # up to this many comments are placed by NNLS


def topic_count(n_comments: int) -> int:
    """Return how many topics to look for in ``n_comments`` comments (4…16).

    Generous rather than frugal: a theme told by a few per cent of the comments needs
    a topic of its own, and a topic with nothing to hold stays small and unmatched.

    Words of the seed vocabulary (insights.text.vocabulary) are shared by fi, sv and
    en, so one theme told in them is one topic; a theme told only in other words may
    still make a topic per language, which the manager merges once (the merge is kept).
    """
    return max(4, min(16, round(math.sqrt(n_comments / 4))))


@dataclass
class Topic:
    """One discovered topic: its telling words and their weights (normalised to 1)."""

    words: list[str]
    signature: dict[str, float]

    @property
    def label(self) -> str:
        return " · ".join(self.words[:LABEL_WORDS])


@dataclass
class TopicModel:
    """A fitted vectoriser and NMF, able to place a new comment among the topics."""

    vectorizer: TfidfVectorizer
    nmf: NMF
    floors: np.ndarray
    topics: list[Topic] = field(default_factory=list)
    _basis: np.ndarray | None = None

    def weights(self, lemmatised: list[str]) -> np.ndarray:
        """Return the comments' topic weights (one row per comment).

        A few comments (a new one being tagged) are solved exactly by non-negative
        least squares against the topics, which is far quicker than NMF's iterative
        transform and minimises the same loss.
        """
        matrix = self.vectorizer.transform(lemmatised)
        if matrix.shape[0] > FEW:
            return self.nmf.transform(matrix)
        if self._basis is None:
            self._basis = np.asarray(self.nmf.components_, dtype=float).T
        return np.array(
            [nnls(self._basis, row.toarray().ravel())[0] for row in matrix]
        ).reshape(matrix.shape[0], -1)

    def assign(self, weights: np.ndarray) -> list[list[int]]:
        """Return, for each row of ``weights``, the indexes of its topics."""
        return assign(weights, self.floors)


def assign(weights: np.ndarray, floors: np.ndarray) -> list[list[int]]:
    """Return the topics of each comment (see the module rule)."""
    leader = weights.max(axis=1, keepdims=True)
    chosen = (weights >= SHARE_OF_LEADER * leader) & (weights > floors) & (leader > 0)
    return [list(np.flatnonzero(row)) for row in chosen]


def discover(
    lemmatised: list[str], *, k: int | None = None, seed: int = 0
) -> TopicModel | None:
    """Fit topics to the comments; None when there are too few to learn from."""
    if len(lemmatised) < MIN_COMMENTS:
        return None
    vectorizer = TfidfVectorizer(
        token_pattern=r"\S+",  # noqa: S106 (a regex, not a password)
        min_df=3,
        max_df=0.5,
        sublinear_tf=True,
        dtype=np.float32,
    )
    try:
        matrix = vectorizer.fit_transform(lemmatised)
    except ValueError:  # no word occurs often enough
        return None
    k = min(k or topic_count(len(lemmatised)), matrix.shape[1] - 1)
    if k < 2:
        return None
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=300)
    weights = nmf.fit_transform(matrix)
    leaders = weights.argmax(axis=1)
    floors = np.zeros(k)
    for topic in range(k):
        led = weights[leaders == topic, topic]
        led = led[led > 0]
        floors[topic] = FLOOR_OF_TYPICAL * float(np.median(led)) if led.size else 0.0
    terms = vectorizer.get_feature_names_out()
    topics = []
    for component in nmf.components_:
        top = np.argsort(component)[::-1][:SIGNATURE_WORDS]
        total = float(component[top].sum()) or 1.0
        topics.append(
            Topic(
                words=[str(terms[i]) for i in top],
                signature={str(terms[i]): float(component[i]) / total for i in top},
            )
        )
    return TopicModel(vectorizer=vectorizer, nmf=nmf, floors=floors, topics=topics)


def similarity(a: dict[str, float], b: dict[str, float]) -> float:
    """Return the cosine similarity of two topic signatures (0…1)."""
    dot = sum(weight * b.get(word, 0.0) for word, weight in a.items())
    norm = math.sqrt(sum(w * w for w in a.values()) * sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


def match(
    new: list[dict[str, float]], old: dict[int, dict[str, float]], *, at_least: float
) -> dict[int, int]:
    """Return new topic index → old theme id, best pairs first, each used once.

    This is how a manager's edits survive retraining: a new topic that looks like a
    theme already known (its telling words overlap enough) keeps being that theme.
    """
    pairs = sorted(
        (
            (similarity(signature, before), index, theme_id)
            for index, signature in enumerate(new)
            for theme_id, before in old.items()
        ),
        reverse=True,
    )
    matched: dict[int, int] = {}
    used: set[int] = set()
    for score, index, theme_id in pairs:
        if score < at_least:
            break
        if index in matched or theme_id in used:
            continue
        matched[index] = theme_id
        used.add(theme_id)
    return matched


def purity(
    found: list[list[int]], truth: list[int | None]
) -> dict[int, tuple[int | None, float, int]]:
    """Return topic → (majority true label, purity, size) over the comments it holds."""
    members: dict[int, list[int | None]] = {}
    for topics, label in zip(found, truth, strict=True):
        for topic in topics:
            members.setdefault(topic, []).append(label)
    result: dict[int, tuple[int | None, float, int]] = {}
    for topic, labels in members.items():
        counts: dict[int | None, int] = {}
        for label in labels:
            counts[label] = counts.get(label, 0) + 1
        best = max(counts, key=lambda key: counts[key])
        result[topic] = (best, counts[best] / len(labels), len(labels))
    return result
