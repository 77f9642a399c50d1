"""Counted results: tests add rows of counts to titled tables, printed after the run.

The fault, abuse and fuzz tests each report what they tried and what happened (sent /
duplicated / lost, attempts / successes, calls / server errors); ``make reliability``
runs them at full size and this table is its output.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


class CountReport:
    """Rows of counts, grouped in tables by title."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict[str, object]]] = {}

    def add(self, table: str, **counts: object) -> None:
        self.tables.setdefault(table, []).append(counts)

    def lines(self) -> Iterator[str]:
        for title, rows in self.tables.items():
            columns = list(dict.fromkeys(key for row in rows for key in row))
            cells = [
                [column.replace("_", " ") for column in columns],
                *([_cell(row.get(column, "")) for column in columns] for row in rows),
            ]
            widths = [max(len(line[n]) for line in cells) for n in range(len(columns))]
            yield ""
            yield title
            for line in cells:
                yield "  ".join(
                    text.ljust(width) if n == 0 else text.rjust(width)
                    for n, (text, width) in enumerate(zip(line, widths, strict=True))
                )


def _cell(value: object) -> str:
    return (
        f"{value:,}"
        if isinstance(value, int) and not isinstance(value, bool)
        else str(value)
    )


REPORT = pytest.StashKey[CountReport]()


@pytest.fixture(scope="session")
def count_report(pytestconfig: pytest.Config) -> CountReport:
    """The run's table of counts (under xdist, each worker keeps its own)."""
    return pytestconfig.stash.setdefault(REPORT, CountReport())


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config):  # type: ignore[no-untyped-def]
    report = config.stash.get(REPORT, None)
    if report is None or not report.tables:
        return
    terminalreporter.section("counted results")
    for line in report.lines():
        terminalreporter.write_line(line)


# The table the abuse tests (tests/security) and the API fuzz test add their rows to.
ABUSE = "abuse and bad input: attempts, and how many got through"
