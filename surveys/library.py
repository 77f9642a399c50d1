"""Ready-made surveys an organisation can start from: employee pulse and leadership.

Level 4 of seed 004 measures employee engagement and leadership beside CX; these
templates give a CX owner a credible start in fi, sv and en.
"""

from __future__ import annotations

from typing import Any

from surveys.models import Survey

Q = dict[str, Any]


def _scale(key: str, position: int, fi: str, sv: str, en: str) -> Q:
    return {
        "key": key,
        "position": position,
        "type": "rating",
        "scale_min": 1,
        "scale_max": 5,
        "text": {"fi": fi, "sv": sv, "en": en},
    }


TEMPLATES: dict[str, dict[str, Any]] = {
    "employee_pulse": {
        "name": "Employee pulse",
        "audience": Survey.Audience.EMPLOYEES,
        "purpose": Survey.Purpose.EMPLOYEE_PULSE,
        "is_anonymous": True,
        "title": {"fi": "Henkilöstön pulssi", "sv": "Personalpuls", "en": "Employee pulse"},
        "questions": [
            {
                "key": "enps",
                "position": 1,
                "type": "nps",
                "text": {
                    "fi": "Kuinka todennäköisesti suosittelisit meitä työpaikkana ystävällesi?",
                    "sv": "Hur troligt är det att du skulle rekommendera oss som arbetsplats?",
                    "en": "How likely are you to recommend us as a place to work?",
                },
            },
            _scale("customer_impact", 2,
                   "Tiedän, miten työni vaikuttaa asiakkaidemme kokemukseen.",
                   "Jag vet hur mitt arbete påverkar våra kunders upplevelse.",
                   "I know how my work affects our customers' experience."),
            _scale("tools", 3,
                   "Minulla on välineet hoitaa asiakkaan asia kerralla kuntoon.",
                   "Jag har verktygen för att lösa kundens ärende på en gång.",
                   "I have the tools to resolve a customer's matter at first contact."),
            {
                "key": "idea",
                "position": 4,
                "type": "text",
                "required": False,
                "text": {
                    "fi": "Mikä yksi asia parantaisi asiakkaidemme kokemusta?",
                    "sv": "Vilken enda sak skulle förbättra våra kunders upplevelse?",
                    "en": "What one thing would improve our customers' experience?",
                },
            },
        ],
    },
    "leadership": {
        "name": "Leadership survey",
        "audience": Survey.Audience.EMPLOYEES,
        "purpose": Survey.Purpose.LEADERSHIP,
        "is_anonymous": True,
        "title": {"fi": "Johtamiskysely", "sv": "Ledarskapsenkät", "en": "Leadership survey"},
        "questions": [
            _scale("direction", 1,
                   "Esihenkilöni tekee asiakkaan näkökulman selväksi päätöksissä.",
                   "Min chef gör kundens perspektiv tydligt i besluten.",
                   "My manager makes the customer's view clear in decisions."),
            _scale("feedback_used", 2,
                   "Asiakaspalautetta käsitellään tiimissämme säännöllisesti.",
                   "Kundfeedback behandlas regelbundet i vårt team.",
                   "Customer feedback is discussed in our team regularly."),
            _scale("empowered", 3,
                   "Saan korjata asiakkaan ongelman kysymättä lupaa.",
                   "Jag får rätta till kundens problem utan att be om lov.",
                   "I may fix a customer's problem without asking permission."),
        ],
    },
}  # fmt: skip


def template_spec(name: str) -> dict[str, Any]:
    """Return a copy of the named template's survey fields and questions."""
    spec = TEMPLATES[name]
    return {
        **spec,
        "status": Survey.Status.ACTIVE,
        "languages": ["fi", "sv", "en"],
        "questions": [dict(question) for question in spec["questions"]],
    }
