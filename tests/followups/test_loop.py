"""The closed loop: unhappy answers open a case, its owner is told, it closes with a cause."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cx.models import Role
from cx.services.organizations import member_add, staff_user_create
from followups import selectors, services
from followups.models import FollowUp, FollowUpPolicy
from followups.tasks import followups_remind_task
from surveys.models import Invitation, Question, Survey


@pytest.fixture
def chat_owner(aurora, mortgage):
    """Bertil answers for the advisor chat."""
    bertil = staff_user_create(
        username="bertil", email="bertil@aurora.example", password="pw-bertil"
    )
    member_add(organization=aurora, user=bertil, role=Role.CX_MANAGER)
    mortgage.touchpoints.filter(name="Advisor chat").update(owner=bertil)
    return bertil


def test_a_dissatisfied_answer_opens_a_case_for_the_touchpoint_owner(
    answered, chat_owner, mailoutbox
):
    before = timezone.now()
    response = answered(1, csat="2", resolved="1")

    case = FollowUp.objects.get()
    assert case.response == response
    assert case.reason == "CSAT 2"
    assert case.owner == chat_owner
    assert case.state == FollowUp.State.OPEN
    assert timedelta(hours=47) < case.due_at - before <= timedelta(hours=48, seconds=5)
    alert = mailoutbox[-1]
    assert alert.to == ["bertil@aurora.example"]
    assert "CSAT 2" in alert.subject
    assert f"/followups/{case.pk}/" in alert.body


def test_happy_customers_open_no_case(answered, chat_owner):
    answered(1, csat="5", resolved="1")

    assert FollowUp.objects.count() == 0


def test_an_unresolved_matter_opens_a_case_even_when_satisfied(answered, chat_owner):
    answered(1, csat="4", resolved="0")

    assert FollowUp.objects.get().reason == "not resolved on first contact"


def test_a_keyword_in_a_comment_opens_a_case(answered, chat_survey, aurora):
    Question.objects.create(
        survey=chat_survey, key="comment", position=3, type=Question.Type.TEXT,
        required=False, text={"fi": "Muuta?", "en": "Anything else?"},
    )  # fmt: skip
    FollowUpPolicy.objects.create(organization=aurora, keywords=["irtisano"])

    answered(1, csat="5", resolved="1", comment="Taidan irtisanoa sopimuksen.")

    assert FollowUp.objects.get().reason == "comment mentions 'irtisano'"


def test_the_owner_falls_back_to_the_organisations_cx_owner(answered, aurora, aino):
    aurora.cx_owner = aino
    aurora.save()

    answered(1, csat="1", resolved="1")

    assert FollowUp.objects.get().owner == aino


def test_closing_needs_a_root_cause_and_the_action_taken(answered, chat_owner):
    answered(1, csat="2", resolved="1")
    case = FollowUp.objects.get()

    with pytest.raises(ValidationError) as refused:
        services.followup_close(
            followup=case, user=chat_owner, root_cause="", action_taken=" "
        )
    assert set(refused.value.message_dict) == {"root_cause", "action_taken"}
    assert FollowUp.objects.get().state == FollowUp.State.OPEN

    services.followup_close(
        followup=case,
        user=chat_owner,
        root_cause="waiting",
        action_taken="Called the customer and booked a new meeting.",
    )
    closed = FollowUp.objects.get()
    assert closed.state == FollowUp.State.CLOSED
    assert closed.closed_by == chat_owner and closed.closed_at is not None


def test_the_database_refuses_a_closed_case_without_a_cause(answered, chat_owner):
    answered(1, csat="2", resolved="1")

    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.update(state=FollowUp.State.CLOSED, closed_at=timezone.now())


def test_a_recovery_survey_answered_positively_counts_as_recovered(
    answered, chat_owner, aurora, chat_survey, client, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    recovery = Survey.objects.create(
        organization=aurora, name="Recovery", status=Survey.Status.ACTIVE,
        languages=["fi", "en"], title={"fi": "Korjasimmeko asian?"},
    )  # fmt: skip
    Question.objects.create(
        survey=recovery, key="csat", position=1, type=Question.Type.CSAT,
        text={"fi": "Oletko nyt tyytyväinen?", "en": "Are you satisfied now?"},
    )  # fmt: skip
    FollowUpPolicy.objects.create(organization=aurora, recovery_survey=recovery)
    answered(1, csat="1", resolved="0")
    case = FollowUp.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.followup_close(
            followup=case, user=chat_owner, root_cause="people",
            action_taken="Apologised; fixed the loan terms.", send_recovery_survey=True,
        )  # fmt: skip

    invitation = Invitation.objects.get(origin=Invitation.Origin.RECOVERY)
    assert invitation.state == Invitation.State.SENT
    assert mailoutbox[-1].to == ["c1@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/s/{invitation.token()}/", {"question": "csat", "answer": "5"})

    assert FollowUp.objects.get().recovered is True
    assert FollowUp.objects.count() == 1  # the recovery answer opened no case
    assert list(FollowUp.objects.get().activities.values_list("kind", "text")) == [
        ("opened", ""),
        ("closed", "Apologised; fixed the loan terms."),
        ("recovery_sent", ""),
        ("recovery_answered", "recovered"),
    ]
    assert selectors.followup_counts(organization=aurora)["recovery_rate"] == 1.0


def test_owners_are_reminded_once_before_the_sla_passes(
    answered, chat_owner, mailoutbox
):
    answered(1, csat="2", resolved="1")
    FollowUp.objects.update(due_at=timezone.now() + timedelta(hours=3))
    mailoutbox.clear()

    followups_remind_task()
    followups_remind_task()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["bertil@aurora.example"]
    assert FollowUp.objects.get().reminded_at is not None


def test_overdue_cases_are_counted_and_flagged(answered, chat_owner, aurora):
    answered(1, csat="2", resolved="1")
    answered(2, csat="1", resolved="1")
    FollowUp.objects.filter(response__customer__external_id="c-1").update(
        due_at=timezone.now() - timedelta(hours=1)
    )

    counts = selectors.followup_counts(organization=aurora)

    assert (counts["open"], counts["overdue"], counts["closed"]) == (2, 1, 0)
    assert [case.is_overdue for case in FollowUp.objects.order_by("due_at")] == [
        True,
        False,
    ]


def test_the_funnel_counts_cases_opened_at_the_touchpoint(answered, chat_owner, aurora):
    from insights.selectors import funnel

    answered(1, csat="2", resolved="1")
    answered(2, csat="5", resolved="1")

    chat = next(
        r
        for r in funnel(organization=aurora)
        if r.touchpoint and r.touchpoint["name"] == "Advisor chat"
    )

    assert (chat.completed, chat.followup_opened, chat.recovered) == (2, 1, 0)


@pytest.mark.parametrize(
    ("origin", "anonymous", "with_customer"),
    [
        ("public_link", True, False),  # the website's feedback link: nobody to call
        ("list", True, True),  # an anonymous survey to a known customer
        ("list", False, False),  # no customer on record
    ],
)
def test_an_answer_nobody_can_follow_up_opens_no_case(
    aurora, chat_survey, chat_owner, origin, anonymous, with_customer
):
    from cx.models import Customer
    from surveys.models import Answer, Response

    customer = (
        Customer.objects.create(organization=aurora, external_id="c-anon")
        if with_customer
        else None
    )
    now = timezone.now()
    response = Response.objects.create(
        organization=aurora, survey=chat_survey, customer=customer, origin=origin,
        is_anonymous=anonymous, language="fi", state="completed",
        started_at=now, completed_at=now,
    )  # fmt: skip
    Answer.objects.create(
        response=response, question=chat_survey.questions.get(key="csat"), number=1
    )

    assert services.followup_open_for(response) is None
    assert FollowUp.objects.count() == 0
