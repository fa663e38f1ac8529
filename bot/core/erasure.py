"""Caches in memory that may hold someone's personal data (names, addresses, question texts)
register here; erasing a person (/forget) or pruning old texts empties them all, so that
nothing erased from the database lives on in the process."""

from __future__ import annotations

from collections.abc import Callable

_CLEARS: list[Callable[[], None]] = []


def holds_personal_data(clear: Callable[[], None]) -> None:
    _CLEARS.append(clear)


def erased() -> None:
    for clear in _CLEARS:
        clear()
