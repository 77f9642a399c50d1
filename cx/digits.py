"""Whole numbers typed by people, in URLs, forms and headers: ASCII digits only.

``str.isdigit`` is true of "²" and of other scripts' digits. ``int`` refuses the first
(a 500 where a 400 or an ignored filter was meant) and reads the others as a number the
reader of the URL does not see. Every whole number read from a request is tested with
:func:`is_digits` before ``int`` reads it.
"""

from __future__ import annotations


def is_digits(raw: str) -> bool:
    """Whether ``raw`` is one or more of the digits 0–9 and nothing else."""
    return raw.isascii() and raw.isdigit()


# The largest id a database can compare with an id column (a signed 64-bit integer);
# a larger one is an overflow error in the driver (SQLite) or the server (PostgreSQL).
MAX_ID = 2**63 - 1


def as_id(raw: str | None) -> int | None:
    """Return ``raw`` as an id the database can compare (0 … ``MAX_ID``), or None."""
    # The length before int(): int() of thousands of digits is slow, or refused.
    if raw is None or not is_digits(raw) or len(raw) > len(str(MAX_ID)):
        return None
    number = int(raw)
    return number if number <= MAX_ID else None
