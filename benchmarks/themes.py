"""Benchmark: themes + sentiment for 100,000 comments, and tagging one new comment.

Generates COMMENTS fi + en comments with six planted themes and noise (the seeded
corpus of the tests) and scores that follow the themes, then times in the same run:

- the baseline: scikit-learn's TfidfVectorizer + NMF alone on the same texts (default
  analyser, the same number of topics);
- the product: lemmatising (simplemma), discovering the topics (TF-IDF + NMF + the
  assignment rule), training and validating the sentiment model on the time split, and
  tagging every comment with its themes and sentiment.

Target: the product at most 2× the baseline. Then it tags one new comment at a time
(TAGS times, the trained model in memory as the task has it) and reports the p95.
Target: at most 20 ms. No database: the work measured is the learning and tagging.

    make bench-themes           (COMMENTS=100000)
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from sklearn.decomposition import NMF  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from insights.text import discovery, sentiment  # noqa: E402
from insights.text.comments import Comment  # noqa: E402
from insights.text.language import lemmas, without_negations  # noqa: E402
from insights.text.services import Edits, Trained, tag_comments  # noqa: E402
from tests.insights.text.corpus import corpus, nps_of  # noqa: E402

COMMENTS = int(os.environ.get("COMMENTS", "100000"))
TAGS = int(os.environ.get("TAGS", "1000"))
TARGET_RATIO = 2.0
TARGET_P95_MS = 20.0


def _comments() -> list[Comment]:
    rng = random.Random(1)
    return [
        Comment(i, c.text, c.language, None, "nps", nps_of(c, rng))  # type: ignore[arg-type]
        for i, c in enumerate(corpus(COMMENTS, seed=11))
    ]


def baseline(texts: list[str], k: int) -> float:
    started = time.perf_counter()
    matrix = TfidfVectorizer(min_df=3, max_df=0.5).fit_transform(texts)
    NMF(n_components=k, init="nndsvda", random_state=0, max_iter=300).fit_transform(
        matrix
    )
    return time.perf_counter() - started


def product(comments: list[Comment]) -> tuple[float, Trained, float | None]:
    started = time.perf_counter()
    # What services.text_model_train does, without the database.
    sentiment_docs = [
        " ".join(lemmas(c.text, c.language, keep_negations=True)) for c in comments
    ]
    docs = [without_negations(doc) for doc in sentiment_docs]
    topics = discovery.discover(docs, seed=0)
    assert topics is not None
    topics.assign(topics.weights(docs))
    labelled = [
        (doc, label)
        for c, doc in zip(comments, sentiment_docs, strict=True)
        if (label := sentiment.label_of(c.score_type, c.score)) is not None
    ]
    learned = sentiment.train(
        [doc for doc, _ in labelled], [label for _, label in labelled]
    )
    trained = Trained(topics, learned, {i: i for i in range(len(topics.topics))})
    learned.probabilities(sentiment_docs)
    return time.perf_counter() - started, trained, learned.validation.accuracy


def main() -> None:
    comments = _comments()
    k = discovery.topic_count(len(comments))
    # Warm the lemmatiser's dictionaries once: loading them is not per-comment work.
    lemmas("kaatui", "fi"), lemmas("crashed", "en")
    base = baseline([c.text for c in comments], k)
    took, trained, accuracy = product(comments)
    ratio = took / base
    edits = Edits(rules=[], merged={})
    fresh = _comments()[:TAGS]
    times = []
    for comment in fresh:
        started = time.perf_counter()
        tag_comments(trained, [comment], edits)
        times.append(1000 * (time.perf_counter() - started))
    p95 = float(np.percentile(times, 95))
    print(
        f"comments: {len(comments):,}, topics: {k}, held-out accuracy: {accuracy:.3f}"
    )
    print(f"baseline (TfidfVectorizer + NMF alone): {base:7.2f} s")
    print(
        f"themes + sentiment:                     {took:7.2f} s  "
        f"ratio {ratio:.2f}× (target ≤ {TARGET_RATIO}×) "
        f"{'PASS' if ratio <= TARGET_RATIO else 'FAIL'}"
    )
    print(
        f"tagging one new comment: p50 {np.percentile(times, 50):.2f} ms, "
        f"p95 {p95:.2f} ms (target ≤ {TARGET_P95_MS} ms) "
        f"{'PASS' if p95 <= TARGET_P95_MS else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
