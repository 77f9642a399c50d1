"""Demo: two predictions, a planted signal in the history, a proactive rule and its effect.

The story (seed 003/004): applicants whose loan application needed repeated chats with an
advisor and who then scored the application's effort (CES) at 3 or less abandon the
application far more often. The step plants that signal in the demo's history —
extra chats before some applications and ``mortgage.application_abandoned`` events after
them — so the abandonment model trains on it, validates on the later weeks and names
it in its reasons. A proactive rule ("struggling applicant → call-back offer") reaches
customers whose risk is at or above 30 % and holds 10 % out (by the product's hash);
acted-on applicants abandoned less often, so the measured effect is there to read. The
detractor prediction at the application is defined and trained too: on the demo's
answers the gate may refuse it, and the page says why. Without history (``0`` days) the
definitions alone are made.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta, tzinfo

from django.db.models import Min
from django.utils import timezone

from cx.demo import Progress
from cx.models import Customer, Event, Organization, Touchpoint
from predictions import services
from predictions.models import ModelVersion, PredictionDefinition
from surveys.models import (
    Answer,
    Invitation,
    Question,
    Suppression,
    Survey,
    TriggerRule,
)
from surveys.models.invitations import token_digest
from surveys.trigger_decision import held_out

ABANDONED = "mortgage.application_abandoned"
SUBMITTED = "mortgage.application_submitted"
PREFIX = "demo-pred-"
THRESHOLD = 0.3


def load_predictions(organization: Organization, progress: Progress) -> None:
    """Define, plant, act and train; see the module's story."""
    if PredictionDefinition.objects.for_organization(organization).exists():
        return
    application = (
        Touchpoint.objects.for_organization(organization)
        .filter(event_types__event_type=SUBMITTED)
        .first()
    )
    abandon = PredictionDefinition.objects.create(
        organization=organization, key="abandon",
        name="Abandons the loan application", kind=PredictionDefinition.Kind.EVENT,
        event_type=ABANDONED, horizon_days=14, threshold=THRESHOLD,
    )  # fmt: skip
    definitions = [abandon]
    if application is not None:
        definitions.append(
            PredictionDefinition.objects.create(
                organization=organization,
                key="detractor",
                name="Next answer at the application is low",
                kind=PredictionDefinition.Kind.DETRACTOR,
                touchpoint=application,
                horizon_days=30,
                threshold=0.5,
            )
        )
    applications = list(
        Event.objects.for_organization(organization)
        .filter(type=SUBMITTED, customer__isnull=False)
        .values_list("pk", "customer_id", "occurred_at")
        .order_by("occurred_at")
    )
    if not applications:
        progress("prediction definitions")
        return
    rule = _proactive_rule(organization, abandon)
    _plant(organization, applications, rule)
    progress("prediction history")
    for definition in definitions:
        version = ModelVersion.objects.create(
            organization=organization, definition=definition, number=1
        )
        services.training_run(version_id=version.pk)
    progress("prediction models")


def _proactive_rule(
    organization: Organization, definition: PredictionDefinition
) -> TriggerRule:
    survey = (
        Survey.objects.for_organization(organization)
        .filter(status=Survey.Status.ACTIVE, audience=Survey.Audience.CUSTOMERS)
        .exclude(purpose=Survey.Purpose.RECOVERY)
        .order_by("pk")
        .first()
    )
    assert survey is not None, "the demo's surveys are loaded before its predictions"
    return services.proactive_rule_create(
        organization=organization, definition=definition, survey=survey,
        event_type="chat.ended", threshold=THRESHOLD, holdout_percent=10,
        name="Struggling applicant → call-back offer",
    )  # fmt: skip


def _daytime(moment: datetime, rng: random.Random, zone: tzinfo) -> datetime:
    """Return ``moment`` moved to a daytime hour (8–20) of its day in ``zone``."""
    local = moment.astimezone(zone)
    return local.replace(hour=rng.randint(8, 20), minute=rng.randint(0, 59))


def _plant(
    organization: Organization,
    applications: list[tuple[int, int, datetime]],
    rule: TriggerRule,
) -> None:
    """Add repeated chats and abandonments (and the rule's history) to applications."""
    rng = random.Random(2026)
    now = timezone.now()
    low_ces = set(
        Answer.objects.filter(
            response__organization=organization,
            question__type=Question.Type.CES,
            number__lte=3,
            response__customer__isnull=False,
        ).values_list("response__customer_id", flat=True)
    )
    chat = (
        Touchpoint.objects.for_organization(organization)
        .filter(event_types__event_type="chat.ended")
        .first()
    )
    customers = Customer.objects.in_bulk({c for _, c, _ in applications})
    events: list[Event] = []
    arms: dict[str, list[tuple[Event, object]]] = defaultdict(list)
    seen: set[int] = set()
    for n, (_pk, customer_id, submitted) in enumerate(applications):
        if customer_id in seen:
            continue
        seen.add(customer_id)
        customer = customers[customer_id]
        repeated = rng.random() < 0.3
        struggling = repeated and (customer_id in low_ces or rng.random() < 0.35)
        chats = rng.choice([2, 3, 4]) if repeated else rng.choice([0, 0, 1])
        last_chat = None
        for k in range(chats):
            at = _daytime(
                submitted - timedelta(days=rng.uniform(0.2, 9), minutes=k),
                rng,
                organization.tzinfo,
            )
            at = min(at, now)
            last_chat = Event(
                organization=organization, event_id=f"{PREFIX}chat-{n}-{k}",
                type="chat.ended", customer=customer, touchpoint=chat,
                occurred_at=at, received_at=at,
            )  # fmt: skip
            events.append(last_chat)
        chance = 0.05 + (0.12 if repeated else 0) + (0.33 if struggling else 0)
        if struggling and last_chat is not None and customer.email:
            arm = "held" if held_out(customer_id, rule) else "acted"
            arms[arm].append((last_chat, submitted))
            if arm == "acted":
                chance -= 0.15  # the call-back helped
        if rng.random() < chance:
            at = _daytime(
                submitted + timedelta(days=rng.uniform(1, 12)),
                rng,
                organization.tzinfo,
            )
            if at < now:
                events.append(
                    Event(
                        organization=organization,
                        event_id=f"{PREFIX}gone-{n}",
                        type=ABANDONED,
                        customer=customer,
                        occurred_at=at,
                        received_at=at,
                    )
                )
    Event.objects.bulk_create(events, batch_size=1000)
    invitations = []
    for event, _submitted in arms["acted"]:
        expires = event.occurred_at + timedelta(days=14)
        invited = event.customer
        assert invited is not None  # every planted event names its customer
        invitation = Invitation(
            organization=organization, survey=rule.survey, rule=rule, event=event,
            customer=invited, email=invited.email,
            language=invited.language or organization.default_language,
            # Never answered: expired once its link ran out, else still open.
            state=Invitation.State.EXPIRED if expires < now else Invitation.State.SENT,
            due_at=event.occurred_at, expires_at=expires,
            sent_at=event.occurred_at,
        )  # fmt: skip
        invitation.token_hash = token_digest(invitation.token())
        invitations.append(invitation)
    Invitation.objects.bulk_create(invitations, batch_size=500)
    Suppression.objects.bulk_create(
        (
            Suppression(
                organization=organization,
                rule=rule,
                event=event,
                customer=event.customer,
                reason=Suppression.Reason.HOLDOUT,
                detail="holdout 10 %",
            )
            for event, _submitted in arms["held"]
        ),
        batch_size=500,
    )
    # The rows are history: they were made when their chat ended.
    for model in (Invitation, Suppression):
        for row in (
            model.objects.filter(rule=rule)
            .values("pk")
            .annotate(first=Min("event__occurred_at"))
        ):
            model.objects.filter(pk=row["pk"]).update(created_at=row["first"])
