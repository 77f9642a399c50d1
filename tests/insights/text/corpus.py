"""A generated fi + en comment corpus with six planted themes of known share, and noise.

Each themed comment strings together two or three phrases of its theme (in Finnish or
English) and a few everyday words; noise comments are everyday words only. Seeded: the
same seed gives the same corpus.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

THEMES: dict[str, dict[str, list[str]]] = {
    "crash": {
        "en": [
            "the application form crashed",
            "the app crashes when I press send",
            "form crashed again and lost my answers",
            "application crashed on the last page",
            "the app froze and crashed",
        ],
        "fi": [
            "hakemuslomake kaatui",
            "sovellus kaatuu kun painan lähetä",
            "lomake kaatui ja vastaukset katosivat",
            "sovellus kaatui viimeisellä sivulla",
            "hakemus kaatui taas",
        ],
    },
    "waiting": {
        "en": [
            "waited two weeks for the loan offer",
            "still waiting for the offer",
            "the offer took weeks to arrive",
            "waiting for the mortgage offer far too long",
            "no offer yet after waiting",
        ],
        "fi": [
            "odotin lainatarjousta kaksi viikkoa",
            "tarjous tuli viikkojen odotuksen jälkeen",
            "odotan yhä tarjousta",
            "lainatarjouksen odottaminen kesti liian kauan",
            "tarjousta joutui odottamaan",
        ],
    },
    "chat": {
        "en": [
            "the chat agent was friendly",
            "friendly and helpful chat agent",
            "the agent in the chat answered kindly",
            "chat service was friendly and quick",
            "a very friendly agent on chat",
        ],
        "fi": [
            "chatin asiakaspalvelija oli ystävällinen",
            "ystävällinen ja avulias chat",
            "chatissa palveltiin ystävällisesti",
            "asiakaspalvelija chatissa oli mukava",
            "ystävällinen palvelu chatissa",
        ],
    },
    "fees": {
        "en": [
            "the fees are too high",
            "expensive monthly fee",
            "service fees keep rising",
            "hidden fees on the account",
            "the price of the card is too expensive",
        ],
        "fi": [
            "palvelumaksut ovat liian korkeat",
            "kuukausimaksu on kallis",
            "maksut nousevat koko ajan",
            "tilillä on piilomaksuja",
            "kortin hinta on liian kallis",
        ],
    },
    "login": {
        "en": [
            "login with bank credentials failed",
            "could not log in to the online bank",
            "the login code never arrived",
            "password reset for login did not work",
            "logging in fails every morning",
        ],
        "fi": [
            "kirjautuminen pankkitunnuksilla epäonnistui",
            "verkkopankkiin kirjautuminen ei onnistunut",
            "kirjautumiskoodi ei tullut",
            "salasanan vaihto kirjautumista varten ei toiminut",
            "kirjautuminen epäonnistuu joka aamu",
        ],
    },
    "queue": {
        "en": [
            "the phone queue was long",
            "waited in the phone line for an hour",
            "long queue on the customer service phone",
            "nobody answered the phone for ages",
            "the call queue is always long",
        ],
        "fi": [
            "puhelinjono oli pitkä",
            "jonotin puhelimessa tunnin",
            "asiakaspalvelun puhelinjono on pitkä",
            "kukaan ei vastannut puhelimeen",
            "puhelujono on aina pitkä",
        ],
    },
}
SHARES = {
    "crash": 0.18,
    "waiting": 0.16,
    "chat": 0.14,
    "fees": 0.12,
    "login": 0.10,
    "queue": 0.10,
}  # the rest (20 %) is noise
FILLER = {
    "en": [
        "ok",
        "fine",
        "thanks",
        "today",
        "yesterday",
        "overall",
        "experience",
        "service",
        "bank",
        "branch",
        "customer",
        "month",
        "year",
        "time",
        "good",
        "bad",
        "nice",
        "quite",
        "simple",
        "normal",
    ],
    "fi": [
        "kiitos",
        "tänään",
        "eilen",
        "kokemus",
        "palvelu",
        "pankki",
        "konttori",
        "asiakas",
        "kuukausi",
        "vuosi",
        "aika",
        "hyvä",
        "huono",
        "mukava",
        "melko",
        "helppo",
        "tavallinen",
    ],
}


@dataclass(frozen=True)
class Comment:
    text: str
    language: str
    theme: str | None


def corpus(
    n: int, *, seed: int = 7, languages: tuple[str, ...] = ("fi", "en")
) -> list[Comment]:
    """Return ``n`` comments: each planted theme at its share, the rest noise."""
    rng = random.Random(seed)
    names = list(SHARES)
    weights = [SHARES[name] for name in names]
    comments = []
    for _ in range(n):
        language = rng.choice(languages)
        theme = rng.choices([*names, None], weights=[*weights, 1 - sum(weights)])[0]
        words = rng.sample(FILLER[language], rng.randint(2, 6))
        if theme is not None:
            words += rng.sample(THEMES[theme][language], rng.randint(1, 2))
        rng.shuffle(words)
        comments.append(Comment(" ".join(words), language, theme))
    return comments


# The NPS a commenter of each theme gives (inclusive range): complaints score low.
NPS_RANGE: dict[str | None, tuple[int, int]] = {
    "crash": (0, 5),
    "waiting": (2, 7),
    "chat": (9, 10),
    "fees": (3, 8),
    "login": (1, 6),
    "queue": (2, 7),
    None: (7, 10),
}


def nps_of(comment: Comment, rng: random.Random) -> int:
    """Return a score fitting the comment's planted theme."""
    low, high = NPS_RANGE[comment.theme]
    return rng.randint(low, high)
