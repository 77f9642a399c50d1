"""Sentiment per comment, learned per organisation from the comments' own scores. Pure.

No Finnish sentiment lexicon ships in any package, so the labels come from the score
given with the comment: a promoter (NPS 9–10), a satisfied customer (CSAT 4–5) or an
easy experience (CES 6–7) wrote a positive comment; a detractor (NPS 0–6), CSAT 1–2 or
CES 1–3 a negative one; the middle is left out. A logistic regression over lemmas and
lemma pairs is trained on the earlier 80 % (by time) and judged on the later 20 %: the
held-out accuracy is published with its Wilson interval only when it passes the gate
(enough labelled comments, and the interval's bottom above both chance and the share of
the commoner label). Otherwise every comment's sentiment is "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from cx.statistics import wilson

MIN_LABELLED = 150
MIN_HELD_OUT = 40
HELD_OUT_SHARE = 0.2
# A comment is positive or negative only when the model is this sure; otherwise mixed.
SURE = 0.65
# It disagrees with its score when the model is this sure of the opposite.
DISAGREE = 0.8


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    MIXED = "mixed"
    UNKNOWN = "unknown"


def label_of(question_type: str, number: int | None) -> int | None:
    """Return 1 (positive), 0 (negative) or None (middle or no score) for a score."""
    if number is None:
        return None
    if question_type == "nps":
        return 1 if number >= 9 else 0 if number <= 6 else None
    if question_type == "csat":
        return 1 if number >= 4 else 0 if number <= 2 else None
    if question_type == "ces":
        return 1 if number >= 6 else 0 if number <= 3 else None
    return None


@dataclass(frozen=True)
class Validation:
    """How the model did on the later comments it was not trained on."""

    labelled: int
    held_out: int
    accuracy: float | None
    ci_low: float | None
    ci_high: float | None
    base_rate: float | None  # share of the commoner label in the held-out comments
    published: bool
    reason: str  # why not published ("" when it is)


@dataclass
class SentimentModel:
    validation: Validation
    pipeline: Pipeline | None

    def probabilities(self, lemmatised: list[str]) -> np.ndarray | None:
        """Return P(positive) per comment, or None when the gate refused the model."""
        if self.pipeline is None or not lemmatised:
            return None
        return self.pipeline.predict_proba(lemmatised)[:, 1]


UNTRAINED = SentimentModel(
    Validation(0, 0, None, None, None, None, False, "too_few"), None
)


def sentiment_of(probability: float | None) -> Sentiment:
    if probability is None:
        return Sentiment.UNKNOWN
    if probability >= SURE:
        return Sentiment.POSITIVE
    if probability <= 1 - SURE:
        return Sentiment.NEGATIVE
    return Sentiment.MIXED


def disagrees(probability: float | None, label: int | None) -> bool:
    """Return whether the comment's sentiment contradicts its score ("10 — but…")."""
    if probability is None or label is None:
        return False
    return probability <= 1 - DISAGREE if label == 1 else probability >= DISAGREE


def _pipeline() -> Pipeline:
    return make_pipeline(
        TfidfVectorizer(
            token_pattern=r"\S+",  # noqa: S106 (a regex, not a password) ngram_range=(1, 2), min_df=2, sublinear_tf=True
        ),
        LogisticRegression(C=4.0, max_iter=1000, class_weight="balanced"),
    )


def train(lemmatised: list[str], labels: list[int]) -> SentimentModel:
    """Train on the comments in time order (earliest first) and validate on the latest."""
    n = len(labels)
    if n < MIN_LABELLED:
        return SentimentModel(
            Validation(n, 0, None, None, None, None, False, "too_few"), None
        )
    split = int(n * (1 - HELD_OUT_SHARE))
    train_y, test_y = np.array(labels[:split]), np.array(labels[split:])
    if len(set(train_y)) < 2 or len(test_y) < MIN_HELD_OUT:
        return SentimentModel(
            Validation(n, len(test_y), None, None, None, None, False, "too_few"), None
        )
    pipeline = _pipeline().fit(lemmatised[:split], train_y)
    correct = int((pipeline.predict(lemmatised[split:]) == test_y).sum())
    low, high = wilson(correct, len(test_y))
    base = max(float(test_y.mean()), 1 - float(test_y.mean()))
    published = low > max(0.5, base)
    validation = Validation(
        labelled=n,
        held_out=len(test_y),
        accuracy=correct / len(test_y),
        ci_low=low,
        ci_high=high,
        base_rate=base,
        published=published,
        reason="" if published else "not_better_than_chance",
    )
    # The model that tags comments is the one whose accuracy is published.
    return SentimentModel(validation, pipeline if published else None)
