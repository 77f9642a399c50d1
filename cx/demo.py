"""The demo organisation: the mortgage journey of seed 002 and a claims journey.

Loading is idempotent: every object is found by its natural key and updated, so running
``load_demo`` again changes nothing. Other apps add their part through the steps named in
the ``CX_DEMO_STEPS`` setting; each step is ``step(organization, progress)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from cx.models import Journey, Organization, Process, Role, Segment
from cx.services.journeys import touchpoint_save
from cx.services.organizations import member_add, staff_user_create

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo-cx-2026"  # noqa: S105 - printed on the console; demo only

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role


DEMO_LOGINS = (
    DemoLogin("owner", Role.OWNER),
    DemoLogin("cx", Role.CX_MANAGER),
    DemoLogin("analyst", Role.ANALYST),
    DemoLogin("exec", Role.EXECUTIVE),
)

SEGMENTS = [
    (
        "valuable",
        "Valuable",
        "Customers with at least 100 000 € of business with us.",
        {"all": [{"attribute": "customer_value", "operator": "gte", "value": 100000}]},
    ),
    (
        "returner",
        "Returner",
        "Customers who have bought from us before.",
        {"all": [{"attribute": "previous_products", "operator": "gt", "value": 0}]},
    ),
    (
        "new",
        "New",
        "Customers with no earlier products.",
        {
            "any": [
                {"attribute": "previous_products", "operator": "eq", "value": 0},
                {
                    "attribute": "previous_products",
                    "operator": "exists",
                    "value": False,
                },
            ]
        },
    ),
    (
        "unidentified",
        "Unidentified",
        "Visitors known only by a cookie, not logged in.",
        {"all": [{"attribute": "authenticated", "operator": "eq", "value": False}]},
    ),
]

# The names in Finnish and Swedish (the demo's own names are English): what the pages,
# emails and reports show a reader of that language (cx/names.py).
NAMES_IN: dict[str, dict[str, str]] = {
    # segments
    "Valuable": {"fi": "Arvokas", "sv": "Värdefull"},
    "Returner": {"fi": "Palaava", "sv": "Återkommande"},
    "New": {"fi": "Uusi", "sv": "Ny"},
    "Unidentified": {"fi": "Tunnistamaton", "sv": "Oidentifierad"},
    # processes
    "Mortgage lending": {"fi": "Asuntolainoitus", "sv": "Bolånegivning"},
    "Customer service": {"fi": "Asiakaspalvelu", "sv": "Kundtjänst"},
    "Claims handling": {"fi": "Korvauskäsittely", "sv": "Skadehantering"},
    # journeys
    "Mortgage": {"fi": "Asuntolaina", "sv": "Bolån"},
    "Insurance claim": {"fi": "Vakuutuskorvaus", "sv": "Försäkringsersättning"},
    # touchpoints
    "Search landing": {"fi": "Hakukoneesta sivuille", "sv": "Från sökmotorn"},
    "Loan pages": {"fi": "Lainasivut", "sv": "Lånesidor"},
    "Advisor chat": {"fi": "Neuvojan chat", "sv": "Rådgivarchatt"},
    "Loan application": {"fi": "Lainahakemus", "sv": "Låneansökan"},
    "Personal offer": {"fi": "Henkilökohtainen tarjous", "sv": "Personligt erbjudande"},
    "Claim reported": {"fi": "Vahinkoilmoitus", "sv": "Skadeanmälan"},
    "Claim call": {"fi": "Korvauspuhelu", "sv": "Skadesamtal"},
    "Decision": {"fi": "Korvauspäätös", "sv": "Ersättningsbeslut"},
    "Payment": {"fi": "Korvauksen maksu", "sv": "Utbetalning"},
}

PROCESSES = {
    "lending": ("Mortgage lending", "From first interest to a signed loan."),
    "service": ("Customer service", "Chat, phone and branch advice."),
    "claims": ("Claims handling", "From a reported claim to its payment."),
}

# (position, name, channel, process key, event types)
JOURNEYS = {
    "Mortgage": (
        "Seed 002: from a search to a personalised loan offer.",
        [
            (1, "Search landing", "web", "lending", ["web.search_landing"]),
            (2, "Loan pages", "web", "lending", ["web.loan_pages_viewed"]),
            (3, "Advisor chat", "chat", "service", ["chat.ended"]),
            (
                4,
                "Loan application",
                "web",
                "lending",
                ["mortgage.application_submitted"],
            ),
            (5, "Personal offer", "email", "lending", ["mortgage.offer_sent"]),
        ],
    ),
    "Insurance claim": (
        "From reporting damage to receiving the payment.",
        [
            (1, "Claim reported", "app", "claims", ["claim.reported"]),
            (2, "Claim call", "phone", "service", ["claim.call_ended"]),
            (3, "Decision", "email", "claims", ["claim.decision_sent"]),
            (4, "Payment", "email", "claims", ["claim.paid"]),
        ],
    ),
}


@transaction.atomic
def load_core(organization: Organization, progress: Progress) -> None:
    """Create the demo's staff, segments, processes, journeys and touchpoints."""
    for login in DEMO_LOGINS:
        user = staff_user_create(
            username=login.username,
            email=f"{login.username}@demo.example",
            password=DEMO_PASSWORD,
        )
        member_add(organization=organization, user=user, role=login.role)
        if login.role == Role.CX_MANAGER and organization.cx_owner_id is None:
            organization.cx_owner = user
            organization.save(update_fields=["cx_owner"])
    progress("staff logins")

    for key, name, description, rule in SEGMENTS:
        Segment.objects.update_or_create(
            organization=organization,
            key=key,
            defaults={
                "name": name,
                "name_translations": NAMES_IN[name],
                "description": description,
                "rule": rule,
            },
        )
    progress("segments")

    owner = organization.cx_owner
    processes = {}
    for key, (name, description) in PROCESSES.items():
        processes[key], _ = Process.objects.update_or_create(
            organization=organization,
            name=name,
            defaults={
                "name_translations": NAMES_IN[name],
                "description": description,
                "owner": owner,
            },
        )
    progress("processes")

    for journey_name, (description, steps) in JOURNEYS.items():
        journey, _ = Journey.objects.update_or_create(
            organization=organization,
            name=journey_name,
            defaults={
                "name_translations": NAMES_IN[journey_name],
                "description": description,
                "owner": owner,
            },
        )
        for position, name, channel, process_key, event_types in steps:
            existing = journey.touchpoints.filter(position=position).first()
            touchpoint_save(
                organization=organization,
                touchpoint=existing,
                fields={
                    "journey": journey,
                    "position": position,
                    "name": name,
                    "name_translations": NAMES_IN[name],
                    "channel": channel,
                    "process": processes[process_key],
                    "owner": owner,
                },
                event_types=event_types,
            )
        progress(f"journey {journey_name}")
