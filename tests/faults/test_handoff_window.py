"""The fault tests excuse a duplicate only when the kill struck inside its hand-off."""

from __future__ import annotations

from email.message import Message

from tests.surveys.delivery_faults import Strike, mailed_twice_at_the_kill
from tests.surveys.smtp import Received


def _mail(address: str, at: float) -> Received:
    return Received(
        recipients=[address], message=Message(), peer=("127.0.0.1", 1), at=at
    )


def test_only_a_message_in_flight_and_received_at_the_kill_is_excused():
    kill = 1000.0
    received = [
        _mail("in-flight@example.com", kill - 0.01),  # handed over as the kill struck
        _mail("in-flight@example.com", kill + 40),  # the sweeper's second copy
        _mail("early@example.com", kill - 30),  # in flight again at the kill, but
        _mail("early@example.com", kill + 40),  # its first copy went out long before
        _mail("bystander@example.com", kill),  # not being sent at the kill
        _mail("bystander@example.com", kill + 40),
        _mail("once@example.com", kill),
    ]
    strike = Strike(
        killed_at=kill,
        in_flight={"in-flight@example.com", "early@example.com", "once@example.com"},
    )

    assert mailed_twice_at_the_kill(received, strike) == {"in-flight@example.com"}
    assert mailed_twice_at_the_kill(received, Strike()) == set()  # no kill, no excuse
