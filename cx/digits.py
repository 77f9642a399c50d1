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
