"""Numbers inside button data and typed choices, which anyone can forge."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"[0-9]{1,12}")


def number(text: str) -> int | None:
    """A plain ASCII number of at most 12 digits, else None. str.isdigit() accepts "²" (which
    int() refuses) and int() accepts "٣" and numbers too large for SQLite's integers."""
    return int(text) if _NUMBER.fullmatch(text) else None
