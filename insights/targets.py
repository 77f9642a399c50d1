"""Writes of metric targets: the value an organisation aims at, set on the dashboard."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cx.models import Journey, Organization
from insights.metrics import DEFINITIONS, Kind, Metric
from insights.models import MetricTarget

# Which values a target of each kind of metric can take.
RANGES: dict[Kind, tuple[float, float]] = {
    Kind.NPS: (-100.0, 100.0),
    Kind.PROPORTION: (0.0, 100.0),
    Kind.MEAN: (1.0, 7.0),
}
TARGETED = (Metric.NPS, Metric.CSAT, Metric.CES, Metric.FCR, Metric.RESPONSE_RATE)


def target_range(metric: Metric) -> tuple[float, float]:
    """Return the lowest and highest target ``metric`` can have."""
    return RANGES[DEFINITIONS[metric].kind]


@transaction.atomic
def metric_targets_set(
    *,
    organization: Organization,
    values: dict[Metric, float | None],
    journey: Journey | None = None,
) -> None:
    """Set each metric's target, for all journeys or for ``journey`` alone.

    None removes it: the organisation's target (for a journey) or the default applies.

    Raise ``ValidationError`` by metric when a value is outside the metric's scale;
    nothing is saved then.
    """
    errors: dict[str, list[str]] = {}
    for metric, value in values.items():
        if metric not in TARGETED:
            errors[metric.value] = [_("This metric has no target.")]
            continue
        low, high = target_range(metric)
        if value is not None and not low <= value <= high:
            errors[metric.value] = [
                _("Give a target from %(low)s to %(high)s.")
                % {"low": f"{low:g}", "high": f"{high:g}"}
            ]
    if journey is not None and journey.organization_id != organization.pk:
        errors["journey"] = [_("Choose one from the list.")]
    if errors:
        raise ValidationError(errors)
    for metric, value in values.items():
        if value is None:
            MetricTarget.objects.for_organization(organization).filter(
                metric=metric, journey=journey
            ).delete()
        else:
            MetricTarget.objects.update_or_create(
                organization=organization,
                metric=metric,
                journey=journey,
                defaults={"value": value},
            )
