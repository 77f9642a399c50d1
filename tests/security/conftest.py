"""Security fixtures: a tenant with one of everything, built the way the product builds it.

``tenant`` is a factory: given an organisation, its owner and its API client, it creates
a journey with a touchpoint and a process, a segment, a survey with a public link, a
trigger rule, a webhook endpoint, a metric target and the policies, then posts events
through the API (invitations are sent; one customer has no address, so a suppression is
noted), answers one invitation through the answer page (a response with answers, a
follow-up case, a webhook delivery), tags and notes the response, and finishes a
maturity assessment. Every name it writes starts with ``prefix``, so that any of them
turning up in another organisation's output is easy to spot.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cx.models import (
    ApiKey,
    Customer,
    Event,
    Journey,
    Organization,
    Process,
    Segment,
    Touchpoint,
)
from cx.services.journeys import touchpoint_save
from cx.services.organizations import api_key_create
from followups.models import FollowUp, FollowUpPolicy
from insights import feedback
from insights.models import MetricTarget, ResponseNote, Tag
from insights.text.models import TextModel, Theme, ThemeAlert
from insights.text.services import theme_add_rule
from maturity.models import Assessment
from maturity.services import assessment_request
from predictions.models import CustomerRisk, ModelVersion, PredictionDefinition
from surveys.models import (
    ContactPolicy,
    Invitation,
    Response,
    Suppression,
    Survey,
    TriggerRule,
    UndeliverableAddress,
)
from tests.insights.conftest import make_survey
from webhooks.models import WebhookDelivery, WebhookEndpoint


@dataclass
class Tenant:
    """One organisation's objects, by what they are."""

    organization: Organization
    owner: Any
    api: APIClient
    prefix: str
    journey: Journey
    process: Process
    touchpoint: Touchpoint
    segment: Segment
    survey: Survey
    rule: TriggerRule
    endpoint: WebhookEndpoint
    target: MetricTarget
    customer: Customer
    event: Event
    answered: Invitation  # its response is completed
    open_invitation: Invitation  # sent, not yet answered
    failed_invitation: Invitation
    suppression: Suppression
    response: Response
    followup: FollowUp
    tag: Tag
    note: ResponseNote
    theme: Theme
    delivery: WebhookDelivery
    assessment: Assessment
    undeliverable: UndeliverableAddress
    revoked_key: ApiKey
    revoked_secret: str
    prediction: PredictionDefinition
    model_version: ModelVersion

    @property
    def answer_url(self) -> str:
        return f"/s/{self.open_invitation.token()}/"

    @property
    def public_url(self) -> str:
        return f"/p/{self.survey.public_token}/"


def tenant_event(prefix: str, n: int, *, email: bool = True) -> dict[str, Any]:
    """Return a chat event of customer ``<prefix>-cust-<n>``."""
    customer: dict[str, Any] = {
        "external_id": f"{prefix}-cust-{n}",
        "name": f"{prefix.title()}name Customer{n}",
        "language": "en",
        "attributes": {"tier": "vip", "note": f"{prefix}-attribute"},
    }
    if email:
        customer["email"] = f"{prefix}{n}@{prefix}-mail.example"
    return {
        "event_id": f"{prefix}-evt-{n}",
        "type": "chat.ended",
        "customer": customer,
        "properties": {"case": f"{prefix}-property-{n}"},
    }


def answer_invitation(client: Client, invitation: Invitation, **answers: str) -> None:
    """Answer ``invitation`` through its page, one question per POST, as a customer."""
    url = f"/s/{invitation.token()}/"
    for key, value in answers.items():
        posted = client.post(url, {"question": key, "answer": [value]})
        assert posted.status_code in (200, 302), (key, posted.status_code)


@pytest.fixture(autouse=True)
def _quiet_request_log() -> Iterator[None]:
    """Keep the thousands of 4xx answers these tests expect out of the log."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture
def tenant(django_capture_on_commit_callbacks) -> Callable[..., Tenant]:  # type: ignore[no-untyped-def]
    def build(
        organization: Organization, owner: Any, api: APIClient, prefix: str
    ) -> Tenant:
        title = prefix.title()
        organization.cx_owner = owner
        organization.save(update_fields=["cx_owner"])
        process = Process.objects.create(
            organization=organization, name=f"{title} lending process", owner=owner
        )
        journey = Journey.objects.create(
            organization=organization, name=f"{title} mortgage journey", owner=owner
        )
        touchpoint = touchpoint_save(
            organization=organization,
            fields={
                "journey": journey,
                "position": 1,
                "name": f"{title} advisor chat",
                "channel": "chat",
                "process": process,
                "owner": owner,
            },
            event_types=["chat.ended"],
        )
        segment = Segment.objects.create(
            organization=organization,
            key=f"{prefix}-vip",
            name=f"{title} VIP customers",
            rule={"attribute": "tier", "operator": "eq", "value": "vip"},
        )
        survey = make_survey(organization, f"{title} chat survey")
        survey.public_token = secrets.token_urlsafe(16)
        survey.title = {"en": f"{title} survey title", "fi": f"{title} otsikko"}
        survey.save()
        rule = TriggerRule.objects.create(
            organization=organization,
            name=f"{title} chat rule",
            survey=survey,
            touchpoint=touchpoint,
        )
        rule.segments_all.add(segment)
        endpoint = WebhookEndpoint.objects.create(
            organization=organization,
            url=f"https://crm.{prefix}-bank.example/hooks",
            description=f"{title} CRM",
            event_types=["response.completed"],
        )
        target = MetricTarget.objects.create(
            organization=organization, metric="nps", value=41.5
        )
        ContactPolicy.objects.create(organization=organization)
        FollowUpPolicy.objects.create(
            organization=organization, keywords=[f"{prefix}-keyword"]
        )
        undeliverable = UndeliverableAddress.objects.create(
            organization=organization,
            email=f"bounced@{prefix}-mail.example",
            reason=UndeliverableAddress.Reason.BOUNCED,
            detail=f"{title} mailbox full",
        )

        with django_capture_on_commit_callbacks(execute=True):
            for n, has_email in ((1, True), (2, True), (3, False), (4, True)):
                posted = api.post(
                    "/api/v1/events/",
                    tenant_event(prefix, n, email=has_email),
                    format="json",
                )
                assert posted.status_code == 201, posted.content
        invitations = Invitation.objects.for_organization(organization)
        answered = invitations.get(customer__external_id=f"{prefix}-cust-1")
        open_invitation = invitations.get(customer__external_id=f"{prefix}-cust-2")
        failed = invitations.get(customer__external_id=f"{prefix}-cust-4")
        Invitation.objects.filter(pk=failed.pk).update(
            state=Invitation.State.FAILED, last_error=f"{title} SMTP said no"
        )
        assert answered.state == open_invitation.state == Invitation.State.SENT

        # The webhook is written in the completing transaction; its sending, after
        # commit, is never run here: the delivery stays in the log, then "fails".
        answer_invitation(
            Client(),
            answered,
            nps="2",
            csat="1",
            ces="6",
            resolved="0",
            comment=f"{title} comment: the advisor never called back",
        )
        response = Response.objects.get(invitation=answered)
        assert response.state == Response.State.COMPLETED
        followup = FollowUp.objects.get(response=response)
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            state=WebhookDelivery.State.FAILED,
            last_error=f"{title} receiver down",
        )
        feedback.response_tag(response=response, name=f"{prefix}-tag")
        note = feedback.response_note_add(
            response=response, author=owner, text=f"{title} internal note"
        )
        with django_capture_on_commit_callbacks(execute=True):
            requested = assessment_request(organization=organization)
        assessment = Assessment.objects.get(pk=requested.pk)
        assert assessment.status == Assessment.Status.DONE, assessment.error

        theme = theme_add_rule(
            organization=organization, label=f"{title} theme", keywords=f"{prefix}"
        )
        # A training of the comment model (one that failed: a ready one would need its
        # fitted model) and a rising-theme alert, both in the admin.
        TextModel.objects.create(
            organization=organization, state=TextModel.State.FAILED,
            started_at=timezone.now(), finished_at=timezone.now(), comments=12,
            error=f"{title} too few comments",
        )  # fmt: skip
        ThemeAlert.objects.create(
            organization=organization, theme=theme, week=timezone.now().date(),
            touchpoint=touchpoint, count=4, n=40, baseline_share=0.01, p_value=0.001,
            recipient=owner.email,
        )  # fmt: skip
        revoked = api_key_create(organization=organization, name=f"{prefix}-revoked")
        revoked.api_key.revoke()
        prediction = PredictionDefinition.objects.create(
            organization=organization, key=f"{prefix}-abandon",
            name=f"{title} abandons", kind=PredictionDefinition.Kind.EVENT,
            event_type="mortgage.application_abandoned", horizon_days=30,
        )  # fmt: skip
        model_version = ModelVersion.objects.create(
            organization=organization, definition=prediction, number=1,
            state=ModelVersion.State.REFUSED, refusals=[{"code": "short_history",
                                                         "horizon_days": 30}],
        )  # fmt: skip
        CustomerRisk.objects.create(
            organization=organization, definition=prediction, version=model_version,
            customer=Customer.objects.get(
                organization=organization, external_id=f"{prefix}-cust-1"
            ),
            risk=0.7, at_risk=True, reasons=[], scored_at=timezone.now(),
        )  # fmt: skip

        return Tenant(
            organization=organization,
            owner=owner,
            api=api,
            prefix=prefix,
            journey=journey,
            process=process,
            touchpoint=touchpoint,
            segment=segment,
            survey=survey,
            rule=rule,
            endpoint=endpoint,
            target=target,
            customer=Customer.objects.get(
                organization=organization, external_id=f"{prefix}-cust-1"
            ),
            event=Event.objects.get(
                organization=organization, event_id=f"{prefix}-evt-1"
            ),
            answered=Invitation.objects.get(pk=answered.pk),
            open_invitation=Invitation.objects.get(pk=open_invitation.pk),
            failed_invitation=Invitation.objects.get(pk=failed.pk),
            suppression=Suppression.objects.for_organization(organization).get(),
            response=response,
            followup=followup,
            tag=Tag.objects.for_organization(organization).get(),
            note=note,
            theme=theme,
            delivery=WebhookDelivery.objects.get(pk=delivery.pk),
            assessment=assessment,
            undeliverable=undeliverable,
            revoked_key=revoked.api_key,
            revoked_secret=revoked.secret_key,
            prediction=prediction,
            model_version=model_version,
        )

    return build


@pytest.fixture
def world(tenant, aurora, aino, api, other_org, olli, outsider_api):  # type: ignore[no-untyped-def]
    return tenant(aurora, aino, api, "aurora"), tenant(
        other_org, olli, outsider_api, "other"
    )
