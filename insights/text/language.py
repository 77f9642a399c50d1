"""Turn a comment into lemmas, in fi, sv or en, with what simplemma ships (offline)."""

from __future__ import annotations

import re
from functools import lru_cache

import simplemma
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from insights.text.vocabulary import concept

LANGUAGES = ("fi", "sv", "en")
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)

# Words that say nothing about a theme (lemmas). English comes from scikit-learn; the
# short Finnish and Swedish lists cover the function words of everyday comments.
_STOP = {
    "en": frozenset(ENGLISH_STOP_WORDS) | {"just", "really", "did", "got", "get"},
    "fi": frozenset(
        [
            "ja",
            "on",
            "olla",
            "ei",
            "se",
            "että",
            "mutta",
            "kun",
            "niin",
            "minä",
            "sinä",
            "hän",
            "me",
            "te",
            "he",
            "tämä",
            "tuo",
            "joka",
            "mikä",
            "kuin",
            "myös",
            "vain",
            "jo",
            "nyt",
            "sitten",
            "kanssa",
            "mukaan",
            "ole",
            "oli",
            "ovat",
            "olen",
            "olisi",
            "voida",
            "saada",
            "tulla",
            "mennä",
            "ihan",
            "aika",
            "hyvin",
            "kyllä",
            "vielä",
            "koska",
            "jos",
            "tai",
            "eikä",
            "mitään",
            "jotain",
            "kaikki",
            "yksi",
            "paljon",
            "todella",
            "tosi",
            "hieman",
            "vähän",
            "enää",
            "siellä",
            "täällä",
            "minun",
            "meidän",
            "teidän",
            "heidän",
            "siitä",
            "sitä",
            "sen",
            "sen",
            "tätä",
            "näin",
            "kaksi",
            "kolme",
        ]
    ),
    "sv": frozenset(
        [
            "och",
            "är",
            "att",
            "det",
            "som",
            "en",
            "ett",
            "inte",
            "jag",
            "du",
            "han",
            "hon",
            "vi",
            "ni",
            "de",
            "den",
            "detta",
            "men",
            "med",
            "för",
            "på",
            "av",
            "till",
            "om",
            "så",
            "var",
            "har",
            "hade",
            "kan",
            "ska",
            "skulle",
            "bli",
            "blev",
            "vara",
            "mycket",
            "bara",
            "också",
            "nu",
            "då",
            "när",
            "eller",
            "från",
            "sig",
            "min",
            "mitt",
            "våra",
            "er",
            "här",
            "där",
            "helt",
            "lite",
            "alla",
            "något",
            "ingen",
            "inget",
            "utan",
            "efter",
            "över",
            "under",
            "hos",
            "två",
            "tre",
        ]
    ),
}
STOP_WORDS = frozenset().union(*_STOP.values())
# Negations kept as words: "ei toimi", "inte fungerar", "not working" carry sentiment.
NEGATIONS = frozenset({"ei", "inte", "not", "no", "never", "eikä", "aldrig"})


@lru_cache(maxsize=200_000)
def lemma(word: str, language: str) -> str:
    """Return the dictionary form of ``word`` (lower case) in ``language``."""
    if language not in LANGUAGES:
        return word
    return simplemma.lemmatize(word, lang=language).lower()


def lemmas(text: str, language: str, *, keep_negations: bool = False) -> list[str]:
    """Return the comment's content words as lemmas, in order.

    A lemma of the cross-language seed vocabulary (insights.text.vocabulary) is
    written as its shared word, so that one theme in fi, sv and en is one theme.
    """
    found = []
    for word in _WORD.findall(text.lower()):
        if keep_negations and word in NEGATIONS:
            found.append(word)
            continue
        if word in STOP_WORDS:
            continue
        form = concept(lemma(word, language), language, word)
        if form not in STOP_WORDS and len(form) > 1:
            found.append(form)
    return found


def lemmatised(text: str, language: str, *, keep_negations: bool = False) -> str:
    """Return the comment as space-separated lemmas (what the vectorisers read)."""
    return " ".join(lemmas(text, language, keep_negations=keep_negations))


def without_negations(lemmatised_text: str) -> str:
    """Return a sentiment document (negations kept) as a theme document."""
    return " ".join(w for w in lemmatised_text.split() if w not in NEGATIONS)
