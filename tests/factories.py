"""factory_boy factories for the core models, shared by the tests and the benchmarks.

Every factory makes a valid row of one organisation with the fewest fields a reader
must think about; name the fields a test is about and let the rest default. Rows the
product creates through a service (an organisation, a membership, a touchpoint with
its event types) are created through that service. ``build()`` makes unsaved rows for
``bulk_create`` (an invitation built so has its token hash, which ``save()`` would set).

    survey = SurveyFactory(organization=aurora, questions=["csat"])
    rule = TriggerRuleFactory(survey=survey, touchpoint=chat)
    customers = CustomerFactory.build_batch(200, organization=aurora)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory

from cx.models import (
    Customer,
    Event,
    Journey,
    Membership,
    Organization,
    Role,
    Touchpoint,
)
from cx.services.journeys import touchpoint_save
from cx.services.organizations import member_add, organization_create
from followups.models import FollowUp
from surveys.models import Invitation, Question, Response, Survey, TriggerRule
from surveys.models.invitations import token_digest

# Question keys a survey factory knows, with their type and (fi, en) wording.
QUESTIONS: dict[str, tuple[str, str, str]] = {
    "nps": (Question.Type.NPS, "Suosittelisitko meitä?", "Would you recommend us?"),
    "csat": (Question.Type.CSAT, "Kuinka tyytyväinen olit?", "How satisfied were you?"),
    "ces": (Question.Type.CES, "Kuinka helppoa se oli?", "How easy was it?"),
    "resolved": (
        Question.Type.FCR,
        "Saitko asiasi hoidettua?",
        "Did you get your matter resolved?",
    ),
    "comment": (Question.Type.TEXT, "Haluatko kertoa lisää?", "Anything else?"),
}


class OrganizationFactory(DjangoModelFactory[Organization]):
    """An organisation, created by ``cx.services.organizations.organization_create``."""

    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org{n}")
    name = factory.LazyAttribute(lambda o: f"{o.slug.title()} Oy")
    default_language = "fi"

    @classmethod
    def _create(
        cls, model_class: type[Organization], *args: Any, **fields: Any
    ) -> Organization:
        return organization_create(**fields)


class UserFactory(DjangoModelFactory[Any]):
    """A staff login (password ``pw``)."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    is_staff = True
    password = factory.django.Password("pw")


class MembershipFactory(DjangoModelFactory[Membership]):
    """A user's role in an organisation, given by ``cx.services.organizations.member_add``."""

    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.CX_MANAGER

    @classmethod
    def _create(
        cls, model_class: type[Membership], *args: Any, **fields: Any
    ) -> Membership:
        return member_add(**fields)


class CustomerFactory(DjangoModelFactory[Customer]):
    class Meta:
        model = Customer

    organization = factory.SubFactory(OrganizationFactory)
    external_id = factory.Sequence(lambda n: f"c-{n}")
    email = factory.LazyAttribute(lambda c: f"{c.external_id}@example.com")
    name = "Maija Meikäläinen"
    language = "fi"
    attributes = factory.LazyFunction(dict)


class JourneyFactory(DjangoModelFactory[Journey]):
    class Meta:
        model = Journey

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Journey {n}")


class TouchpointFactory(DjangoModelFactory[Touchpoint]):
    """A touchpoint of a journey, named by ``event_types`` (``touchpoint_save``)."""

    class Meta:
        model = Touchpoint

    journey = factory.SubFactory(JourneyFactory)
    organization = factory.SelfAttribute("journey.organization")
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Touchpoint {n}")
    channel = "web"

    @classmethod
    def _create(
        cls,
        model_class: type[Touchpoint],
        *args: Any,
        organization: Organization,
        event_types: Sequence[str] = (),
        **fields: Any,
    ) -> Touchpoint:
        return touchpoint_save(
            organization=organization, fields=fields, event_types=list(event_types)
        )


class SurveyFactory(DjangoModelFactory[Survey]):
    """An active survey; ``questions`` lists its question keys (see ``QUESTIONS``)."""

    class Meta:
        model = Survey
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Survey {n}")
    status = Survey.Status.ACTIVE
    languages = factory.LazyFunction(lambda: ["fi", "sv", "en"])
    title = factory.LazyAttribute(lambda s: {"fi": s.name, "en": s.name})

    @factory.post_generation
    def questions(survey: Survey, create: bool, keys: Sequence[str] | None) -> None:
        if not create:
            return
        for position, key in enumerate(("csat",) if keys is None else keys, start=1):
            type_, finnish, english = QUESTIONS[key]
            Question.objects.create(
                survey=survey, key=key, position=position, type=type_,
                text={"fi": finnish, "en": english}, required=type_ != Question.Type.TEXT,
            )  # fmt: skip


class TriggerRuleFactory(DjangoModelFactory[TriggerRule]):
    """A rule sending ``survey`` at ``touchpoint`` (segments via ``segments_all``)."""

    class Meta:
        model = TriggerRule
        skip_postgeneration_save = True

    survey = factory.SubFactory(SurveyFactory)
    organization = factory.SelfAttribute("survey.organization")
    name = factory.Sequence(lambda n: f"Rule {n}")

    @factory.post_generation
    def segments_all(
        rule: TriggerRule, create: bool, segments: Sequence[Any] | None
    ) -> None:
        if create and segments:
            rule.segments_all.set(segments)


class EventFactory(DjangoModelFactory[Event]):
    class Meta:
        model = Event

    organization = factory.SubFactory(OrganizationFactory)
    event_id = factory.Sequence(lambda n: f"event-{n}")
    type = "chat.ended"
    occurred_at = factory.LazyFunction(timezone.now)
    received_at = factory.SelfAttribute("occurred_at")


class InvitationFactory(DjangoModelFactory[Invitation]):
    """An invitation to ``customer``, sent from a rule's event unless told otherwise."""

    class Meta:
        model = Invitation

    survey = factory.SubFactory(SurveyFactory)
    organization = factory.SelfAttribute("survey.organization")
    customer = factory.SubFactory(
        CustomerFactory, organization=factory.SelfAttribute("..organization")
    )
    origin = Invitation.Origin.EVENT
    email = factory.LazyAttribute(lambda i: i.customer.email if i.customer else "")
    language = "fi"
    due_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda i: i.due_at + timedelta(days=14))

    @classmethod
    def _build(
        cls, model_class: type[Invitation], *args: Any, **fields: Any
    ) -> Invitation:
        invitation = model_class(*args, **fields)
        invitation.token_hash = token_digest(invitation.token())
        return invitation


class ResponseFactory(DjangoModelFactory[Response]):
    """A completed response to ``survey`` (answers are the test's to add)."""

    class Meta:
        model = Response

    survey = factory.SubFactory(SurveyFactory)
    organization = factory.SelfAttribute("survey.organization")
    origin = Response.Origin.EVENT
    language = "fi"
    state = Response.State.COMPLETED
    completed_at = factory.LazyFunction(timezone.now)
    started_at = factory.LazyAttribute(
        lambda r: (r.completed_at or timezone.now()) - timedelta(minutes=1)
    )


class FollowUpFactory(DjangoModelFactory[FollowUp]):
    """An open case on ``response``, due in 48 hours."""

    class Meta:
        model = FollowUp

    response = factory.SubFactory(ResponseFactory)
    organization = factory.SelfAttribute("response.organization")
    customer = factory.SelfAttribute("response.customer")
    touchpoint = factory.SelfAttribute("response.touchpoint")
    journey = factory.SelfAttribute("response.journey")
    reason = "NPS 3"
    opened_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda f: f.opened_at + timedelta(hours=48))
