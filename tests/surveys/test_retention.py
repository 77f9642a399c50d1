"""Retention: responses past their organisation's period are anonymised, nothing else.

Aurora Bank keeps identified responses 12 months; Other Oy set no period; Third Oy set 0
(also "keep"). Each has a response completed an hour before Aurora's cutoff and one an
hour after, each with everything the product keeps about a response: the customer, the
business event, the invitation, a comment, a closed follow-up case, an internal note and
a webhook delivery. Only Aurora's older response loses what names its customer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from cx.celery import app as celery_app
from cx.models import Customer, Event, Journey, Organization, Segment, Touchpoint
from cx.services.journeys import touchpoint_save
from cx.services.organizations import organization_create
from cx.services.privacy import REDACTED
from followups.models import FollowUp
from insights.models import ResponseNote
from insights.selectors import metric_rows
from surveys.models import (
    Answer,
    Invitation,
    Response,
    ResponseSegment,
    Suppression,
    Survey,
    TriggerRule,
)
from surveys.services.retention import months_before, responses_retention_apply
from surveys.tasks import responses_retention_task
from tests.insights.conftest import make_response, make_survey
from tests.security.test_erasure_everywhere import tables_mentioning
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.receivers import response_payload
from webhooks.services import webhook_publish

MARGIN = timedelta(hours=1)


def _name(organization: Organization, age: str) -> str:
    return f"Person {organization.slug.title()} {age.title()}"


def _feedback(
    organization: Organization,
    *,
    age: str,
    completed_at: datetime | None,
    started_at: datetime,
    staff: Any,
) -> Response:
    """Store one customer's response at ``completed_at``, with all that hangs off it."""
    survey = Survey.objects.for_organization(organization).get()
    touchpoint = Touchpoint.objects.for_organization(organization).get(
        name="Advisor chat"
    )
    segment = Segment.objects.for_organization(organization).get()
    name = _name(organization, age)
    customer = Customer.objects.create(
        organization=organization,
        external_id=f"{organization.slug}-{age}",
        email=f"{organization.slug}.{age}@example.com",
        name=name,
    )
    event = Event.objects.create(
        organization=organization,
        event_id=f"chat-{organization.slug}-{age}",
        type="chat.ended",
        customer=customer,
        touchpoint=touchpoint,
        occurred_at=started_at,
        received_at=started_at,
        properties={"agent_note": f"{name} asked about rates"},
    )
    Suppression.objects.create(
        organization=organization,
        rule=TriggerRule.objects.for_organization(organization).get(),
        event=event,
        customer=customer,
        reason=Suppression.Reason.CONTACTED_RECENTLY,
        detail=f"{name} was asked 2 days ago",
    )
    invitation = Invitation.objects.create(
        organization=organization,
        survey=survey,
        event=event,
        customer=customer,
        email=customer.email,
        language="fi",
        state=Invitation.State.ANSWERED if completed_at else Invitation.State.OPENED,
        due_at=started_at,
        sent_at=started_at,
        expires_at=started_at + timedelta(days=14),
    )
    answers: dict[str, int | str] = {"nps": 3, "csat": 2, "comment": f"I am {name}"}
    response = make_response(
        survey,
        touchpoint,
        answers,
        segments=[segment],
        completed_at=completed_at,
    )
    Response.objects.filter(pk=response.pk).update(
        customer=customer, event=event, invitation=invitation, started_at=started_at
    )
    Invitation.objects.filter(pk=invitation.pk).update(created_at=started_at)
    if completed_at is None:
        return response
    FollowUp.objects.create(
        organization=organization,
        response=response,
        customer=customer,
        touchpoint=touchpoint,
        reason="NPS 3",
        state=FollowUp.State.CLOSED,
        opened_at=completed_at,
        due_at=completed_at + timedelta(hours=48),
        closed_at=completed_at + timedelta(hours=2),
        root_cause="process",
        action_taken=f"Called {name} back",
        recovered=True,
    )
    ResponseNote.objects.create(
        organization=organization,
        response=response,
        author=staff,
        text=f"{name} is a long-standing client",
    )
    webhook_publish(
        organization=organization,
        event_type="response.completed",
        payload=response_payload(response_id=response.pk),
    )
    return response


def _unanswered_invitation(
    organization: Organization, *, age: str, at: datetime
) -> None:
    customer = Customer.objects.create(
        organization=organization,
        external_id=f"{organization.slug}-silent-{age}",
        email=f"{organization.slug}.silent.{age}@example.com",
        name=_name(organization, f"silent {age}"),
    )
    invitation = Invitation.objects.create(
        organization=organization,
        survey=Survey.objects.for_organization(organization).get(),
        customer=customer,
        email=customer.email,
        language="fi",
        state=Invitation.State.EXPIRED,
        due_at=at,
        sent_at=at,
        expires_at=at + timedelta(days=14),
    )
    Invitation.objects.filter(pk=invitation.pk).update(created_at=at)


@pytest.fixture
def now() -> datetime:
    return timezone.now()


@pytest.fixture
def third_org(db: None) -> Organization:
    return organization_create(slug="third", name="Third Oy", default_language="sv")


@pytest.fixture
def organizations(aurora, other_org, third_org, aino, now) -> list[Organization]:  # type: ignore[no-untyped-def]
    """Return the three organisations, each with old and new feedback in place."""
    aurora.response_retention_months = 12
    aurora.save(update_fields=["response_retention_months"])
    third_org.response_retention_months = 0
    third_org.save(update_fields=["response_retention_months"])
    cutoff = months_before(now, 12)
    for organization in (aurora, other_org, third_org):
        journey = Journey.objects.create(organization=organization, name="Mortgage")
        touchpoint_save(
            organization=organization,
            fields={"journey": journey, "position": 1, "name": "Advisor chat"},
            event_types=["chat.ended"],
        )
        Segment.objects.create(organization=organization, key="valuable", name="V")
        survey = make_survey(organization)
        TriggerRule.objects.create(
            organization=organization, name="Chat", survey=survey, event_type="x"
        )
        WebhookEndpoint.objects.create(
            organization=organization,
            url="http://127.0.0.1:9/hooks",
            event_types=["response.completed"],
        )
        old, new = cutoff - MARGIN, cutoff + MARGIN
        _feedback(organization, age="old", completed_at=old, started_at=old, staff=aino)
        _feedback(organization, age="new", completed_at=new, started_at=new, staff=aino)
        _feedback(
            organization,
            age="unfinished",
            completed_at=None,
            started_at=old - timedelta(days=3),
            staff=aino,
        )
        _unanswered_invitation(organization, age="old", at=old - timedelta(days=30))
        _unanswered_invitation(organization, age="new", at=new)
    return [aurora, other_org, third_org]


def aggregates(organization: Organization) -> dict[str, Any]:
    """Return what the organisation's dashboards count: it must not move."""
    numbers: dict[str, Any] = {
        metric: metric_rows(
            organization=organization,
            metric=metric,
            group_by=["touchpoint", "segment"] if metric != "response_rate" else [],
        )
        for metric in ("nps", "csat", "count", "response_rate")
    }
    numbers["snapshots"] = sorted(
        ResponseSegment.objects.for_organization(organization).values_list(
            "key", "touchpoint_id", "nps", "completed_at"
        ),
        key=str,
    )
    numbers["responses"] = sorted(
        Response.objects.for_organization(organization).values_list(
            "state", "touchpoint_id", "journey_id", "completed_at"
        ),
        key=str,
    )
    numbers["followups"] = sorted(
        FollowUp.objects.for_organization(organization).values_list(
            "state", "root_cause", "recovered", "touchpoint_id"
        ),
        key=str,
    )
    numbers["invitations"] = sorted(
        Invitation.objects.for_organization(organization).values_list(
            "state", "sent_at", "event__touchpoint_id"
        ),
        key=str,
    )
    return numbers


def _everything_kept(organization: Organization, age: str) -> None:
    name = _name(organization, age)
    customer = Customer.objects.get(external_id=f"{organization.slug}-{age}")
    response = Response.objects.get(customer=customer)
    assert not response.is_anonymous
    assert Answer.objects.get(response=response, question__key="comment").text
    assert response.invitation.email == customer.email
    event = Event.objects.get(customer=customer)
    assert event.properties and not event.event_id.startswith("erased-")
    if response.state == Response.State.COMPLETED:
        assert FollowUp.objects.get(response=response).action_taken.endswith("back")
        assert ResponseNote.objects.get(response=response).text.startswith(name)
    assert "cx.Customer" in tables_mentioning(name)
    assert len(tables_mentioning(name)) > 1


def _anonymised(organization: Organization, age: str) -> None:
    name = _name(organization, age)
    customer = Customer.objects.get(external_id=f"{organization.slug}-{age}")
    # The customer record itself stays (erasing a person is another act); nothing
    # else names them any more.
    assert tables_mentioning(name, customer.email) == {"cx.Customer"}
    assert not Response.objects.filter(customer=customer).exists()
    assert not Event.objects.filter(customer=customer).exists()
    assert not Invitation.objects.filter(customer=customer).exists()


def test_only_responses_past_their_organisations_period_are_anonymised(
    organizations, now
):
    aurora, other_org, third_org = organizations
    before = {org.slug: aggregates(org) for org in organizations}

    report = responses_retention_apply(now=now)

    assert list(report) == ["aurora"]
    assert report["aurora"] == {
        "responses_anonymised": 2,  # the old one and the unfinished one
        "answers_blanked": 2,
        "invitations_blanked": 3,  # theirs, and the old one never answered
        "events_detached": 2,
        "suppressions_blanked": 2,
        "followups_detached": 1,
        "followup_actions_removed": 1,
        "recovery_invitations_blanked": 0,
        "notes_removed": 1,
        "webhook_payloads_blanked": 1,
    }
    _anonymised(aurora, "old")
    _anonymised(aurora, "unfinished")
    assert tables_mentioning("aurora.silent.old@example.com") == {"cx.Customer"}
    _everything_kept(aurora, "new")
    assert tables_mentioning("aurora.silent.new@example.com") == {
        "cx.Customer",
        "surveys.Invitation",
    }
    for organization in (other_org, third_org):
        for age in ("old", "new", "unfinished"):
            _everything_kept(organization, age)
    assert {org.slug: aggregates(org) for org in organizations} == before

    old = Response.objects.get(
        invitation__event__event_id__startswith="erased-", state="completed"
    )
    assert old.is_anonymous and old.customer_id is None
    assert old.touchpoint is not None and old.segments.get().key == "valuable"
    assert FollowUp.objects.get(response=old).action_taken == REDACTED
    assert ResponseNote.objects.get(response=old).text == REDACTED
    delivery = WebhookDelivery.objects.get(payload__data=None)
    assert delivery.organization == aurora
    assert delivery.payload["type"] == "response.completed"


def test_a_second_run_changes_nothing(organizations, now):
    responses_retention_apply(now=now)
    after_first = {org.slug: aggregates(org) for org in organizations}

    again = responses_retention_apply(now=now + timedelta(minutes=5))

    assert set(again["aurora"].values()) == {0}
    assert {org.slug: aggregates(org) for org in organizations} == after_first


def test_a_dry_run_prints_the_counts_and_changes_nothing(organizations):
    aurora = organizations[0]
    out = StringIO()

    call_command("anonymise_old_responses", "--dry-run", stdout=out)

    printed = out.getvalue()
    assert printed.startswith("aurora: 12 months, before ")
    assert "responses_anonymised 2" in printed and "notes_removed 1" in printed
    assert "Dry run: nothing was changed." in printed
    assert "other" not in printed and "third" not in printed
    _everything_kept(aurora, "old")

    call_command("anonymise_old_responses", "--org", "aurora", stdout=StringIO())

    _anonymised(aurora, "old")


def test_the_daily_task_is_in_beat_and_runs_the_service(organizations):
    entry = settings.CELERY_BEAT_SCHEDULE["responses-retention"]
    assert entry["task"] == responses_retention_task.name
    assert entry["task"] in celery_app.tasks
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {3} and entry["schedule"].day_of_month == set(
        range(1, 32)
    )

    report = responses_retention_task.delay().get()

    assert report["aurora"]["responses_anonymised"] == 2
    _anonymised(organizations[0], "old")


def test_a_negative_period_is_refused_by_the_database(aurora):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=aurora.pk).update(response_retention_months=-1)


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 3, 31, 3, 30, tzinfo=UTC), 1, datetime(2026, 2, 28, 3, 30)),
        (datetime(2028, 3, 31, tzinfo=UTC), 1, datetime(2028, 2, 29)),
        (datetime(2026, 1, 15, tzinfo=UTC), 1, datetime(2025, 12, 15)),
        (datetime(2026, 6, 15, tzinfo=UTC), 24, datetime(2024, 6, 15)),
    ],
)
def test_months_before_counts_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected.replace(tzinfo=UTC)
