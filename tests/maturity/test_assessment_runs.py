"""Assessment runs are outbox work: a lost message or a dead worker never strands one."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from maturity import services
from maturity.models import Assessment
from maturity.tasks import assessments_sweep_task

Status = Assessment.Status


def requested_with_its_message_lost(api, django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=False):  # the message never goes
        response = api.post("/api/v1/maturity/assessments/", {}, format="json")
    assert response.status_code == 202
    return int(response.json()["id"])


def test_an_assessment_whose_message_was_lost_is_computed_by_the_sweeper(
    api, mortgage, django_capture_on_commit_callbacks
):
    pk = requested_with_its_message_lost(api, django_capture_on_commit_callbacks)
    fresh = services.assessments_sweep()  # its own message may still be on its way
    Assessment.objects.filter(pk=pk).update(
        created_at=timezone.now() - timedelta(minutes=1)
    )

    assessments_sweep_task()

    assert fresh == []
    detail = api.get(f"/api/v1/maturity/assessments/{pk}/").json()
    assert (detail["status"], detail["level"]) == ("done", 1)


def test_a_run_whose_worker_died_is_run_again_and_the_dead_claim_writes_nothing(
    api, mortgage, django_capture_on_commit_callbacks
):
    pk = requested_with_its_message_lost(api, django_capture_on_commit_callbacks)
    dead_claim = services.OUTBOX.claim(pk=pk)
    assert dead_claim is not None
    Assessment.objects.filter(pk=pk).update(
        claimed_at=dead_claim - services.ASSESSMENT_STUCK_AFTER - timedelta(seconds=1)
    )

    assessments_sweep_task()

    assessment = Assessment.objects.get(pk=pk)
    assert (assessment.status, assessment.attempts) == (Status.DONE, 2)
    assert services.OUTBOX.owned(pk, dead_claim).update(status=Status.FAILED) == 0


def test_a_run_that_killed_its_worker_three_times_fails_with_the_reason(
    api, mortgage, django_capture_on_commit_callbacks
):
    pk = requested_with_its_message_lost(api, django_capture_on_commit_callbacks)
    Assessment.objects.filter(pk=pk).update(
        status=Status.RUNNING,
        attempts=services.MAX_ATTEMPTS,
        claimed_at=timezone.now() - timedelta(hours=1),
    )

    assessments_sweep_task()

    assessment = Assessment.objects.get(pk=pk)
    assert assessment.status == Status.FAILED
    assert "stopped 3 times" in assessment.error
