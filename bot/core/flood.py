"""Flood control per person: a burst is fine, dozens of messages a second are not."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.messages import UserRef

# people whose allowance is full again are forgotten, past this many
_REMEMBERED = 10_000


@dataclass(slots=True)
class _Allowance:
    tokens: float
    at: float
    told: bool = False


class Flood:
    def __init__(
        self, limit: tuple[int, float] | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._clock = clock
        self._people: dict[UserRef, _Allowance] = {}

    def allow(self, who: UserRef) -> bool:
        """Takes one message from their allowance; False when there is none left."""
        if self._limit is None:
            return True
        burst, rate = self._limit
        now = self._clock()
        a = self._people.get(who)
        if a is None:
            if len(self._people) >= _REMEMBERED:
                self._forget_full(now)
            a = self._people[who] = _Allowance(float(burst), now)
        a.tokens = min(float(burst), a.tokens + (now - a.at) * rate)
        a.at = now
        if a.tokens >= 1:
            a.tokens -= 1
            if a.tokens >= burst / 2:
                a.told = False  # slowed down: a next flood is told again
            return True
        return False

    def warned(self, who: UserRef) -> bool:
        """True the first time after their allowance ran out: they are told, once."""
        a = self._people[who]
        if a.told:
            return False
        a.told = True
        return True

    def _forget_full(self, now: float) -> None:
        assert self._limit is not None
        burst, rate = self._limit
        for who in [w for w, a in self._people.items() if a.tokens + (now - a.at) * rate >= burst]:
            del self._people[who]
