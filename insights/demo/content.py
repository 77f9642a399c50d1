"""What the demo history is made of: surveys, moods, comments, names and hours.

Data only: ``insights.demo.history`` draws from these, so the story can be retold by
editing numbers and texts here.
"""

from __future__ import annotations

from typing import Any

from followups.models import RootCause
from surveys.models import Question

EVENT_PREFIX = "history-"
SEED = 2026
# A new application form was rolled out from ROLLOUT_DAYS[0] days ago to everyone by
# ROLLOUT_DAYS[1] days ago; its attachment step fails on phones, so scores fall as more
# applicants get it: a dip over three weeks, deepest in the last one.
ROLLOUT_DAYS = (21, 7)

OFFER_SURVEY = "Loan offer"
CLAIM_SURVEY = "Claim experience"
WEB_SURVEY = "Website feedback"

# Surveys the history needs beside those of surveys.demo: (name, anonymous public link,
# title, questions as (key, type, text, required, condition)).
HISTORY_SURVEYS: list[tuple[str, bool, dict[str, str], list[tuple[Any, ...]]]] = [
    (
        OFFER_SURVEY,
        False,
        {"fi": "Lainatarjouksesi", "sv": "Ditt lånerbjudande", "en": "Your loan offer"},
        [
            ("nps", Question.Type.NPS, {
                "fi": "Kuinka todennäköisesti suosittelisit meitä ystävällesi?",
                "sv": "Hur troligt är det att du skulle rekommendera oss till en vän?",
                "en": "How likely are you to recommend us to a friend?",
            }, True, None),
            ("ces", Question.Type.CES, {
                "fi": "Tarjouksen ymmärtäminen oli helppoa.",
                "sv": "Det var lätt att förstå erbjudandet.",
                "en": "The offer was easy to understand.",
            }, True, None),
            ("comment", Question.Type.TEXT, {
                "fi": "Haluatko kertoa vielä jotain?",
                "sv": "Vill du berätta något mer?",
                "en": "Anything else you would like to tell us?",
            }, False, None),
        ],
    ),
    (
        CLAIM_SURVEY,
        False,
        {
            "fi": "Miten korvausasiasi hoitui?",
            "sv": "Hur sköttes ditt skadeärende?",
            "en": "How was your claim handled?",
        },
        [
            ("nps", Question.Type.NPS, {
                "fi": "Kuinka todennäköisesti suosittelisit meitä ystävällesi?",
                "sv": "Hur troligt är det att du skulle rekommendera oss till en vän?",
                "en": "How likely are you to recommend us to a friend?",
            }, True, None),
            ("csat", Question.Type.CSAT, {
                "fi": "Kuinka tyytyväinen olit korvausasiasi käsittelyyn?",
                "sv": "Hur nöjd var du med hanteringen av ditt skadeärende?",
                "en": "How satisfied were you with how your claim was handled?",
            }, True, None),
            ("ces", Question.Type.CES, {
                "fi": "Korvausasian hoitaminen oli helppoa.",
                "sv": "Det var lätt att sköta skadeärendet.",
                "en": "Getting my claim handled was easy.",
            }, True, None),
            ("what_went_wrong", Question.Type.TEXT, {
                "fi": "Mitä olisimme voineet tehdä paremmin?",
                "sv": "Vad kunde vi ha gjort bättre?",
                "en": "What could we have done better?",
            }, False, {"any": [{"question": "csat", "operator": "lte", "value": 3}]}),
        ],
    ),
    (
        WEB_SURVEY,
        True,
        {"fi": "Verkkosivumme", "sv": "Vår webbplats", "en": "Our website"},
        [
            ("csat", Question.Type.CSAT, {
                "fi": "Kuinka tyytyväinen olet verkkosivuihimme?",
                "sv": "Hur nöjd är du med vår webbplats?",
                "en": "How satisfied are you with our website?",
            }, True, None),
            ("comment", Question.Type.TEXT, {
                "fi": "Mitä voisimme parantaa?",
                "sv": "Vad kan vi förbättra?",
                "en": "What could we improve?",
            }, False, None),
        ],
    ),
]  # fmt: skip

# rule name: (event type, survey, priority, sampling %)
HISTORY_RULES = {
    "Offer sent → loan offer": ("mortgage.offer_sent", OFFER_SURVEY, 5, 100),
    "Claim decision → claim experience": ("claim.decision_sent", CLAIM_SURVEY, 0, 60),
}

# How the demo's CX team matured, in days before now (the demo's maturity trend reads
# it back: each monthly assessment sees what the team did by then). A history shorter
# than these is all "today".
# - The offer and claim surveys came after the chat and application ones: before these
#   days their events asked nobody (there was no rule to match, so no suppression).
RULE_LIVE_DAYS = {
    "Offer sent → loan offer": 55,
    "Claim decision → claim experience": 50,
}
# - Cases were first worked slowly, then within the 48-hour SLA: μ of the log-normal
#   hours (σ 1) from a case's opening to its owner starting it, by the days ago it
#   opened (medians 33 h, 15 h, 2.7 h; about 35 %, 12 % and none started late).
CASE_START_MU = ((60, 3.5), (30, 2.7), (0, 1.0))
# - The recovery survey was added to the follow-up policy this many days ago.
RECOVERY_SINCE_DAYS = 40
# - The executive began reading the dashboard (Mondays) after the first monthly
#   maturity report; before, only the CX team looked at results.
EXECUTIVE_READS_SINCE_DAYS = 45

# The mean of the respondent's latent mood per event type (0 neutral, ±1 strong); the
# public link's answers have no event.
MOOD = {
    "chat.ended": 0.7,
    "mortgage.application_submitted": -0.3,
    "mortgage.offer_sent": 0.45,
    "claim.decision_sent": 0.0,
    None: 0.15,
}
# Effort beyond the mood: the application form is hard work even for the satisfied.
EFFORT = {"mortgage.application_submitted": -0.5}
VALUABLE_LIFT = 0.25
DIP = 0.6  # how much the new form lowers its users' mood

# Per survey and question key: which comments it draws from, and how often one is given.
COMMENTS = {
    ("Chat satisfaction", "what_went_wrong"): ("chat", 0.6),
    ("Loan application effort", "what_went_wrong"): ("application", 0.75),
    ("Loan application effort", "comment"): ("praise", 0.12),
    (OFFER_SURVEY, "comment"): ("offer", 0.25),
    (CLAIM_SURVEY, "what_went_wrong"): ("claims", 0.6),
    (WEB_SURVEY, "comment"): ("website", 0.55),
}

TEXTS: dict[str, dict[str, list[str]]] = {
    "application": {
        "fi": [
            "Liitteiden lataaminen ei onnistunut puhelimella, jouduin aloittamaan alusta.",
            "Samat tulotiedot piti syöttää kahteen kertaan.",
            "Olisin halunnut tallentaa hakemuksen kesken ja jatkaa myöhemmin.",
            "Ei ollut selvää, mitä liitteitä tarvitaan.",
            "Pankkitunnistautuminen vanheni kesken hakemuksen.",
            "Hakemus oli liian pitkä ja virheilmoitukset epäselviä.",
            "Olisin halunnut nähdä, paljonko hakemusta on vielä jäljellä.",
            "Vakuuksia koskevat kysymykset olivat vaikeita ymmärtää.",
        ],
        "sv": [
            "Det gick inte att ladda upp bilagorna i mobilen.",
            "Jag fick fylla i samma inkomstuppgifter två gånger.",
            "Jag hade velat spara ansökan och fortsätta senare.",
            "Det var oklart vilka bilagor som behövdes.",
        ],
        "en": [
            "Uploading the attachments failed on my phone and I had to start over.",
            "I had to type the same income details twice.",
            "Let me save the application and finish it later.",
            "It wasn't clear which documents I needed.",
            "The bank ID login timed out halfway through.",
            "Too many steps, and the error messages don't say what is wrong.",
            "A progress bar would help: I had no idea how much was left.",
        ],
    },
    # The planted theme "application form crashes": the new form's users.
    "new_form": {
        # Told in words of their own (crash, form): a crash comment that also spoke of
        # attachments, sending or doing it twice would read like the other complaints.
        "fi": [
            "Uusi hakulomake kaatui heti.",
            "Lomake kaatui, ja kaikki tiedot katosivat.",
            "Uusi lomake jumittui ja kaatui.",
            "Hakulomake kaatuu aina palkkatodistuksen kohdalla.",
            "Lomake kaatuili jatkuvasti.",
            "Uusi lomake kaatuili koko ajan, todella turhauttavaa.",
        ],
        "sv": [
            "Det nya formuläret kraschade.",
            "Formuläret kraschade hela tiden.",
            "Formuläret hängde sig och kraschade.",
            "Formuläret kraschar vid lönebeskedet.",
            "Det nya formuläret kraschade, hopplöst.",
        ],
        "en": [
            "The new form crashed.",
            "The form crashed and everything I typed was lost.",
            "The new form froze and crashed.",
            "The form keeps crashing at the pay slip.",
            "The form crashed over and over.",
            "Crashed! The new form is unusable.",
        ],
    },
    "chat": {
        "fi": [
            "Jonotin yli 20 minuuttia ennen kuin kukaan vastasi.",
            "Vastaus oli ympäripyöreä, ja jouduin soittamaan vielä.",
            "Yhteys katkesi kesken keskustelun.",
            "Asiakaspalvelija ei osannut vastata lainan ehtoja koskeviin kysymyksiin.",
        ],
        "sv": ["Jag stod länge i kö.", "Samtalet bröts mitt i."],
        "en": [
            "I queued for over 20 minutes.",
            "The answer was vague and I still had to call.",
            "The connection dropped in the middle of the conversation.",
        ],
    },
    "claims": {
        "fi": [
            "Korvauspäätös kesti lähes kolme viikkoa.",
            "Korvaussumman laskeminen jäi epäselväksi.",
            "Jouduin lähettämään samat kuvat kahteen kertaan.",
            "Käsittelijä vaihtui kesken, ja kerroin asiani uudelleen.",
        ],
        "sv": [
            "Beslutet dröjde nästan tre veckor.",
            "Ersättningen var svår att förstå.",
        ],
        "en": [
            "The decision took almost three weeks.",
            "It was unclear how the compensation was calculated.",
            "I had to send the same photos twice.",
            "My handler changed halfway and I had to explain everything again.",
        ],
    },
    "offer": {
        "fi": [
            "Selkeä, mutta marginaali olisi saanut olla pienempi.",
            "Hyvä, että vastaus tuli nopeasti.",
            "Olisin halunnut vertailla eri laina-aikoja.",
        ],
        "sv": ["Tydligt, tack."],
        "en": [
            "Clear, though the margin could be lower.",
            "Great that the answer came so quickly.",
        ],
    },
    # The planted theme "waiting for the offer": an unhappy customer of the offer.
    "offer_wait": {
        "fi": [
            "Odotin tarjousta ilman mitään tietoa.",
            "Tarjouksen odottaminen tuntui ikuisuudelta.",
            "Jouduin kyselemään tarjouksen perään, odotus tuntui loputtomalta.",
            "Odotin ja odotin lainatarjousta, kauppa oli jo vähällä mennä ohi.",
            "Tarjousta sai odottaa turhaan.",
            "Miksi tarjousta pitää odottaa?",
        ],
        "sv": [
            "Jag väntade och väntade på erbjudandet.",
            "Väntan på lånelöftet kändes oändlig.",
            "Erbjudandet kom först efter en evig väntan.",
            "Vi fick vänta på erbjudandet utan besked.",
            "Varför måste man vänta så på ett erbjudande?",
        ],
        "en": [
            "I waited for the offer without any news.",
            "Waiting for the loan offer took forever.",
            "I had to chase the offer; the wait seemed endless.",
            "All that waiting for the offer almost cost us the house.",
            "The offer only arrived after endless waiting.",
            "Why must we wait and wait for an offer?",
        ],
    },
    # The planted theme "friendly chat agent": a happy applicant helped on the chat.
    "friendly_chat": {
        "fi": [
            "Chatin asiakaspalvelija oli todella ystävällinen ja auttoi heti.",
            "Ystävällinen neuvoja chatissa hoiti asiani.",
            "Chat-palvelija oli ystävällinen ja kärsivällinen.",
            "Chatissa palveli ystävällinen ja osaava asiantuntija.",
            "Tosi mukava ja ystävällinen asiakaspalvelija chatissa.",
        ],
        "sv": [
            "Mycket vänlig rådgivare i chatten!",
            "Den vänliga chattagenten hjälpte mig direkt.",
            "Trevlig och vänlig hjälp i chatten.",
            "Rådgivaren i chatten var vänlig och hjälpsam.",
        ],
        "en": [
            "The chat agent was really friendly and helped right away.",
            "A friendly advisor on the chat sorted everything out.",
            "The friendly chat agent was patient and kind.",
            "Such a friendly and kind agent on the chat.",
            "The advisor in the chat was kind and helpful.",
        ],
    },
    # Comments that say nothing a theme could hold.
    "noise": {
        "fi": [
            "Ei muuta lisättävää.",
            "Kaikki ok.",
            "Ei kommentoitavaa.",
            "Hyvä näin.",
        ],
        "sv": ["Inget att tillägga.", "Allt bra.", "Inga kommentarer."],
        "en": ["Nothing to add.", "All fine.", "No comment.", "OK."],
    },
    "praise": {
        "fi": ["Kiitos nopeasta palvelusta!", "Kaikki sujui hyvin, kiitos."],
        "sv": ["Tack för snabb service!"],
        "en": ["Thanks, it all went smoothly.", "Quick and easy, thank you!"],
    },
    "website": {
        "fi": [
            "Lainalaskuria oli vaikea löytää.",
            "Sivut toimivat hyvin puhelimella.",
            "Hakutoiminto ei löytänyt mitään sanalla 'asuntolaina'.",
        ],
        "sv": ["Svårt att hitta lånekalkylatorn."],
        "en": [
            "Hard to find the loan calculator.",
            "The site works well on my phone.",
        ],
    },
}

# Root causes and the actions taken, per event type of the answered touchpoint.
CLOSURES: dict[str | None, list[tuple[str, str]]] = {
    "mortgage.application_submitted": [
        (RootCause.SYSTEM, "Called the customer and finished the application by phone; "
            "the attachment upload fault is reported to the web team."),
        (RootCause.PROCESS, "Went through the application with the customer; duplicate "
            "income fields raised with the lending process owner."),
        (RootCause.INFORMATION, "Sent the list of required documents; a checklist is "
            "now on the form's first page."),
    ],
    "chat.ended": [
        (RootCause.PEOPLE, "Called the customer back with the answer; coached the "
            "agent on loan terms."),
        (RootCause.WAITING, "Apologised and called back; more chat agents at lunch."),
    ],
    "mortgage.offer_sent": [
        (RootCause.PRICE, "The advisor called to go through the offer and margin."),
    ],
    "claim.decision_sent": [
        (RootCause.WAITING, "Apologised for the delay and explained the decision."),
        (RootCause.INFORMATION, "Explained how the compensation was calculated."),
        (RootCause.PROCESS, "One handler now keeps the claim from start to end."),
    ],
    None: [(RootCause.SYSTEM, "Passed to the web team; the fix is in the backlog.")],
}  # fmt: skip

FIRST_NAMES = {
    "fi": ["Aino", "Eero", "Helmi", "Juha", "Laura", "Mikko", "Sanna", "Ville"],
    "sv": ["Ebba", "Henrik", "Linnea", "Mats", "Sofia", "Johan"],
    "en": ["Anna", "David", "Emily", "James", "Maria", "Omar"],
}
LAST_NAMES = {
    "fi": ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Heikkinen", "Laine"],
    "sv": ["Lindqvist", "Holmberg", "Nyström", "Ek", "Sundberg"],
    "en": ["Smith", "Novak", "Garcia", "Brown", "Khan", "Müller"],
}
REGIONS = ["Uusimaa", "Pirkanmaa", "Varsinais-Suomi", "Pohjanmaa", "Lappi"]

# Local hours at which each channel's events happen, weighted, and whether they happen
# only on working days.
HOURS = {
    "web": ([7, 8, 12, 13, 17, 19, 20, 21, 22], [1, 2, 3, 3, 3, 4, 5, 4, 2], False),
    "chat": ([9, 10, 11, 12, 13, 14, 15, 16, 17, 19], [2, 3, 3, 4, 3, 3, 3, 2, 2, 1], False),
    "office": ([8, 9, 10, 11, 13, 14, 15, 16], [1, 2, 3, 3, 3, 3, 2, 1], True),
    "app": ([7, 9, 12, 16, 18, 20, 22], [1, 2, 2, 3, 3, 3, 1], False),
}  # fmt: skip
