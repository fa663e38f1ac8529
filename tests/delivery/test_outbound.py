"""The outbound path against a scripted messenger: order, independence, retries, pacing."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Sequence

import pytest

from bot.core.messages import Outgoing, Reply, UserRef
from bot.delivery.outbound import Limits, Outbound, Retry, Step
from bot.delivery.outcome import DELIVERED, Attempt, Status

ANA, BOB = UserRef("test", "1"), UserRef("test", "2")
FAST = Retry(first_backoff=0.01, max_backoff=0.05)


class Messenger:
    """Answers each call with the next scripted attempt for that person (DELIVERED once the
    script runs out); a text is "shown" only when the call is delivered."""

    edits = True
    deletes = False

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.script: dict[UserRef, deque[Attempt]] = {}
        self.shown: list[tuple[UserRef, str]] = []
        self.calls: list[tuple[UserRef, str, float]] = []
        self.slow: set[UserRef] = set()

    def fail(self, ref: UserRef, *attempts: Attempt) -> None:
        self.script.setdefault(ref, deque()).extend(attempts)

    def steps(self, out: Outgoing) -> Sequence[Step]:
        async def step(piece: str = out.reply.text) -> Attempt:
            self.calls.append((out.to, piece, time.monotonic()))
            if out.to in self.slow:
                await asyncio.sleep(0.3)
            queue = self.script.get(out.to)
            attempt = queue.popleft() if queue else DELIVERED
            if attempt.status in (Status.DELIVERED, Status.UNCERTAIN):
                self.shown.append((out.to, piece))  # a timed-out send may have gone out
            return attempt

        return [step]

    def texts(self, ref: UserRef) -> list[str]:
        return [text for to, text in self.shown if to == ref]


def outgoing(ref: UserRef, text: str) -> Outgoing:
    return Outgoing(ref, Reply(text))


async def test_one_persons_messages_arrive_in_order_while_others_go_ahead() -> None:
    messenger = Messenger()
    messenger.slow.add(ANA)
    outbound = Outbound(retry=FAST)
    outbound.add_transport("test", messenger)
    for i in range(3):
        outbound.enqueue(outgoing(ANA, f"ana {i}"))
    bob = outbound.enqueue(outgoing(BOB, "bob"))
    await bob
    # Bob did not wait behind Ana's slow chat
    assert messenger.texts(ANA) == []
    await outbound.join()
    assert messenger.texts(ANA) == ["ana 0", "ana 1", "ana 2"]


async def test_server_errors_are_retried_and_the_order_holds() -> None:
    messenger = Messenger()
    messenger.fail(ANA, Attempt(Status.TRANSIENT, reason="502"), Attempt(Status.TRANSIENT))
    outbound = Outbound(retry=FAST)
    outbound.add_transport("test", messenger)
    first = outbound.enqueue(outgoing(ANA, "first"))
    outbound.enqueue(outgoing(ANA, "second"))
    await outbound.join()
    assert (await first).status is Status.DELIVERED
    assert messenger.texts(ANA) == ["first", "second"]
    assert [text for _, text, _ in messenger.calls] == ["first"] * 3 + ["second"]


async def test_a_message_that_keeps_failing_is_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    messenger = Messenger()
    messenger.fail(ANA, *[Attempt(Status.TRANSIENT, reason="Bad Gateway")] * 4)
    outbound = Outbound(retry=Retry(transient_attempts=4, first_backoff=0.01))
    outbound.add_transport("test", messenger)
    with caplog.at_level(logging.DEBUG, logger="bot.delivery"):
        result = await outbound.enqueue(outgoing(ANA, "lost"))
        after = await outbound.enqueue(outgoing(ANA, "next"))
    assert result.status is Status.FAILED
    assert after.status is Status.DELIVERED
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1
    assert "reply to test:1 not delivered: Bad Gateway (4 attempts)" in problems[0].getMessage()
    assert problems[0].exc_info is None


async def test_a_timed_out_send_is_repeated_once_at_most() -> None:
    messenger = Messenger()
    messenger.fail(ANA, Attempt(Status.UNCERTAIN, reason="timed out"))
    messenger.fail(BOB, *[Attempt(Status.UNCERTAIN, reason="timed out")] * 3)
    outbound = Outbound(retry=FAST)
    outbound.add_transport("test", messenger)
    ana = outbound.enqueue(outgoing(ANA, "maybe"))
    bob = outbound.enqueue(outgoing(BOB, "maybe"))
    assert (await ana).status is Status.DELIVERED
    assert (await bob).status is Status.FAILED
    assert len([c for c in messenger.calls if c[0] == BOB]) == 2


async def test_retry_after_is_honoured_for_that_chat() -> None:
    messenger = Messenger(Limits(per_chat=100, chat_burst=3))
    messenger.fail(ANA, Attempt(Status.RETRY_AFTER, retry_after=0.4))
    outbound = Outbound(retry=FAST)
    outbound.add_transport("test", messenger)
    outbound.enqueue(outgoing(ANA, "a"))
    await outbound.enqueue(outgoing(BOB, "b"))
    await outbound.join()
    ana = [at for to, _, at in messenger.calls if to == ANA]
    assert len(ana) == 2 and ana[1] - ana[0] >= 0.39
    assert messenger.texts(ANA) == ["a"]


async def test_refusals_in_several_chats_at_once_pause_everyone() -> None:
    messenger = Messenger(Limits(overall=1000, per_chat=1000))
    people = [UserRef("test", str(n)) for n in range(10, 13)]
    for p in people:
        messenger.fail(p, Attempt(Status.RETRY_AFTER, retry_after=0.5))
    carl = UserRef("test", "3")
    outbound = Outbound(retry=FAST)
    outbound.add_transport("test", messenger)
    started = time.monotonic()
    for p in people:
        outbound.enqueue(outgoing(p, "x"))
    await asyncio.sleep(0.05)
    await outbound.enqueue(outgoing(carl, "c"))
    # Carl's chat was never refused, but the overall limit was: he waited too
    assert time.monotonic() - started >= 0.45


async def test_one_or_two_busy_chats_do_not_hold_up_the_others() -> None:
    messenger = Messenger(Limits(overall=1000, per_chat=1000))
    messenger.fail(ANA, Attempt(Status.RETRY_AFTER, retry_after=2))
    messenger.fail(BOB, Attempt(Status.RETRY_AFTER, retry_after=2))
    outbound = Outbound(retry=FAST)
    outbound.add_transport("test", messenger)
    outbound.enqueue(outgoing(ANA, "a"))
    outbound.enqueue(outgoing(BOB, "b"))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await outbound.enqueue(outgoing(UserRef("test", "3"), "c"))
    assert time.monotonic() - started < 1.0
    await outbound.close(timeout=0)


async def test_a_wait_longer_than_the_deadline_fails_at_once() -> None:
    messenger = Messenger()
    messenger.fail(ANA, Attempt(Status.RETRY_AFTER, retry_after=3600, reason="flood"))
    outbound = Outbound(retry=Retry(give_up=60))
    outbound.add_transport("test", messenger)
    started = time.monotonic()
    result = await outbound.enqueue(outgoing(ANA, "late"))
    assert result.status is Status.FAILED and "flood" in result.reason
    assert time.monotonic() - started < 1.0
    # the person's next message is not stuck behind it
    assert (await outbound.enqueue(outgoing(ANA, "next"))).status is Status.DELIVERED


async def test_pacing_keeps_a_chat_under_its_rate() -> None:
    messenger = Messenger(Limits(per_chat=10, chat_burst=3))
    outbound = Outbound(retry=FAST)
    outbound.add_transport("test", messenger)
    for i in range(8):
        outbound.enqueue(outgoing(ANA, str(i)))
    await outbound.join()
    times = [at for _, _, at in messenger.calls]
    # a burst of three, then one every 0.1 s
    assert times[2] - times[0] < 0.05
    assert times[7] - times[0] >= 0.5 - 0.02


async def test_the_overall_rate_gives_replies_precedence_over_bulk_sends() -> None:
    messenger = Messenger(Limits(overall=20))
    outbound = Outbound(retry=FAST)
    outbound.add_transport("test", messenger)
    people = [UserRef("test", str(n)) for n in range(100, 160)]
    bulk = [outbound.enqueue(outgoing(p, "news"), urgent=False) for p in people]
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await outbound.enqueue(outgoing(ANA, "answer"))
    # sixty bulk messages at 20/s take three seconds; the reply did not wait for them
    assert time.monotonic() - started < 1.0
    await asyncio.gather(*bulk)
    times = sorted(at for _, _, at in messenger.calls)
    # after the first second's burst, no more than the rate
    assert times[-1] - times[0] >= (len(times) - 20) / 20 - 0.1


async def test_unreachable_people_are_reported_and_not_retried() -> None:
    marked: list[UserRef] = []

    async def mark(ref: UserRef) -> None:
        marked.append(ref)

    messenger = Messenger()
    messenger.fail(ANA, Attempt(Status.UNREACHABLE, reason="Forbidden: bot was blocked"))
    outbound = Outbound(on_unreachable=mark, retry=FAST)
    outbound.add_transport("test", messenger)
    first = outbound.enqueue(outgoing(ANA, "hello"))
    rest = [outbound.enqueue(outgoing(ANA, f"more {i}")) for i in range(5)]
    assert (await first).status is Status.UNREACHABLE
    assert [(await r).status for r in rest] == [Status.UNREACHABLE] * 5
    assert marked == [ANA]
    assert len(messenger.calls) == 1, "the rest of the queue is not tried one by one"


async def test_a_messenger_without_a_channel_fails_at_once() -> None:
    outbound = Outbound(retry=FAST)
    result = await outbound.enqueue(outgoing(UserRef("viber", "x"), "hi"))
    assert result.status is Status.FAILED
    assert "no viber channel" in result.reason


async def test_closing_waits_for_the_queue_then_reports_what_is_left() -> None:
    messenger = Messenger(Limits(per_chat=2, chat_burst=1))
    outbound = Outbound(retry=FAST)
    outbound.add_transport("test", messenger)
    results = [outbound.enqueue(outgoing(ANA, str(i))) for i in range(6)]
    left = await outbound.close(timeout=1.35)
    # one at once, then one every 0.56 s (2 a second, less the margin): three in the time given
    assert messenger.texts(ANA) == ["0", "1", "2"]
    assert left == 3
    statuses = [(await r).status for r in results]
    assert statuses == [Status.DELIVERED] * 3 + [Status.FAILED] * 3


async def test_a_send_whose_sender_stopped_waiting_is_not_made() -> None:
    # a broadcast being stopped: what it had queued stays unsent (pending in its outbox)
    messenger = Messenger()
    messenger.slow.add(ANA)
    outbound = Outbound(retry=FAST)
    outbound.add_transport("test", messenger)
    outbound.enqueue(outgoing(ANA, "reply"))
    waiting = asyncio.ensure_future(outbound.send(outgoing(ANA, "broadcast")))
    await asyncio.sleep(0.05)
    waiting.cancel()
    await outbound.join()
    assert messenger.texts(ANA) == ["reply"]
    await outbound.close(1)
