"""The evidence queries count what a plain reading of the responses counts.

The queries are shaped for a million responses (filtered counts, weekly probes along the
completion-time index, the closed loop's sample read as a range of ids, scans run side
by side on PostgreSQL); each test here counts the same thing the obvious way, row by
row in Python or with a grouping by week, on a built organisation, and asks for the
same numbers. The Monte Carlo's lookups are held to scoring every draw afresh, and the
report's heatmap, drawn from the cells the assessment stored, to the dashboard's.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from django.db import transaction
from django.db.models.functions import TruncWeek
from django.utils import timezone

from followups.models import FollowUp
from insights.dashboard import segment_heatmap
from maturity import evidence, method, reads, report, scoring, services
from maturity.evidence import Period
from maturity.models import Assessment
from maturity.scoring import Observation
from surveys.models import Answer, Question, Response, Survey
from tests.maturity import builders


def default_period() -> Period:
    now = timezone.now()
    return Period(now - timedelta(days=90), now + timedelta(minutes=1))


def heard(organization, period: Period) -> list[Response]:
    """Return the period's completed customer feedback, filtered in Python."""
    return [
        response
        for response in Response.objects.filter(organization=organization)
        .select_related("survey")
        .order_by("pk")
        if response.state == Response.State.COMPLETED
        and period.start <= response.completed_at < period.end
        and response.survey.audience == Survey.Audience.CUSTOMERS
        and response.origin != Response.Origin.RECOVERY
    ]


# Weeks --------------------------------------------------------------------------------


def test_the_period_is_cut_at_each_monday_midnight_of_the_current_time_zone():
    start = datetime(2026, 3, 18, 21, 30, tzinfo=UTC)  # a Wednesday, 23:30 in Helsinki
    period = Period(start, start + timedelta(days=20))

    with timezone.override("Europe/Helsinki"):  # summer time starts on 29 March
        windows = period.week_windows()
        mondays = [timezone.localtime(end) for _, end in windows[:-1]]

    assert windows[0][0] == period.start
    assert windows[-1][1] == period.end
    assert all(a[1] == b[0] for a, b in pairwise(windows))
    assert [(m.date().isoformat(), m.hour, m.minute) for m in mondays] == [
        ("2026-03-23", 0, 0),
        ("2026-03-30", 0, 0),
        ("2026-04-06", 0, 0),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["UTC", "Europe/Helsinki", "America/Los_Angeles"])
def test_weeks_with_answers_are_the_weeks_a_grouping_by_week_finds(zone):
    organization = builders.level_2_event_driven()
    # Longer than the 88 days of answers: empty weeks at the start must not count.
    now = timezone.now()
    period = Period(now - timedelta(days=200), now + timedelta(minutes=1))

    with timezone.override(zone):
        summary = evidence.response_summary(organization, period)
        grouped = {
            tuple(week.isocalendar()[:2])
            for week in evidence._completed(organization, period)
            .annotate(week=TruncWeek("completed_at"))
            .values_list("week", flat=True)
            .distinct()
        }

    assert 12 <= summary.weeks_with_answers == len(grouped) < period.weeks


# Counts -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_response_summary_counts_what_the_responses_say():
    organization = builders.level_3_understanding_driven()
    period = default_period()
    spans = period.trend_spans()
    # Answers on the edges of the trend spans: just before the first (in no span), at
    # a span's first instant, at the last instant of the last.
    edges = [
        spans[0][0] - timedelta(microseconds=1),
        spans[0][0],
        spans[1][0],
        spans[1][0] - timedelta(microseconds=1),
        spans[-1][1] - timedelta(microseconds=1),
    ]
    for response, at in zip(heard(organization, period), edges, strict=False):
        Response.objects.filter(pk=response.pk).update(completed_at=at)
    responses = heard(organization, period)

    summary = evidence.response_summary(organization, period)

    live = [r for r in responses if r.imported_at is None]
    assert summary.span_answers == [
        sum(start <= r.completed_at < end for r in live) for start, end in spans
    ]
    assert 0 < sum(summary.span_answers) < summary.total  # some before the first span

    assert summary.total == len(responses) > 0
    assert summary.triggered == sum(r.origin == "event" for r in responses)
    assert summary.identified == sum(
        r.customer_id is not None and not r.is_anonymous for r in responses
    )
    assert summary.touchpoints == {r.touchpoint_id for r in responses} - {None}
    assert summary.triggered_touchpoints == {
        r.touchpoint_id for r in responses if r.origin == "event"
    } - {None}


@pytest.mark.django_db
def test_a_period_without_answers_has_no_week_with_answers():
    organization = builders.level_2_event_driven()
    long_ago = timezone.now() - timedelta(days=400)

    summary = evidence.response_summary(
        organization, Period(long_ago, long_ago + timedelta(days=90))
    )

    assert (summary.total, summary.weeks_with_answers) == (0, 0)


def negative(answer: Answer) -> bool:
    limits = {"nps": 6, "csat": 2, "ces": 3}
    kind = answer.question.type
    if kind == Question.Type.FCR:
        return answer.number == 0
    return (
        kind in limits and answer.number is not None and answer.number <= limits[kind]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("sample", [40, 20000])  # a part of the period, and all of it
def test_the_loop_share_is_read_on_the_latest_responses(monkeypatch, sample):
    organization = builders.level_3_understanding_driven()
    period = default_period()
    # Answers someone can follow up: of a known customer, not anonymous.
    latest = [
        r for r in heard(organization, period) if r.customer_id and not r.is_anonymous
    ][-sample:]
    answers = Answer.objects.filter(response__in=latest).select_related("question")
    negatives = {a.response_id for a in answers if negative(a)}
    with_case = set(
        FollowUp.objects.filter(response_id__in=negatives).values_list(
            "response_id", flat=True
        )
    )
    monkeypatch.setattr(evidence.loop, "LOOP_SAMPLE", sample)

    share = evidence.closed_loop(organization, period)["d5_case_share"]

    assert len(negatives) > 0
    assert (share.successes, share.trials) == (len(with_case), len(negatives))


# Side by side on PostgreSQL -----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_scans_run_side_by_side_on_postgresql_and_find_the_same(monkeypatch):
    organization = builders.level_3_understanding_driven()
    now = timezone.now()
    period = Period(now - timedelta(days=200), now + timedelta(minutes=1))
    with timezone.override("America/Los_Angeles"):  # the weeks follow the caller's
        with transaction.atomic():  # another connection would not see this one
            one_after_another = evidence.collect(organization, period)
        own_connections = []
        on_own_connection = reads._on_own_connection

        def counted(read, zone):
            own_connections.append(read)
            return on_own_connection(read, zone)

        monkeypatch.setattr(reads, "_on_own_connection", counted)

        side_by_side = evidence.collect(organization, period)

    assert len(own_connections) == 5  # the sixth read runs on the caller's connection
    # Fewer customers than the sample: the whole set is sampled, so every marker is
    # exact and the two runs agree to the last count.
    assert side_by_side == one_after_another


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reads_side_by_side_keep_the_callers_time_zone():
    def zone() -> str:
        return timezone.get_current_timezone_name()

    with timezone.override("Europe/Helsinki"):
        found = reads.side_by_side({"here": zone, "there": zone, "beyond": zone})

    assert found == dict.fromkeys(["here", "there", "beyond"], "Europe/Helsinki")


# The Monte Carlo ----------------------------------------------------------------------


def tally_scoring_every_draw(
    evidence_found: dict[str, Observation], claims: dict[str, float], draws: int
) -> Counter[int]:
    """Return the level tally as the rule states it: every draw scored afresh."""
    dimensions = scoring._score_dimensions(evidence_found, claims)
    rng = random.Random(method.MONTE_CARLO_SEED)
    sampled = {
        key
        for key, observation in evidence_found.items()
        if observation.trials and observation.sampled
    }
    uncertain = [
        key
        for key, markers in scoring.MARKERS_OF.items()
        if any(m.key in sampled for m in markers)
    ]
    fixed = {
        d.dimension.key: d.score for d in dimensions if d.dimension.key not in uncertain
    }
    tally: Counter[int] = Counter()
    for _ in range(draws):
        values = {}
        for key, observation in evidence_found.items():
            if key in sampled:
                successes = observation.successes or 0
                values[key] = rng.betavariate(
                    successes + 1, observation.trials - successes + 1
                )
            else:
                values[key] = observation.value
        drawn = {}
        for key in uncertain:
            scored = [
                (m, scoring.marker_score(m, values.get(m.key)))
                for m in scoring.MARKERS_OF[key]
            ]
            drawn[key] = round(scoring._blend(scored, claims.get(key))[0], 2)
        tally[scoring._gate({**fixed, **drawn}, {})[1]] += 1
    return tally


def evidence_near_thresholds(seed: int) -> dict[str, Observation]:
    """Return evidence whose shares sit near their thresholds on small samples."""
    rng = random.Random(seed)
    found = {}
    for marker in method.MARKERS:
        if marker.kind is method.Kind.FLAG:
            found[marker.key] = Observation.flag(rng.random() < 0.7)
        elif marker.kind is method.Kind.COUNT:
            found[marker.key] = Observation(float(rng.randint(0, 4)))
        else:
            trials = rng.choice([12, 40, 300])
            share = min(1.0, max(0.0, marker.threshold + rng.uniform(-0.12, 0.08)))
            found[marker.key] = Observation.share(round(share * trials), trials)
    return found


@pytest.mark.parametrize("seed", range(6))
def test_the_monte_carlo_gives_the_tally_of_scoring_every_draw_afresh(seed):
    found = evidence_near_thresholds(seed)
    claims = {"D4": 4.0, "D9": 3.0} if seed % 2 else {}

    dimensions = scoring._score_dimensions(found, claims)
    tally = scoring._level_tally(found, claims, {}, dimensions, draws=400)

    assert tally == tally_scoring_every_draw(found, claims, draws=400)


# The report's heatmap -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_reports_heatmap_is_the_dashboards_over_the_assessed_period(
    django_capture_on_commit_callbacks,
):
    organization = builders.level_4_predictive()
    with django_capture_on_commit_callbacks(execute=True):
        requested = services.assessment_request(organization=organization)
    assessment = Assessment.objects.get(pk=requested.pk)
    days = (assessment.period_end - assessment.period_start).days

    shown = report.journey_heatmap(assessment=assessment)

    # All the answers are within the period and within its length before now.
    assert shown["svg"] == segment_heatmap(organization=organization, days=days + 1)
    assert (shown["since"], shown["until"]) == (
        assessment.period_start,
        assessment.period_end,
    )
    stored = assessment.result["nps_by_touchpoint_and_segment"]
    assert len(stored) > 4 and all(answers > 0 for _, _, answers, _, _ in stored)


@pytest.mark.django_db
def test_an_assessment_stored_without_cells_gets_the_dashboards_live_heatmap(
    django_capture_on_commit_callbacks,
):
    organization = builders.level_4_predictive()
    with django_capture_on_commit_callbacks(execute=True):
        requested = services.assessment_request(organization=organization)
    assessment = Assessment.objects.get(pk=requested.pk)
    del assessment.result["nps_by_touchpoint_and_segment"]
    days = math.ceil(
        (assessment.period_end - assessment.period_start) / timedelta(days=1)
    )

    shown = report.journey_heatmap(assessment=assessment)

    assert shown["svg"] == segment_heatmap(organization=organization, days=days)
