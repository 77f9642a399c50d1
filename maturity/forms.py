"""The self-assessment questionnaire of the staff page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from maturity.method import DIMENSIONS, SELF_ASSESSMENT_ITEMS, SELF_ASSESSMENT_STEPS

IMPORTANCE_CHOICES = [
    (1, gettext_lazy("1 · minor")),
    (2, "2"),
    (3, gettext_lazy("3 · normal")),
    (4, "4"),
    (5, gettext_lazy("5 · critical")),
]


class SelfAssessmentForm(forms.Form):
    """One four-step question per item (never "rate yourself 1–10"), importance 1–5."""

    def __init__(
        self,
        *args: Any,
        answers: dict[str, int] | None = None,
        importance: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        steps = [
            (step, gettext_lazy(label)) for step, label in SELF_ASSESSMENT_STEPS.items()
        ]
        for key, _dimension, statement in SELF_ASSESSMENT_ITEMS:
            self.fields[f"item_{key}"] = forms.TypedChoiceField(
                label=gettext_lazy(statement),
                choices=steps,
                coerce=int,
                widget=forms.RadioSelect,
                initial=(answers or {}).get(key),
            )
        for dimension in DIMENSIONS:
            self.fields[f"importance_{dimension.key}"] = forms.TypedChoiceField(
                label=gettext_lazy(dimension.name),
                choices=IMPORTANCE_CHOICES,
                coerce=int,
                initial=(importance or {}).get(dimension.key, 3),
            )

    def items_by_dimension(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """Return (key, name, item fields) per dimension that has items."""
        grouped = []
        for dimension in DIMENSIONS:
            fields = [
                self[f"item_{key}"]
                for key, of, _statement in SELF_ASSESSMENT_ITEMS
                if of == dimension.key
            ]
            if fields:
                grouped.append((dimension.key, dimension.name, fields))
        return grouped

    def importance_fields(self) -> list[forms.BoundField]:
        return [self[f"importance_{dimension.key}"] for dimension in DIMENSIONS]

    def answers(self) -> dict[str, int]:
        return {
            key: self.cleaned_data[f"item_{key}"]
            for key, _d, _s in SELF_ASSESSMENT_ITEMS
        }

    def importance(self) -> dict[str, int]:
        return {d.key: self.cleaned_data[f"importance_{d.key}"] for d in DIMENSIONS}
