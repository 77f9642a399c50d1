"""Evidence of the closed loop, sharing, targets and alerts, read from the product's own rows."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cx.models import Role
from cx.services.organizations import member_add, staff_user_create
from followups import services as followups
from followups.models import FollowUp
from insights.models import DeviationAlert, MetricTarget
from maturity.evidence import Period, collect
from tests.followups.conftest import answered  # noqa: F401
from tests.surveys.conftest import chat_rule, chat_survey  # noqa: F401
from webhooks.models import WebhookDelivery, WebhookEndpoint


def period() -> Period:
    now = timezone.now()
    return Period(now - timedelta(days=90), now + timedelta(minutes=1))


def test_an_organisation_without_a_loop_shows_none_of_it(aurora):
    found = collect(aurora, period())

    assert found["d5_staff_worked"].value == 0.0
    assert found["d5_case_share"].value is None  # nothing negative to follow up
    assert found["d6_dashboard_viewed"].value == 0.0
    assert found["d7_targets_set"].value == 0.0
    assert found["d8_results_read_weekly"].value == 0.0
    assert found["d9_deviations_watched"].value == 0.0


def test_the_loop_sharing_targets_and_alerts_are_measured(
    answered,
    aurora,
    aino,
    client,
    mortgage,
):
    answered(1, csat="1", resolved="0")
    answered(2, csat="2", resolved="1")
    answered(3, csat="5", resolved="1")  # happy: not negative
    first, second = FollowUp.objects.order_by("pk")
    followups.followup_close(
        followup=first, user=aino, root_cause="people", action_taken="Called back."
    )
    FollowUp.objects.filter(pk=second.pk).update(
        due_at=timezone.now() - timedelta(hours=1)
    )  # its SLA passed untouched
    executive = staff_user_create(username="eeva", email="e@a.example", password="x")
    member_add(organization=aurora, user=executive, role=Role.EXECUTIVE)
    client.force_login(executive)
    client.get("/dashboard/")
    endpoint = WebhookEndpoint.objects.create(
        organization=aurora,
        url="https://crm.example/hook",
        event_types=["response.completed"],
    )
    WebhookDelivery.objects.filter(endpoint=endpoint).delete()
    WebhookDelivery.objects.create(
        organization=aurora, endpoint=endpoint, event_type="response.completed",
        message_id="msg_1", payload={}, state="delivered", due_at=timezone.now(),
        delivered_at=timezone.now(),
    )  # fmt: skip
    MetricTarget.objects.create(organization=aurora, metric="nps", value=40)
    DeviationAlert.objects.create(
        organization=aurora, touchpoint=mortgage.touchpoints.first(), metric="nps",
        day=timezone.localdate(), recent_value=-5, baseline_value=30,
    )  # fmt: skip

    found = collect(aurora, period())

    assert found["d5_staff_worked"].value == 1.0
    assert found["d5_case_share"].value == 1.0  # both negative responses have a case
    assert found["d5_followed_up"].value == 0.5  # staff closed one of them
    assert found["d5_within_sla"].value == 0.5  # one closed in time, one overdue
    assert found["d5_root_cause"].value == 0.5  # the overdue one has no cause yet
    assert found["d5_closed_within_sla"].value == 0.5
    assert found["d5_recovery_measured"].value == 0.0
    assert found["d8_results_read_weekly"].value > 0
    assert found["d6_dashboard_viewed"].value == 1.0
    assert found["d6_viewers_beyond_cx"].value == 1.0
    assert found["d6_active_webhooks"].value == 1.0
    assert found["d7_targets_set"].value == 1.0
    # The alert is context; the chat's three answers are too few to watch.
    assert found["d9_deviations_watched"].value == 0.0
    assert found["d9_deviations_watched"].context == "1 deviation alerts in the period"
