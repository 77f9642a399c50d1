"""What the delivery fault tests share: the batch they post, the strike, the count.

Both ``tests/surveys/test_delivery_reliability.py`` (Redis) and
``tests/faults/test_broker_faults.py`` (RabbitMQ) post a batch of events, strike a
third of the way through, and count what reached the SMTP sink: sent / duplicated /
lost must be N / 0 / 0, but for the one duplicate SMTP cannot prevent (below).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from surveys.models import Invitation
from tests.surveys.smtp import Received, SMTPSink


def post_batch(api, size: int, *, prefix: str) -> set[str]:  # type: ignore[no-untyped-def]
    """Post ``size`` chat events (distinct customers) in batches; return the emails."""
    emails = set()
    for start in range(0, size, 500):
        events = []
        for n in range(start, min(size, start + 500)):
            emails.add(f"{prefix}{n}@example.com")
            events.append(
                {
                    "event_id": f"{prefix}-event-{n}",
                    "type": "chat.ended",
                    "customer": {
                        "external_id": f"{prefix}-{n}",
                        "email": f"{prefix}{n}@example.com",
                        "name": f"Customer {n}",
                        "language": ["fi", "sv", "en"][n % 3],
                    },
                }
            )
        response = api.post("/api/v1/events/batch/", {"events": events}, format="json")
        assert response.status_code in (200, 201, 207), response.content[:500]
    return emails


@dataclass
class Strike:
    """When a fault killed the worker, and the addresses it was mailing then."""

    killed_at: float | None = None
    in_flight: set[str] = field(default_factory=set)

    def note_kill(self) -> None:
        """Note the rows being sent and the time: call right before the SIGKILL."""
        self.in_flight = set(
            Invitation.objects.filter(state=Invitation.State.SENDING).values_list(
                "email", flat=True
            )
        )
        self.killed_at = time.time()


# How far apart the kill and the server's receipt of a message may be for the message
# to count as handed over at the kill (the kernel still delivers what the killed
# process had written; the sink notes the time once it has read the whole message).
HANDOFF_SLACK_SECONDS = 1.0


def mailed_twice_at_the_kill(received: list[Received], strike: Strike) -> set[str]:
    """Return the addresses mailed twice because a SIGKILL struck inside their hand-off.

    ``surveys.transport`` writes the message's final dot and then commits the row as
    sent; a process killed between the two (microseconds) leaves the server holding the
    message and the row *sending*, so the sweeper sends it again. Such a duplicate is a
    row that was being sent when the worker was killed (``in_flight``) whose first copy
    reached the server at the kill. Any other duplicate is a bug.
    """
    if strike.killed_at is None:
        return set()
    first: dict[str, float] = {}
    twice: set[str] = set()
    for item in sorted(received, key=lambda item: item.at):
        for recipient in item.recipients:
            if recipient in first:
                twice.add(recipient)
            else:
                first[recipient] = item.at
    return {
        recipient
        for recipient in twice & strike.in_flight
        if abs(first[recipient] - strike.killed_at) <= HANDOFF_SLACK_SECONDS
    }


@dataclass
class MailCount:
    """What reached the sink, against the addresses that should each get one mail."""

    sent: int
    duplicated: int
    at_the_kill: set[str]
    lost: int


def mail_count(sink: SMTPSink, expected: set[str], strike: Strike) -> MailCount:
    counts = sink.counts()
    return MailCount(
        sent=len(set(counts) & expected),
        duplicated=sum(n - 1 for n in counts.values()),
        at_the_kill=mailed_twice_at_the_kill(sink.received, strike),
        lost=len(expected - set(counts)),
    )


def assert_each_mailed_once(
    sink: SMTPSink, expected: set[str], count: MailCount
) -> None:
    """N / 0 / 0, every row *sent*; only a kill inside a hand-off may double a mail."""
    counts = sink.counts()
    assert (count.sent, count.duplicated - len(count.at_the_kill), count.lost) == (
        len(expected), 0, 0,
    )  # fmt: skip
    assert all(counts[address] == 2 for address in count.at_the_kill)
    assert set(counts) == expected
    states = set(Invitation.objects.values_list("state", flat=True))
    assert states == {Invitation.State.SENT}
