"""Token buckets that keep the bot under a messenger's limits instead of hitting them."""

from __future__ import annotations

import asyncio
import time
from collections import deque


class Bucket:
    """`rate` sends a second with bursts of `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._tokens = self.burst
        self._at = time.monotonic()
        self._paused_until = 0.0

    def _refill(self, now: float) -> None:
        # nothing comes back while paused
        start = max(self._at, min(self._paused_until, now))
        if now > start:
            self._tokens = min(self.burst, self._tokens + (now - start) * self.rate)
        self._at = max(self._at, now)

    def delay(self) -> float:
        """Seconds until a send may go (0: now)."""
        now = time.monotonic()
        self._refill(now)
        wait = (1 - self._tokens) / self.rate if self._tokens < 1 else 0.0
        return max(wait, self._paused_until - now, 0.0)

    @property
    def full(self) -> bool:
        now = time.monotonic()
        self._refill(now)
        return self._tokens >= self.burst and self._paused_until <= now

    def take(self) -> None:
        self._refill(time.monotonic())
        self._tokens -= 1

    async def wait(self) -> None:
        # a pause can grow while waiting: look again after each sleep
        while (seconds := self.delay()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(seconds)
        self.take()

    def pause(self, seconds: float) -> None:
        """The messenger said "too many": nothing more until it said it would take more, and
        then no burst (its own bucket is empty)."""
        now = time.monotonic()
        self._refill(now)
        self._paused_until = max(self._paused_until, now + seconds)
        self._tokens = min(self._tokens, 0.0)


class Pacer:
    """A messenger's overall limit, shared by every person's queue. Replies, which someone is
    waiting for, go before bulk sends (broadcasts) that asked earlier."""

    def __init__(self, rate: float) -> None:
        # one second's worth of burst, as Telegram tolerates
        self._bucket = Bucket(rate, rate)
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._bulk: deque[asyncio.Future[None]] = deque()
        self._pump: asyncio.Task[None] | None = None

    async def acquire(self, urgent: bool = True) -> None:
        if not self._urgent and not self._bulk and self._bucket.delay() == 0:
            self._bucket.take()
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._bulk).append(waiter)
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._run())
        await waiter

    def pause(self, seconds: float) -> None:
        self._bucket.pause(seconds)

    async def _run(self) -> None:
        while self._urgent or self._bulk:
            queue = self._urgent if self._urgent else self._bulk
            if queue[0].done():  # its sender was cancelled
                queue.popleft()
                continue
            if (seconds := self._bucket.delay()) > 0:
                await asyncio.sleep(seconds)
                continue
            self._bucket.take()
            queue.popleft().set_result(None)
