"""The demo organisation's surveys and trigger rules for the mortgage journey (seed 002).

Both rules send at once (no delay, no quiet hours), so an event posted to the running demo
produces an email under ``var/mail/`` within seconds.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from cx.demo import Progress
from cx.models import Organization, Touchpoint
from surveys.models import ContactPolicy, Question, Survey, TriggerRule

CHAT_SURVEY = "Chat satisfaction"
EFFORT_SURVEY = "Loan application effort"
RECOVERY_SURVEY = "Did we put it right?"

SURVEYS: dict[str, dict[str, Any]] = {
    CHAT_SURVEY: {
        "title": {
            "fi": "Miten chat onnistui?",
            "sv": "Hur gick chatten?",
            "en": "How was your chat?",
        },
        "intro": {
            "fi": "Kaksi nopeaa kysymystä äskeisestä chat-keskustelustasi.",
            "sv": "Två snabba frågor om din chatt nyss.",
            "en": "Two quick questions about the chat you just had.",
        },
        "thank_you": {
            "fi": "Kiitos! Palautteesi menee suoraan asiakaspalvelumme kehittämiseen.",
            "sv": "Tack! Din respons går direkt till att utveckla vår kundtjänst.",
            "en": "Thank you! Your feedback goes straight into improving our service.",
        },
        "questions": [
            (
                "csat",
                Question.Type.CSAT,
                {
                    "fi": "Kuinka tyytyväinen olit chat-palveluumme?",
                    "sv": "Hur nöjd var du med vår chattjänst?",
                    "en": "How satisfied were you with our chat service?",
                },
                True,
                None,
            ),
            (
                "resolved",
                Question.Type.FCR,
                {
                    "fi": "Saitko asiasi hoidettua?",
                    "sv": "Fick du ditt ärende löst?",
                    "en": "Did you get your matter resolved?",
                },
                True,
                None,
            ),
            (
                "what_went_wrong",
                Question.Type.TEXT,
                {
                    "fi": "Mikä meni pieleen?",
                    "sv": "Vad gick fel?",
                    "en": "What went wrong?",
                },
                False,
                {"any": [{"question": "csat", "operator": "lte", "value": 3}]},
            ),
        ],
    },
    EFFORT_SURVEY: {
        "title": {
            "fi": "Lainahakemuksesi",
            "sv": "Din låneansökan",
            "en": "Your loan application",
        },
        "intro": {
            "fi": "Kerro, miten hakemuksen tekeminen sujui.",
            "sv": "Berätta hur det gick att göra ansökan.",
            "en": "Tell us how submitting your application went.",
        },
        "thank_you": {
            "fi": "Kiitos vastauksistasi!",
            "sv": "Tack för dina svar!",
            "en": "Thank you for your answers!",
        },
        "questions": [
            (
                "nps",
                Question.Type.NPS,
                {
                    "fi": "Kuinka todennäköisesti suosittelisit meitä ystävällesi?",
                    "sv": "Hur troligt är det att du skulle rekommendera oss till en vän?",
                    "en": "How likely are you to recommend us to a friend?",
                },
                True,
                None,
            ),
            (
                "ces",
                Question.Type.CES,
                {
                    "fi": "Lainahakemuksen jättäminen oli helppoa.",
                    "sv": "Det var lätt att lämna in låneansökan.",
                    "en": "Submitting my loan application was easy.",
                },
                True,
                None,
            ),
            (
                "what_went_wrong",
                Question.Type.TEXT,
                {
                    "fi": "Mikä olisi tehnyt hakemisesta helpompaa?",
                    "sv": "Vad hade gjort ansökan enklare?",
                    "en": "What would have made applying easier?",
                },
                False,
                {"any": [{"question": "nps", "operator": "lte", "value": 6}]},
            ),
            (
                "comment",
                Question.Type.TEXT,
                {
                    "fi": "Haluatko kertoa vielä jotain?",
                    "sv": "Vill du berätta något mer?",
                    "en": "Anything else you would like to tell us?",
                },
                False,
                None,
            ),
        ],
    },
    # Sent by the follow-up policy when a case is closed: did the customer come back?
    RECOVERY_SURVEY: {
        "purpose": Survey.Purpose.RECOVERY,
        "title": {
            "fi": "Saimmeko asian kuntoon?",
            "sv": "Fick vi ordning på saken?",
            "en": "Did we put it right?",
        },
        "intro": {
            "fi": "Otimme yhteyttä palautteesi vuoksi. Yksi kysymys siitä, miten onnistuimme.",
            "sv": "Vi kontaktade dig efter din respons. En fråga om hur det gick.",
            "en": "We contacted you after your feedback. One question on how we did.",
        },
        "thank_you": {
            "fi": "Kiitos, että kerroit meille.",
            "sv": "Tack för att du berättade.",
            "en": "Thank you for letting us know.",
        },
        "questions": [
            (
                "csat",
                Question.Type.CSAT,
                {
                    "fi": "Kuinka tyytyväinen olet siihen, miten hoidimme asiasi?",
                    "sv": "Hur nöjd är du med hur vi tog hand om ditt ärende?",
                    "en": "How satisfied are you with how we handled your matter?",
                },
                True,
                None,
            ),
            (
                "comment",
                Question.Type.TEXT,
                {
                    "fi": "Haluatko kertoa vielä jotain?",
                    "sv": "Vill du berätta något mer?",
                    "en": "Anything else you would like to tell us?",
                },
                False,
                None,
            ),
        ],
    },
}

# rule name: (event type of the touchpoint, survey, priority)
RULES = {
    "Chat ended → chat satisfaction": ("chat.ended", CHAT_SURVEY, 0),
    "Application submitted → effort": (
        "mortgage.application_submitted",
        EFFORT_SURVEY,
        10,
    ),
}


@transaction.atomic
def load_surveys(organization: Organization, progress: Progress) -> None:
    """Create the demo surveys, the contact policy and the two trigger rules."""
    ContactPolicy.objects.update_or_create(
        organization=organization, defaults={"min_days_between_invitations": 7}
    )
    surveys = {}
    for name, spec in SURVEYS.items():
        survey, _ = Survey.objects.update_or_create(
            organization=organization,
            name=name,
            defaults={
                "status": Survey.Status.ACTIVE,
                "purpose": spec.get("purpose", Survey.Purpose.CUSTOMER_FEEDBACK),
                "languages": ["fi", "sv", "en"],
                "title": spec["title"],
                "intro": spec["intro"],
                "thank_you": spec["thank_you"],
            },
        )
        for position, (key, type_, text, required, condition) in enumerate(
            spec["questions"], start=1
        ):
            Question.objects.update_or_create(
                survey=survey,
                key=key,
                defaults={
                    "position": position,
                    "type": type_,
                    "text": text,
                    "required": required,
                    "condition": condition,
                },
            )
        surveys[name] = survey
    progress("surveys")

    for rule_name, (event_type, survey_name, priority) in RULES.items():
        touchpoint = Touchpoint.objects.for_organization(organization).get(
            event_types__event_type=event_type
        )
        TriggerRule.objects.update_or_create(
            organization=organization,
            name=rule_name,
            defaults={
                "survey": surveys[survey_name],
                "touchpoint": touchpoint,
                "delay_minutes": 0,
                "sampling_percent": 100,
                "expiry_days": 14,
                "reminder_count": 1,
                "reminder_interval_days": 3,
                "priority": priority,
                "is_active": True,
            },
        )
    progress("trigger rules")
