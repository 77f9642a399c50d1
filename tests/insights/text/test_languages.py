"""One theme told in fi, sv and en is one theme, through the seed vocabulary. Pure."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from insights.demo.content import TEXTS
from insights.text import language
from insights.text.discovery import discover
from insights.text.language import lemmatised
from insights.text.vocabulary import concept

PLANTED = ("new_form", "offer_wait", "friendly_chat")
OTHER = ("claims", "website", "application")
LANGUAGES = ("fi", "sv", "en")


def _corpus(seed: int = 3) -> list[tuple[str, str, str]]:
    """Return (text, language, theme) comments: 40 per theme and language, and others."""
    rng = random.Random(seed)
    comments = [
        (rng.choice(TEXTS[theme][lang]), lang, theme)
        for theme in PLANTED
        for lang in LANGUAGES
        for _ in range(40)
    ]
    comments += [
        (rng.choice(TEXTS[kind][lang]), lang, "other")
        for kind in OTHER
        for lang in LANGUAGES
        for _ in range(15)
    ]
    rng.shuffle(comments)
    return comments


def _leading_topic_by_language(
    comments: list[tuple[str, str, str]],
) -> dict[str, tuple[float, dict[str, float]]]:
    """Return, per planted theme, its topic's purity and the share of each language's
    comments in that topic (as many topics are looked for as there are themes)."""
    docs = [lemmatised(text, lang) for text, lang, _theme in comments]
    model = discover(docs, k=len(PLANTED) + 1, seed=0)
    assert model is not None
    found = model.assign(model.weights(docs))
    result = {}
    for theme in PLANTED:
        rows = [i for i, (*_, t) in enumerate(comments) if t == theme]
        leader, _count = Counter(k for i in rows for k in found[i]).most_common(1)[0]
        held = [i for i, topics in enumerate(found) if leader in topics]
        purity = sum(comments[i][2] == theme for i in held) / len(held)
        result[theme] = (
            purity,
            {
                lang: sum(leader in found[i] for i in rows if comments[i][1] == lang)
                / sum(comments[i][1] == lang for i in rows)
                for lang in LANGUAGES
            },
        )
    return result


def test_a_theme_in_three_languages_is_one_topic():
    shares = _leading_topic_by_language(_corpus())

    for theme, (purity, by_language) in shares.items():
        assert purity >= 0.7, (theme, purity)
        assert min(by_language.values()) >= 0.7, (theme, by_language)


def test_without_the_vocabulary_the_languages_split(monkeypatch):
    monkeypatch.setattr(language, "concept", lambda lemma, lang, word="": lemma)

    shares = _leading_topic_by_language(_corpus())

    # The crash theme shares no word between the languages: its topic holds one
    # language, or it is no theme's topic at all.
    purity, by_language = shares["new_form"]
    assert purity < 0.7 or min(by_language.values()) < 0.3, shares["new_form"]


@pytest.mark.parametrize(
    ("lemma", "lang", "word", "shared"),
    [
        ("kaatua", "fi", "kaatui", "crash"),
        ("krascha", "sv", "kraschade", "crash"),
        ("hakulomake", "fi", "hakulomake", "form"),  # a compound, by its last part
        ("ansökningsformulär", "sv", "ansökningsformuläret", "form"),
        ("lainata", "fi", "lainatarjous", "offer"),  # the lemma misread, the word not
        ("advisor", "en", "advisor", "agent"),
        ("lomakkeisto", "fi", "lomakkeisto", "lomakkeisto"),  # unknown: itself
        ("form", "sv", "form", "form"),  # too short a word to be a compound's part
    ],
)
def test_the_seed_vocabulary_maps_lemmas_and_compounds(lemma, lang, word, shared):
    assert concept(lemma, lang, word) == shared
