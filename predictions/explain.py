"""Reasons and refusals in words, in the reader's language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

METRIC_NAMES = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}
SCALE_TOP = {"nps": 10, "csat": 5, "ces": 7}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def feature_words(
    feature: str, value: float | None, labels: dict[str, str] | None = None
) -> str:
    """Return a feature (with the customer's value, if given) as a person would say it.

    ``labels`` names event types by their touchpoint and ``segment:<key>`` by the
    segment's name (``selectors.event_labels``).
    """
    labels = labels or {}
    parts = feature.split(":")
    if parts[0] == "events" and parts[1] != "all":
        what = labels.get(parts[1], parts[1])
        days = int(parts[2])
        if value is None:
            return _("contacts at “%(what)s” in the last %(days)s days") % {
                "what": what,
                "days": days,
            }
        count = int(value)
        return ngettext(
            "%(count)s contact at “%(what)s” in %(days)s days",
            "%(count)s contacts at “%(what)s” in %(days)s days",
            count,
        ) % {"count": count, "what": what, "days": days}
    if parts[0] == "events":
        if value is None:
            return _("contacts in the last 60 days")
        return _("%(count)s contacts in the last 60 days") % {"count": int(value)}
    if feature == "days_since_last_event":
        if value is None:
            return _("days since the last contact")
        return _("%(days)s days since the last contact") % {"days": _number(value)}
    if feature == "journey_step":
        if value is None:
            return _("step reached on the journey")
        return _("at step %(step)s of the journey") % {"step": _number(value)}
    if parts[0] == "last_score":
        metric = parts[1]
        if value is None:
            return _("the last %(metric)s score given") % {
                "metric": METRIC_NAMES[metric]
            }
        return _("last %(metric)s score %(score)s / %(top)s") % {
            "metric": METRIC_NAMES[metric],
            "score": _number(value),
            "top": SCALE_TOP[metric],
        }
    if feature.startswith("low_scores"):
        if value is None:
            return _("low scores in the last 90 days")
        return _("%(count)s low scores in the last 90 days") % {"count": int(value)}
    if feature.startswith("comments"):
        if value is None:
            return _("comments in the last 90 days")
        return _("%(count)s comments in the last 90 days") % {"count": int(value)}
    if feature == "cases:open":
        if value is None:
            return _("open follow-up cases")
        return ngettext(
            "%(count)s open follow-up case",
            "%(count)s open follow-up cases",
            int(value),
        ) % {"count": int(value)}
    if feature.startswith("cases:"):
        if value is None:
            return _("follow-up cases in the last 90 days")
        return ngettext(
            "%(count)s follow-up case in the last 90 days",
            "%(count)s follow-up cases in the last 90 days",
            int(value),
        ) % {"count": int(value)}
    if parts[0] == "segment":
        name = labels.get(feature, parts[1])
        if value is not None and not value:
            return _("not in the segment “%(name)s”") % {"name": name}
        return _("in the segment “%(name)s”") % {"name": name}
    if feature.startswith("answers"):
        if value is None:
            return _("answers in the last 90 days")
        return _("%(count)s answers in the last 90 days") % {"count": int(value)}
    return feature


def reasons_words(
    reasons: list[dict[str, Any]], labels: dict[str, str] | None = None
) -> list[str]:
    """Return a risk's reasons (as stored) in words."""
    return [feature_words(r["feature"], r["value"], labels) for r in reasons]


def refusal_words(refusal: dict[str, Any]) -> str:
    """Return why the gate refused a model, in words."""
    code = refusal.get("code")
    if code == "few_outcomes":
        return (
            _(
                "Too few outcomes to judge: %(positives)s outcomes and %(negatives)s "
                "non-outcomes in the test period; %(needed)s of each are needed."
            )
            % refusal
        )
    if code == "auc_reaches_chance":
        return _(
            "Not better than chance: the AUC's 95 %% interval (%(low).2f–%(high).2f) "
            "reaches 0.5."
        ) % {"low": refusal.get("low") or 0, "high": refusal.get("high") or 0}
    if code == "short_history":
        return (
            _(
                "Not enough history: the test period needs data after a training period "
                "whose %(horizon_days)s-day horizon has passed."
            )
            % refusal
        )
    if code == "one_class_in_training":
        return _("The training period holds only one kind of outcome.")
    return str(code)
