"""Fault tests: each counts what a fault did and reports the counts in a table.

Every test adds a row (its counts by name) to a table of its kind; the tables are
printed at the end of the run (``make reliability`` runs them at full size).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.surveys.conftest import chat_rule, chat_survey
from tests.surveys.smtp import SinkServer

# Aurora's chat survey and its trigger rule, as the delivery tests know them.
__all__ = ["chat_rule", "chat_survey"]


class FaultReport:
    """Rows of counts, grouped in tables by title, printed at the end of the run."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict[str, object]]] = {}

    def add(self, table: str, **counts: object) -> None:
        self.tables.setdefault(table, []).append(counts)

    def lines(self) -> Iterator[str]:
        for title, rows in self.tables.items():
            columns = list(dict.fromkeys(key for row in rows for key in row))
            cells = [
                [column.replace("_", " ") for column in columns],
                *([str(row.get(column, "")) for column in columns] for row in rows),
            ]
            widths = [max(len(line[n]) for line in cells) for n in range(len(columns))]
            yield ""
            yield title
            for line in cells:
                yield "  ".join(
                    text.ljust(width) if n == 0 else text.rjust(width)
                    for n, (text, width) in enumerate(zip(line, widths, strict=True))
                )


_REPORT = pytest.StashKey[FaultReport]()


@pytest.fixture(scope="session")
def fault_report(pytestconfig: pytest.Config) -> FaultReport:
    return pytestconfig.stash.setdefault(_REPORT, FaultReport())


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config):  # type: ignore[no-untyped-def]
    report = config.stash.get(_REPORT, None)
    if report is None or not report.tables:
        return
    terminalreporter.section("faults: what was measured")
    for line in report.lines():
        terminalreporter.write_line(line)


@pytest.fixture
def sink() -> Iterator[SinkServer]:
    """A real SMTP server (aiosmtpd) the worker mails; the test sets how it behaves."""
    with SinkServer() as server:
        yield server
