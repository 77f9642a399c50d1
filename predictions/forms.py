"""The staff form that creates a proactive trigger rule on a risk segment."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cx.models import Organization
from predictions.models import PredictionDefinition
from surveys.models import Survey


class ProactiveRuleForm(forms.Form):
    definition = forms.ModelChoiceField(
        label=_("Prediction"), queryset=PredictionDefinition.objects.none()
    )
    survey = forms.ModelChoiceField(
        label=_("Survey to send"), queryset=Survey.objects.none()
    )
    event_type = forms.CharField(
        label=_("When this event arrives"),
        max_length=200,
        help_text=_("e.g. chat.ended: the customer is reached right after it."),
    )
    threshold = forms.FloatField(
        label=_("Risk at least"), min_value=0.01, max_value=0.99, initial=0.6
    )
    holdout_percent = forms.IntegerField(
        label=_("Holdout (%)"), min_value=1, max_value=50, initial=10,
        help_text=_("Eligible customers who get nothing, to measure the effect."),
    )  # fmt: skip

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        definition_field = cast(forms.ModelChoiceField, self.fields["definition"])
        definition_field.queryset = PredictionDefinition.objects.for_organization(
            organization
        )
        survey_field = cast(forms.ModelChoiceField, self.fields["survey"])
        survey_field.queryset = Survey.objects.for_organization(organization).filter(
            status=Survey.Status.ACTIVE, audience=Survey.Audience.CUSTOMERS
        )
