"""A small built-in cross-language seed vocabulary: fi and sv lemmas → one word. Pure.

No offline dictionary translates between Finnish, Swedish and English, so the same
complaint in three languages would make three topics. These few hundred lemmas of a
customer's everyday words about forms, waiting, offers, chat, claims and service are
mapped to one shared word (written in English), so that "lomake kaatui", "formuläret
kraschade" and "the form crashed" share their words and fall into one theme. A word
outside the vocabulary keeps its own lemma: a theme told only in words the vocabulary
lacks still splits by language, and the manager merges its topics once (kept across
retraining). Finnish and Swedish compounds are read by their last part
("hakulomake" → "lomake" → "form"), the part that names the thing.
"""

from __future__ import annotations

from functools import lru_cache

# concept: (Finnish lemmas, Swedish lemmas, English lemmas besides the concept itself)
SEED: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "crash": (("kaatua", "kaatuminen", "jumittua", "jumiutua", "kaatuilla"),
              ("krascha", "krasch", "hänga", "frysa"), ("freeze", "hang")),
    "form": (("lomake",), ("formulär", "blankett"), ()),
    "application": (("hakemus",), ("ansökan",), ()),
    "attachment": (("liite",), ("bilaga",), ("document",)),
    "upload": (("ladata", "lataaminen", "lataus"), ("ladda", "uppladdning"), ()),
    "phone": (("puhelin", "kännykkä", "mobiili"), ("mobil", "telefon"), ("mobile",)),
    "error": (("virhe", "virheilmoitus"), ("fel", "felmeddelande"), ()),
    "work": (("toimia",), ("fungera",), ()),
    "wait": (("odottaa", "odotus", "odottaminen", "odotella"),
             ("vänta", "väntan", "väntetid"), ()),
    "offer": (("tarjous",), ("erbjudande", "erbjuda", "lånelöfte"), ()),
    "loan": (("laina",), ("lån",), ()),
    "week": (("viikko",), ("vecka",), ()),
    "day": (("päivä",), ("dag",), ()),
    "long": (("pitkä", "kauan", "pitkään"), ("lång", "länge"), ()),
    "slow": (("hidas", "hitaasti"), ("långsam", "långsamt"), ("slowly",)),
    "news": (("tieto", "uutinen"), ("besked", "nyhet"), ()),
    "friendly": (("ystävällinen", "mukava", "kohtelias"),
                 ("vänlig", "trevlig", "artig"), ("kind", "polite", "nice")),
    "chat": (("chatti", "chat"), ("chatt", "chattagent"), ()),
    "agent": (("asiakaspalvelija", "palvelija", "neuvoja", "asiantuntija"),
              ("rådgivare", "agent"), ("advisor", "adviser")),
    "help": (("auttaa", "apu", "avulias"), ("hjälpa", "hjälp", "hjälpsam"),
             ("helpful",)),
    "quick": (("nopea", "nopeasti"), ("snabb", "snabbt"), ("quickly", "fast")),
    "thanks": (("kiitos", "kiittää"), ("tack", "tacka"), ("thank",)),
    "question": (("kysymys", "kysyä"), ("fråga",), ("ask",)),
    "answer": (("vastata", "vastaus"), ("svara", "svar"), ()),
    "decision": (("päätös",), ("beslut", "besluten"), ()),
    "compensation": (("korvaus", "korvaussumma"), ("ersättning",), ()),
    "claim": (("vahinko", "korvausasia"), ("skadeärende", "skada"), ()),
    "photo": (("kuva", "valokuva"), ("bild", "foto"), ("picture",)),
    "unclear": (("epäselvä", "sekava"), ("oklar", "otydlig"), ("confusing",)),
    "clear": (("selkeä", "selvä"), ("tydlig",), ()),
    "queue": (("jono", "jonottaa"), ("kö", "köa"), ()),
    "call": (("soittaa", "puhelu"), ("ringa", "samtal"), ()),
    "margin": (("marginaali",), ("marginal",), ()),
    "income": (("tulo", "tulotieto", "palkka"), ("inkomst", "lön"), ("salary",)),
    "save": (("tallentaa",), ("spara",), ()),
    "page": (("sivu", "verkkosivu"), ("sida", "webbplats"), ("site", "website")),
    "calculator": (("laskuri",), ("kalkylator",), ()),
    "new": (("uusi",), ("ny",), ()),
    "login": (("tunnistautuminen", "kirjautuminen"), ("inloggning",), ()),
    "handler": (("käsittelijä",), ("handläggare",), ()),
    "payslip": (("palkkatodistus",), ("lönebesked",), ("pay", "slip")),
    "service": (("palvelu",), ("service", "tjänst"), ()),
}  # fmt: skip

# A compound's last part names the thing only when it is a word of its own.
MIN_HEAD = 4
MIN_MODIFIER = 3


def _index() -> dict[tuple[str, str], str]:
    index: dict[tuple[str, str], str] = {}
    for concept, (finnish, swedish, english) in SEED.items():
        for language, words in (("fi", finnish), ("sv", swedish), ("en", english)):
            for word in words:
                index[(language, word)] = concept
        index[("en", concept)] = concept
    return index


_INDEX = _index()
_HEADS = {
    language: sorted(
        (word for (lang, word) in _INDEX if lang == language and len(word) >= MIN_HEAD),
        key=len,
        reverse=True,
    )
    for language in ("fi", "sv")
}


@lru_cache(maxsize=200_000)
def concept(lemma: str, language: str, word: str = "") -> str:
    """Return the shared word for ``lemma`` (or the lemma itself when it has none).

    A Finnish or Swedish compound is read by its longest known last part, in the lemma
    or else in the word as written (simplemma knows fewer compounds than it reads).
    """
    found = _INDEX.get((language, lemma))
    if found is not None or language not in _HEADS:
        return found or lemma
    for form in (lemma, word):
        for head in _HEADS[language]:
            if len(form) - len(head) >= MIN_MODIFIER and form.endswith(head):
                return _INDEX[(language, head)]
    return lemma
