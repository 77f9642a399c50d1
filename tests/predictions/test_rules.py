"""The proactive-rule form: a rule on the risk segment, with a holdout, via services."""

from __future__ import annotations

import pytest
from django.test import Client

from cx.models import Segment
from predictions.models import PredictionDefinition
from surveys.models import Survey, TriggerRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def abandonment(aurora):
    return PredictionDefinition.objects.create(
        organization=aurora, key="abandon", name="Abandons",
        kind=PredictionDefinition.Kind.EVENT,
        event_type="mortgage.application_abandoned",
    )  # fmt: skip


def survey_of(organization, name="Call-back offer"):
    return Survey.objects.create(
        organization=organization, name=name, status=Survey.Status.ACTIVE,
        languages=["en"], title={"en": name},
    )  # fmt: skip


def owner(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_owner_creates_a_rule_on_the_risk_segment_with_a_holdout(
    aurora, aino, abandonment
):
    survey = survey_of(aurora)
    form = {
        "definition": abandonment.pk, "survey": survey.pk,
        "event_type": "chat.ended", "threshold": "0.6", "holdout_percent": "15",
    }  # fmt: skip
    first = owner(aino).post("/predictions/rules/new/", form)
    again = owner(aino).post("/predictions/rules/new/", form)

    assert (first.status_code, again.status_code) == (302, 302)
    rules = TriggerRule.objects.filter(organization=aurora, survey=survey)
    assert rules.count() == 2
    assert {r.holdout_percent for r in rules} == {15}
    # One risk segment per threshold, reading the prediction's attribute.
    segment = Segment.objects.get(organization=aurora, key="risk-abandon-60")
    assert segment.rule == {
        "attribute": "risk_abandon", "operator": "gte", "value": 0.6,
    }  # fmt: skip
    assert all(list(r.segments_all.all()) == [segment] for r in rules)


def test_another_organisations_survey_is_a_form_error_not_a_rule(
    aurora, aino, other_org, abandonment
):
    theirs = survey_of(other_org)
    response = owner(aino).post(
        "/predictions/rules/new/",
        {"definition": abandonment.pk, "survey": theirs.pk,
         "event_type": "chat.ended", "threshold": "0.6", "holdout_percent": "80"},
    )  # fmt: skip

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "survey" in errors and "holdout_percent" in errors
    assert not TriggerRule.objects.exists() and not Segment.objects.exists()
