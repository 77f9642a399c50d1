"""The demo's maturity: a filled self-assessment and monthly assessments over its history.

The executive's first view is the organisation's place on the ladder and its trend, not
"No assessments yet". The self-assessment is the CX manager's, revised once by the
executive; it claims a little more than the data shows on governance (the story's
blocker), as organisations do. One assessment is computed per month of history, the last
ending now, each over the default window from the history's first day on; a history
shorter than a month gets one. The history matures (``insights.demo.content``: rules
added, cases worked faster, recovery surveys begun), so the assessments differ as the
team's work did. The step does nothing when the demo has assessments.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from cx.demo import Progress
from cx.models import Organization
from maturity import services
from maturity.models import Assessment, SelfAssessmentRound

MONTH = timedelta(days=30)

# The CX manager's first answers (item → step), and the executive's later revision.
FIRST_ANSWERS = {
    "listening_continuous": 3,
    "identify_across": 2,
    "journeys_mapped": 3,
    "segments_used": 2,
    "loop_closed": 3,
    "results_shared": 3,
    "cx_targets": 3,
    "cx_owner": 3,
    "employees_measured": 1,
    "leadership_measured": 1,
    "customers_cocreate": 2,
    "predict_next_step": 1,
}
REVISION = {"cx_targets": 2, "segments_used": 3}
IMPORTANCE = {
    "D1": 4,
    "D2": 3,
    "D3": 3,
    "D4": 3,
    "D5": 5,
    "D6": 3,
    "D7": 4,
    "D8": 2,
    "D9": 2,
}


def load_assessments(organization: Organization, progress: Progress) -> None:
    """Compute the demo's monthly assessments, answering the self-assessment on the way.

    History is replayed in order: each assessment sees the self-assessment as it stood
    at its end (an assessment computes with the current answers): the CX manager's
    answers from the history's first days, the executive's revision from its last
    quarter.
    """
    if Assessment.objects.for_organization(organization).exists():
        progress("assessments exist")
        return
    days = int(getattr(settings, "CX_DEMO_HISTORY_DAYS", 90))
    now = timezone.now()
    start = now - timedelta(days=max(days, 0))
    users = get_user_model().objects.filter(
        username__in=["cx", "exec"], memberships__organization=organization
    )
    by_name = {user.username: user for user in users}
    rounds: list[tuple[datetime, dict[str, int], dict[str, int] | None, str]] = []
    if not SelfAssessmentRound.objects.for_organization(organization).exists():
        rounds = [
            (start + (now - start) * 0.1, FIRST_ANSWERS, IMPORTANCE, "cx"),
            (start + (now - start) * 0.75, REVISION, None, "exec"),
        ]

    def answer_until(moment: datetime) -> None:
        while rounds and rounds[0][0] <= moment:
            at, answers, importance, username = rounds.pop(0)
            services.self_assessment_save(
                organization=organization,
                answers=answers,
                importance=importance,
                user=by_name.get(username),
                at=at,
            )
            progress(f"self-assessment {at:%Y-%m-%d}")

    if days > 0:
        months = max(0, days // MONTH.days - 1)
        for ago in range(months, -1, -1):
            end = now - ago * MONTH
            answer_until(end)
            services.assessment_compute_now(
                organization=organization,
                period_start=max(start, end - services.DEFAULT_PERIOD),
                period_end=end,
            )
            progress(f"assessment {end:%Y-%m-%d}")
    answer_until(now)  # without history (days ≤ 0) the answers alone
