"""The broker down while a customer answers: nothing fails, nothing is lost or doubled.

Side effects that must happen are rows with a state, published after commit
(``cx.publish``) and swept (``cx.outbox``). Here the broker is unreachable (the test's
own relay to RabbitMQ, ``BrokerLink``, cut) while a customer completes a detractor
answer and an assessment is requested; then it comes back and a real worker, with its
embedded beat running the sweepers every second, finds what the lost messages left:
the case owner's email and the ``followup.opened`` webhook go out exactly once, and the
assessment completes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from followups.models import Announcement, FollowUp
from maturity.models import Assessment
from surveys.models import Invitation, Response
from tests.faults.support import BrokerLink, broker_queue_delete, rabbitmq_url
from tests.surveys.celery_worker import Worker, new_queue, use_broker
from tests.surveys.conftest import chat_event
from tests.webhooks.conftest import Receiver, receiver  # noqa: F401 (fixture)
from webhooks.models import WebhookEndpoint

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
]

RECOVERY_SECONDS = 90
OWNER = "aino@aurora.example"


def heard(receiver: Receiver) -> list[str]:
    """Return the types of the webhooks the receiver was sent, in order."""
    return [request.json()["type"] for request in receiver.requests]


@pytest.fixture
def outage(tmp_path: Path) -> Iterator[tuple[BrokerLink, str]]:
    """A relay to RabbitMQ this process publishes through, on a queue of its own."""
    admin_url = rabbitmq_url()
    link = BrokerLink(admin_url).start()
    queue = new_queue()
    try:
        with use_broker(link.url, queue):
            yield link, queue
    finally:
        link.stop()
        broker_queue_delete(admin_url, queue)


def test_an_answer_during_a_broker_outage_is_announced_once_when_it_returns(
    api,
    client,
    aurora,
    aino,
    chat_rule,
    receiver,
    sink,
    outage,
    tmp_path,
    mailoutbox,
    fault_report,
):
    link, queue = outage
    aurora.cx_owner = aino  # the owner of every case
    aurora.save()
    WebhookEndpoint.objects.create(
        organization=aurora,
        url=receiver.url,
        description="CRM",
        event_types=["followup.opened"],
    )
    link.cut()  # the broker is gone from here on

    # The invitation goes by the event's own transaction; its message is lost too.
    assert api.post("/api/v1/events/", chat_event(1), format="json").status_code == 201
    invitation = Invitation.objects.get()
    url = f"/s/{invitation.token()}/"
    first = client.post(
        url, {"question": "csat", "answer": ["1"]}, HTTP_HX_REQUEST="true"
    )
    last = client.post(
        url, {"question": "resolved", "answer": ["0"]}, HTTP_HX_REQUEST="true"
    )
    requested = api.post("/api/v1/maturity/assessments/", {}, format="json")

    assert (first.status_code, last.status_code) == (200, 200)
    assert requested.status_code == 202
    assert Response.objects.get().state == Response.State.COMPLETED  # stored
    case = FollowUp.objects.get()
    assert case.owner == aino
    announcement = Announcement.objects.get()
    assert (announcement.kind, announcement.state) == ("followup.opened", "scheduled")
    assessment = Assessment.objects.get(pk=requested.json()["id"])
    assert assessment.status == Assessment.Status.PENDING

    link.restore()  # the broker is back, with none of the lost messages
    worker = Worker(
        broker_url=link.url, queue=queue, smtp_port=sink.port, var_dir=tmp_path
    ).start()
    try:
        deadline = time.monotonic() + RECOVERY_SECONDS
        while time.monotonic() < deadline and not (
            sink.sink.counts()[OWNER]
            and heard(receiver)
            and Assessment.objects.get(pk=assessment.pk).status
            == Assessment.Status.DONE
        ):
            time.sleep(0.5)
        time.sleep(3)  # a duplicate would arrive now (the sweeper runs every second)
    finally:
        worker.stop()

    fault_report.add(
        "Side effects of an answer given while the broker was down",
        fault="RabbitMQ unreachable (relay cut), then back; messages lost",
        answer_page=f"{first.status_code}, {last.status_code}",
        owner_emails=sink.sink.counts()[OWNER],
        followup_opened_webhooks=heard(receiver).count("followup.opened"),
        assessment=Assessment.objects.get(pk=assessment.pk).status,
    )
    assert sink.sink.counts()[OWNER] == 1, worker.output()
    assert heard(receiver) == ["followup.opened"], worker.output()
    assert receiver.requests[0].json()["data"]["id"] == case.pk
    assert Announcement.objects.get().state == Announcement.State.DONE
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.DONE
    assert mailoutbox == []  # everything went through the worker, nothing in-process
