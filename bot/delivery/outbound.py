"""Per-person queues: each person's messages go out in order, paced, retried, reported.

A channel says how to send one `Outgoing` as a list of steps (one messenger call each: a long
text is several messages, an export a file and a text); this module decides when each step
runs and what to do when it fails. Replies are queued while the person's message is still
being handled (see Dispatcher.handle), so their order is the order of the messages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.core.messages import Outgoing, Reply, UserRef
from bot.delivery.outcome import Attempt, Status
from bot.delivery.pacing import Bucket, Pacer

log = logging.getLogger(__name__)

Step = Callable[[], Awaitable[Attempt]]


@dataclass(frozen=True, slots=True)
class Limits:
    """A messenger's sending limits; 0 means no pacing."""

    overall: float = 0.0  # messages a second, all chats together
    per_chat: float = 0.0  # messages a second in one chat
    chat_burst: int = 3


class Transport(Protocol):
    limits: Limits
    # the messenger can replace a sent message (a broadcast's progress)
    edits: bool
    # the messenger can delete a message the bot sent (a notice about someone who erased
    # their data)
    deletes: bool

    def steps(self, out: Outgoing) -> Sequence[Step]: ...


@runtime_checkable
class Batcher(Protocol):
    """A messenger that takes one message for many people in one call (Viber's broadcasts):
    each person delivered, unreachable or failed, retried inside as the messenger needs."""

    batch_size: int

    async def send_batch(self, to: Sequence[UserRef], reply: Reply) -> dict[UserRef, Delivery]: ...


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a send finally came to: delivered, unreachable or failed."""

    status: Status
    reason: str = ""
    # the last message sent, as the messenger knows it (a progress message is edited later)
    message_id: str = ""


@dataclass(frozen=True, slots=True)
class Retry:
    """How long the bot keeps trying. Server errors back off exponentially; "too many
    requests" waits as long as the messenger says; a message not out by `give_up` is failed."""

    transient_attempts: int = 8
    first_backoff: float = 0.5
    max_backoff: float = 30.0
    give_up: float = 15 * 60.0


@dataclass(slots=True)
class _Item:
    out: Outgoing
    urgent: bool
    done: asyncio.Future[Delivery]
    queued: float = field(default_factory=time.monotonic)


Unreachable = Callable[[UserRef], Awaitable[None]]

# "too many requests" from this many chats within the window: the overall limit was hit
_GLOBAL_WINDOW = 1.0
_GLOBAL_CHATS = 3
# sends paced exactly at the limit arrive at the messenger a few milliseconds apart from how
# they left, and some of them then over it: the bot keeps 10 % under each limit (measured: 9
# of 220 refused at 1.0 per chat under load, none at 0.9)
_MARGIN = 0.9


class Outbound:
    def __init__(
        self, on_unreachable: Unreachable | None = None, retry: Retry | None = None
    ) -> None:
        self._on_unreachable = on_unreachable
        self._retry = retry or Retry()
        self._transports: dict[str, Transport] = {}
        self._batchers: dict[str, Batcher] = {}
        self._pacers: dict[str, Pacer] = {}
        self._queues: dict[UserRef, deque[_Item]] = {}
        self._workers: dict[UserRef, asyncio.Task[None]] = {}
        self._buckets: dict[UserRef, Bucket] = {}
        self._recent_429: dict[UserRef, float] = {}
        self._idle = asyncio.Event()
        self._idle.set()
        self._replies_waiting = 0

    def add_transport(self, messenger: str, transport: Transport) -> None:
        self._transports[messenger] = transport
        # decided once: a runtime Protocol check costs ~20 µs, and broadcasts ask per person
        if isinstance(transport, Batcher):
            self._batchers[messenger] = transport
        if transport.limits.overall > 0:
            self._pacers[messenger] = Pacer(transport.limits.overall * _MARGIN)

    def batcher(self, messenger: str) -> Batcher | None:
        return self._batchers.get(messenger)

    def has(self, messenger: str) -> bool:
        return messenger in self._transports

    def can_delete(self, messenger: str) -> bool:
        transport = self._transports.get(messenger)
        return transport is not None and transport.deletes

    def can_edit(self, messenger: str) -> bool:
        transport = self._transports.get(messenger)
        return transport is not None and transport.edits

    def enqueue(self, out: Outgoing, urgent: bool = True) -> asyncio.Future[Delivery]:
        """Queues a message behind the recipient's earlier ones and returns at once (no await
        between a handler's end and this call, so the order holds). `urgent`: someone is
        waiting for it; bulk sends (broadcasts) give way to such messages."""
        done: asyncio.Future[Delivery] = asyncio.get_running_loop().create_future()
        if out.to.messenger not in self._transports:
            # e.g. a coordinator on Telegram while only the console chat runs
            reason = f"no {out.to.messenger} channel is running"
            log.warning("%s to %s not delivered: %s", out.kind, out.to, reason)
            done.set_result(Delivery(Status.FAILED, reason))
            return done
        queue = self._queues.get(out.to)
        if queue is None:
            queue = self._queues[out.to] = deque()
            self._idle.clear()
            self._workers[out.to] = asyncio.create_task(self._drain(out.to, queue))
        queue.append(_Item(out, urgent, done))
        if urgent:
            self._replies_waiting += 1
        return done

    async def send(self, out: Outgoing, urgent: bool = False) -> Delivery:
        """Queues a message and waits for what became of it (the broadcast engine's call)."""
        return await self.enqueue(out, urgent)

    async def join(self) -> None:
        """Returns when every queued message has been delivered or given up."""
        await self._idle.wait()

    async def close(self, timeout: float) -> int:  # noqa: ASYNC109 - a deadline, not a wait
        """Lets the queues drain for up to `timeout` seconds, then stops; returns how many
        messages were left undelivered (each logged and reported as failed)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.join(), timeout)
        workers, queues = list(self._workers.values()), list(self._queues.values())
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        left = 0
        for queue in queues:
            for item in queue:
                if not item.done.done():
                    left += 1
                    out = item.out
                    log.warning("%s to %s not delivered: the bot stopped", out.kind, out.to)
                    item.done.set_result(Delivery(Status.FAILED, "the bot stopped"))
        self._queues.clear()
        self._workers.clear()
        self._replies_waiting = 0
        self._idle.set()
        return left

    async def _drain(self, ref: UserRef, queue: deque[_Item]) -> None:
        try:
            while queue:
                item = queue[0]
                if item.done.cancelled():
                    # its sender stopped waiting (a broadcast being stopped): not sent, so
                    # that it stays pending and goes out once, after the restart
                    queue.popleft()
                    self._replies_waiting -= item.urgent
                    continue
                result = await self._deliver(item)
                queue.popleft()
                if not item.done.done():
                    item.done.set_result(result)
                if result.status is Status.UNREACHABLE and queue:
                    # nothing more reaches them; they write again to get anything
                    log.info("%d more messages to %s dropped: unreachable", len(queue), ref)
                    while queue:
                        rest = queue.popleft()
                        self._replies_waiting -= rest.urgent
                        if not rest.done.done():
                            rest.done.set_result(result)
        finally:
            if self._queues.get(ref) is queue:
                del self._queues[ref]
                del self._workers[ref]
            if not self._queues:
                self._idle.set()
            self._forget_idle_buckets()

    @property
    def queued(self) -> int:
        """Messages waiting to be sent, everyone's together."""
        return sum(len(q) for q in self._queues.values())

    def transports(self) -> dict[str, Transport]:
        return dict(self._transports)

    @property
    def replies_waiting(self) -> int:
        """Urgent messages queued and not yet being sent: a broadcast gives way to them."""
        return self._replies_waiting

    async def _deliver(self, item: _Item) -> Delivery:
        if item.urgent:
            self._replies_waiting -= 1
        out = item.out
        transport = self._transports[out.to.messenger]
        delivery = Delivery(Status.DELIVERED)
        try:
            for step in transport.steps(out):
                delivery = await self._attempt(item, transport, step)
                if delivery.status is not Status.DELIVERED:
                    break
        except Exception as exc:
            # a bug, not a messenger's answer: worth its traceback, once
            log.exception("%s to %s not delivered", out.kind, out.to)
            return Delivery(Status.FAILED, type(exc).__name__)
        if delivery.status is Status.UNREACHABLE:
            log.info("%s to %s not delivered: unreachable (%s)", out.kind, out.to, delivery.reason)
            if self._on_unreachable is not None:
                try:
                    await self._on_unreachable(out.to)
                except Exception as exc:
                    log.warning("%s could not be marked unreachable: %s", out.to, exc)
        elif delivery.status is Status.FAILED:
            log.warning("%s to %s not delivered: %s", out.kind, out.to, delivery.reason)
        return delivery

    async def _attempt(self, item: _Item, transport: Transport, step: Step) -> Delivery:
        """One messenger call, repeated until it is delivered or can no longer be."""
        ref, retry = item.out.to, self._retry
        deadline = item.queued + retry.give_up
        transient = uncertain = 0
        bucket = self._bucket(ref, transport.limits)
        pacer = self._pacers.get(ref.messenger)
        while True:
            if bucket is not None:
                await bucket.wait()
            if pacer is not None:
                await pacer.acquire(item.urgent)
            attempt = await step()
            status = attempt.status
            if status is Status.DELIVERED:
                return Delivery(status, message_id=attempt.message_id)
            if status in (Status.UNREACHABLE, Status.FAILED):
                return Delivery(status, attempt.reason)
            # a wait past the deadline (Telegram's flood waits can be hours) fails at once:
            # the person's later messages would wait behind it
            if time.monotonic() + attempt.retry_after > deadline:
                return Delivery(Status.FAILED, f"not sent within {retry.give_up:.0f} s: "
                                + attempt.reason)  # fmt: skip
            if status is Status.RETRY_AFTER:
                log.debug("%s: too many requests, waiting %.1f s", ref, attempt.retry_after)
                self._too_many(ref, attempt.retry_after, bucket, pacer)
                if bucket is None:
                    await asyncio.sleep(attempt.retry_after)
                continue
            if status is Status.UNCERTAIN:
                uncertain += 1
                if uncertain > 1:
                    return Delivery(Status.FAILED, attempt.reason)
                continue
            transient += 1
            if transient >= retry.transient_attempts:
                return Delivery(Status.FAILED, f"{attempt.reason} ({transient} attempts)")
            backoff = min(retry.max_backoff, retry.first_backoff * 2 ** (transient - 1))
            # spread out the retries of many queues that failed together
            await asyncio.sleep(backoff * random.uniform(0.8, 1.2))

    def _too_many(
        self, ref: UserRef, seconds: float, bucket: Bucket | None, pacer: Pacer | None
    ) -> None:
        now = time.monotonic()
        if bucket is not None:
            bucket.pause(seconds)
        # Telegram does not say which limit was hit. A busy chat or two over their own limit
        # are common; several chats refused at once mean the overall one, and then every
        # queue waits.
        self._recent_429 = {r: t for r, t in self._recent_429.items() if now - t < _GLOBAL_WINDOW}
        self._recent_429[ref] = now
        if pacer is not None and len(self._recent_429) >= _GLOBAL_CHATS:
            pacer.pause(seconds)

    def _bucket(self, ref: UserRef, limits: Limits) -> Bucket | None:
        if limits.per_chat <= 0:
            return None
        bucket = self._buckets.get(ref)
        if bucket is None:
            bucket = self._buckets[ref] = Bucket(limits.per_chat * _MARGIN, limits.chat_burst)
        return bucket

    def _forget_idle_buckets(self) -> None:
        # a bucket that has filled up again is the same as a new one: keep memory flat
        if len(self._buckets) > 1000:
            for ref in [r for r, b in self._buckets.items() if r not in self._queues and b.full]:
                del self._buckets[ref]
