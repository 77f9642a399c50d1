"""The organisation's own follow-up policy decides, not the defaults.

Each threshold is set to differ from its default and answered one point either side;
the SLA is the organisation's own number of hours.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from followups.models import FollowUp, FollowUpPolicy


def _policy(aurora, **fields):
    FollowUpPolicy.objects.update_or_create(organization=aurora, defaults=fields)


@pytest.mark.parametrize(
    ("csat", "opens"), [("3", True), ("4", False)], ids=["at", "one above"]
)
def test_a_stricter_csat_threshold_than_the_default_opens_at_its_limit(
    aurora, answered, csat, opens
):
    _policy(aurora, csat_at_most=3)  # the default is 2

    answered(1, csat=csat, resolved="1")

    assert FollowUp.objects.filter(reason=f"CSAT {csat}").exists() is opens


@pytest.mark.parametrize(
    ("csat", "opens"), [("1", True), ("2", False)], ids=["at", "one above"]
)
def test_a_looser_csat_threshold_than_the_default_lets_the_default_limit_pass(
    aurora, answered, csat, opens
):
    _policy(aurora, csat_at_most=1)

    answered(1, csat=csat, resolved="1")

    assert (FollowUp.objects.count() == 1) is opens


def test_an_organisation_that_turns_first_contact_off_opens_no_case_for_it(
    aurora, answered
):
    _policy(aurora, fcr_no=False)

    answered(1, csat="5", resolved="0")

    assert FollowUp.objects.count() == 0


def test_the_organisations_keywords_open_a_case(aurora, answered, chat_survey):
    from surveys.models import Question

    Question.objects.create(
        survey=chat_survey,
        key="comment",
        position=3,
        type=Question.Type.TEXT,
        required=False,
        text={"fi": "Kerro lisää", "en": "Tell us more"},
    )
    _policy(aurora, keywords=["irtisanon"])

    answered(
        1, csat="5", resolved="1", comment="Taidan IRTISANOA... irtisanon sopimuksen"
    )

    assert FollowUp.objects.get().reason == "comment mentions 'irtisanon'"


def test_the_case_is_due_after_the_organisations_own_sla(aurora, answered):
    _policy(aurora, sla_hours=5)  # the default is 48

    answered(1, csat="1", resolved="1")

    case = FollowUp.objects.get()
    assert case.due_at - case.opened_at == timedelta(hours=5)


def test_an_inactive_policy_opens_nothing(aurora, answered):
    _policy(aurora, active=False)

    answered(1, csat="1", resolved="0")

    assert FollowUp.objects.count() == 0
