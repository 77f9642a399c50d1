"""Fault tests: each counts what a fault did and reports the counts in a table.

Every test adds a row (its counts by name) to a table of its kind (``tests.counts``);
the tables are printed at the end of the run (``make reliability`` runs them at full
size).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.counts import CountReport
from tests.surveys.conftest import chat_rule, chat_survey
from tests.surveys.smtp import SinkServer

# Aurora's chat survey and its trigger rule, as the delivery tests know them.
__all__ = ["chat_rule", "chat_survey"]


@pytest.fixture
def fault_report(count_report: CountReport) -> CountReport:
    return count_report


@pytest.fixture
def sink() -> Iterator[SinkServer]:
    """A real SMTP server (aiosmtpd) the worker mails; the test sets how it behaves."""
    with SinkServer() as server:
        yield server
