"""Reply throughput and latency of partnerbot against a minimal python-telegram-bot echo bot.

design.md, "Qualities": at 50 concurrent users the bot's throughput is at least 0.8 of the echo
bot's and its p99 reply latency at most 1.5 times the echo bot's, both measured in the same run on
the same machine against the same loopback Bot API double.

Each run starts a fresh BotApiDouble in this process and one bot as its own OS process, as in
production: `python -m bot run` on a fresh SQLite file (its own outbound pacing off, as the
double enforces no limit here), or `python -m benchmarks.echo_bot`. With the bot in this
process, bot, double and users shared one interpreter lock, and the bot's waits for it hid in
the double's latency: its own tail did not show. Now the double and the simulated users, in this
process, compete with the bot process for the machine's cores (two, on the machine the README
figures come from), as Telegram's servers do not, but as other work on a production machine may.

partnerbot's users first send /start and choose a language (spread over a second, not
measured), then all N users work in a closed loop: send a message, wait until the double has
recorded the bot's reply to it, send the next. Latency runs from pushing the update to the double
recording the sendMessage that answers it; throughput counts the updates answered inside the
measuring window, after a warm-up. CPU per update is the bot process's own (all its threads,
from /proc) over the window: steadier than throughput when other work shares the machine; this
process's (double and users) is reported beside it. The two bots alternate over the rounds
(echo, partnerbot, echo, …) to spread machine noise; the report gives the median of each figure
over the rounds and the ratios partnerbot/echo.

    uv run --frozen python -m benchmarks.reply_throughput [--users 50] [--seconds 10] [--rounds 3]

Everything stays on 127.0.0.1, the run ends by itself and no bot process outlives it. It is a
measurement, not a test: the exit status is 0 even when a target is missed (2 for bad
arguments, 1 when a bot process dies).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from benchmarks.processes import BotDied, BotProcess, echo_bot_process, partnerbot_process
from tests.telegram_double import BotApiDouble, JSONDict

THROUGHPUT_TARGET = 0.8  # partnerbot/echo, at least
P99_TARGET = 1.5  # partnerbot/echo, at most
REPLY_TIMEOUT = 10.0  # seconds a user waits for one answer before giving up
SETTLE = 0.2  # seconds without a new message that end the answer to a set-up step
SETUP_SPREAD = 1.0  # seconds over which the users' first messages are spread
FIRST_USER = 100_000  # user (and private chat) ids FIRST_USER, FIRST_USER + 1, …

# What people write, in the three scripts the bot meets; the echo bot gets the same texts.
FREE_TEXT = (
    "Kada je sledeća radionica?",
    "Где могу да се пријавим за програм?",
    "How do I join the partnership programme?",
    "zdravo, sta mozes da uradis?",
    "Koliko traje jedan projekat partnerstva?",
    "Који је рок за пријаву?",
    "Is there funding for small municipalities?",
    "hvala puno!",
)
# (Telegram app language, the locale the user then picks on the /start screen)
LANGUAGES = (("sr", "sr-Cyrl"), ("hr", "sr-Latn"), ("en", "en"), ("sr", "sr-Latn"))


@dataclass(frozen=True, slots=True)
class Step:
    """One thing a user does. A measured step is answered by exactly one message; set-up steps
    may get several (the run waits until they stop coming)."""

    kind: str  # "text" or "press"
    content: str  # the text, or the pressed button's callback data


Script = Callable[[int, random.Random], tuple[list[Step], Iterator[Step]]]


def echo_script(uid: int, rng: random.Random) -> tuple[list[Step], Iterator[Step]]:
    def steps() -> Iterator[Step]:
        while True:
            yield Step("text", rng.choice(FREE_TEXT))

    return [], steps()


def partnerbot_script(uid: int, rng: random.Random) -> tuple[list[Step], Iterator[Step]]:
    """/start and a language choice first (the user exists and has a locale), then a mix:
    about 40 % /menu, 45 % free text and 15 % presses of the menu button."""
    _, locale = LANGUAGES[uid % len(LANGUAGES)]
    # /start answers with the language picker, the choice with "language set" and the menu
    setup = [Step("text", "/start"), Step("press", f"lang:{locale}")]

    def steps() -> Iterator[Step]:
        while True:
            roll = rng.random()
            if roll < 0.40:
                yield Step("text", "/menu")
            elif roll < 0.85:
                yield Step("text", rng.choice(FREE_TEXT))
            else:
                yield Step("press", "menu")

    return setup, steps()


class TimedDouble(BotApiDouble):
    """The double, plus the moment each chat's n-th message is recorded.

    Each waiting user holds one future that _record resolves, so waking a user costs no scan of
    the chat's messages and the latency ends when the double records the reply, not when the
    waiting task happens to run."""

    def __init__(self) -> None:
        if "_record" not in vars(BotApiDouble):  # the hook below would never run
            raise RuntimeError("BotApiDouble._record is gone: update TimedDouble")
        super().__init__()
        self.received: dict[int, int] = {}
        self._expected: dict[int, tuple[int, asyncio.Future[float]]] = {}

    def expect(self, chat_id: int, count: int) -> asyncio.Future[float]:
        """A future for the perf_counter() time at which chat_id has `count` messages."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if self.received.get(chat_id, 0) >= count:
            future.set_result(time.perf_counter())
        else:
            self._expected[chat_id] = (count, future)
        return future

    def _record(self, msg: JSONDict, p: JSONDict, edited: bool) -> None:
        super()._record(msg, p, edited)
        chat_id = msg["chat"]["id"]
        count = self.received[chat_id] = self.received.get(chat_id, 0) + 1
        waiting = self._expected.get(chat_id)
        if waiting is not None and count >= waiting[0]:
            del self._expected[chat_id]
            if not waiting[1].done():
                waiting[1].set_result(time.perf_counter())


@dataclass(frozen=True, slots=True)
class RunResult:
    bot: str
    latencies: list[float]  # seconds, of the answers recorded inside the window
    window: float  # seconds
    cpu: float  # CPU seconds the bot process used during the window
    bench_cpu: float  # CPU seconds this process (double and users) used during the window
    errors: int  # users whose answer never came (each gave up after REPLY_TIMEOUT)
    unexpected: int  # messages beyond (or short of) the expected count, after the run
    peak_rss: float  # MiB, the bot process's peak resident memory

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.window

    @property
    def cpu_per_answer(self) -> float:
        """The bot process's CPU seconds per answered update: steadier than throughput when
        other work shares the machine."""
        return self.cpu / len(self.latencies) if self.latencies else math.nan

    @property
    def bench_cpu_per_answer(self) -> float:
        """This process's (the double's and the users') CPU seconds per answered update."""
        return self.bench_cpu / len(self.latencies) if self.latencies else math.nan

    def percentile(self, q: float) -> float:
        return percentile(self.latencies, q)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def push(double: BotApiDouble, uid: int, step: Step, language_code: str) -> None:
    if step.kind == "press":
        double.user_press(uid, step.content, language_code=language_code)
    else:
        double.user_text(uid, step.content, language_code=language_code)


async def drive(
    bot: BotProcess, double: TimedDouble, users: int, script: Script, warmup: float, seconds: float
) -> RunResult:
    """The closed loop: set-up steps for everyone, then warm-up, then the measuring window."""
    expected = dict.fromkeys(range(FIRST_USER, FIRST_USER + users), 0)
    failed: set[int] = set()  # users whose answer never came: their counts mean nothing now
    latencies: list[float] = []
    plans = {uid: script(uid, random.Random(uid)) for uid in expected}

    async def one(uid: int, step: Step) -> tuple[float, float] | None:
        """Push one step and wait for its answer: (pushed, recorded) times, None on timeout."""
        expected[uid] += 1
        future = double.expect(uid, expected[uid])
        pushed = time.perf_counter()
        push(double, uid, step, LANGUAGES[uid % len(LANGUAGES)][0])
        try:
            return pushed, await asyncio.wait_for(future, REPLY_TIMEOUT)
        except TimeoutError:
            failed.add(uid)
            return None

    async def set_up(uid: int) -> None:
        if not plans[uid][0]:
            return
        # People do not all arrive in the same millisecond; a burst of first messages would
        # also leave the bot's HTTP pool swollen for its 5 s keep-alive, into the measurement.
        await asyncio.sleep((uid - FIRST_USER) / users * SETUP_SPREAD)
        for step in plans[uid][0]:
            if await one(uid, step) is None:
                return
            # more messages may answer a set-up step: count them all before the next one
            while True:
                more = double.expect(uid, double.received[uid] + 1)
                try:
                    await asyncio.wait_for(more, SETTLE)
                except TimeoutError:
                    break
            expected[uid] = double.received[uid]

    async def user(uid: int, begin: float, end: float) -> None:
        steps = plans[uid][1]
        while uid not in failed and time.perf_counter() < end:
            if (times := await one(uid, next(steps))) is not None:
                pushed, recorded = times
                if begin <= recorded <= end:
                    latencies.append(recorded - pushed)

    await asyncio.gather(*(set_up(uid) for uid in expected))
    begin = time.perf_counter() + warmup
    end = begin + seconds
    users_done = asyncio.gather(*(user(uid, begin, end) for uid in expected))
    await asyncio.sleep(begin - time.perf_counter())
    cpu, bench_cpu = bot.cpu_seconds(), time.process_time()
    await asyncio.sleep(end - time.perf_counter())
    cpu, bench_cpu = bot.cpu_seconds() - cpu, time.process_time() - bench_cpu
    await users_done
    await asyncio.sleep(0.2)  # late extra messages, if the bot sends more than the script expects
    bot.check_alive()  # a dead bot shows as timeouts: say so instead
    unexpected = sum(
        abs(double.received.get(uid, 0) - n) for uid, n in expected.items() if uid not in failed
    )
    return RunResult(
        bot.name, latencies, seconds, cpu, bench_cpu, len(failed), unexpected, bot.peak_rss_mib()
    )


def partnerbot(double: BotApiDouble) -> AbstractAsyncContextManager[BotProcess]:
    """`python -m bot run` as in production, but unpaced: the double enforces no limit here
    (and the echo bot paces nothing)."""
    return partnerbot_process(double, PARTNERBOT_SEND_RATE="0", PARTNERBOT_CHAT_RATE="0")


BotRunner = Callable[[BotApiDouble], AbstractAsyncContextManager[BotProcess]]
BOTS: dict[str, tuple[BotRunner, Script]] = {
    "echo": (echo_bot_process, echo_script),  # benchmarks/echo_bot.py: the yardstick
    "partnerbot": (partnerbot, partnerbot_script),
}


async def run_one(bot: str, users: int, warmup: float, seconds: float) -> RunResult:
    start_bot, script = BOTS[bot]
    gc.collect()
    double = TimedDouble()
    await double.start()
    try:
        async with start_bot(double) as process:
            return await drive(process, double, users, script, warmup, seconds)
    finally:
        await double.stop()


def ms(seconds: float, digits: int = 1) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.{digits}f}"


async def main_async(args: argparse.Namespace) -> list[RunResult]:
    results: list[RunResult] = []
    for round_no in range(1, args.rounds + 1):
        for bot in ("echo", "partnerbot"):
            result = await run_one(bot, args.users, args.warmup, args.seconds)
            results.append(result)
            print(
                f"{round_no:>5}  {bot:<11} {result.throughput:>9.1f} "
                f"{ms(result.percentile(50)):>8} {ms(result.percentile(99)):>8} "
                f"{ms(result.cpu_per_answer, 2):>10} {ms(result.bench_cpu_per_answer, 2):>12} "
                f"{len(result.latencies):>8} {result.errors:>6} {result.unexpected:>10}",
                flush=True,
            )
    return results


def report(results: list[RunResult]) -> None:
    medians: dict[str, tuple[float, float, float, float]] = {}
    for bot in ("echo", "partnerbot"):
        runs = [r for r in results if r.bot == bot]
        medians[bot] = (
            statistics.median(r.throughput for r in runs),
            statistics.median(r.percentile(50) for r in runs),
            statistics.median(r.percentile(99) for r in runs),
            statistics.median(r.cpu_per_answer for r in runs),
        )
        rate, p50, p99, cpu = medians[bot]
        bench = statistics.median(r.bench_cpu_per_answer for r in runs)
        print(
            f"{'median':>5}  {bot:<11} {rate:>9.1f} {ms(p50):>8} {ms(p99):>8} {ms(cpu, 2):>10} "
            f"{ms(bench, 2):>12}"
        )
    echo_rate, _, echo_p99, echo_cpu = medians["echo"]
    bot_rate, _, bot_p99, bot_cpu = medians["partnerbot"]
    rate_ratio = bot_rate / echo_rate if echo_rate else math.nan
    p99_ratio = bot_p99 / echo_p99 if echo_p99 else math.nan
    checks = (
        ("throughput", rate_ratio, ">=", THROUGHPUT_TARGET, rate_ratio >= THROUGHPUT_TARGET),
        ("p99 latency", p99_ratio, "<=", P99_TARGET, p99_ratio <= P99_TARGET),
    )
    print()
    for name, ratio, sign, target, ok in checks:
        print(
            f"{name + ' ratio':<17} partnerbot/echo {ratio:5.2f}  target {sign} {target:<4}"
            f"  {'PASS' if ok else 'FAIL'}"
        )
    cpu_ratio = bot_cpu / echo_cpu if echo_cpu else math.nan
    print(f"(bot process's CPU per update, partnerbot/echo: {cpu_ratio:.2f}; not a target)")
    if any(r.errors or r.unexpected for r in results):
        print("note: some answers never came or the bot sent an unexpected number of messages;")
        print("      see the errors and unexpected columns (the script may need updating)")
    rss = {bot: statistics.median(r.peak_rss for r in results if r.bot == bot) for bot in medians}
    print(f"peak RSS of the bot process (median): echo {rss['echo']:.1f} MiB, "
          f"partnerbot {rss['partnerbot']:.1f} MiB")  # fmt: skip
    # other work on the machine skews the figures: the load says whether there was any
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.reply_throughput", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent users (50)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds a run (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds a run (2)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each bot, alternated (3)")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 1000 or not 0 < args.seconds <= 300 or not 1 <= args.rounds <= 20:
        parser.error("--users 1..1000, --seconds up to 300, --rounds 1..20")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup 0..60")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    print(
        f"reply throughput: {args.users} users, closed loop, {args.warmup:g} s warm-up + "
        f"{args.seconds:g} s measured per run, {args.rounds} rounds, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}"
    )
    print("each bot is its own process; the double and the users share this one")
    print(
        f"{'round':>5}  {'bot':<11} {'replies/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'cpu ms/upd':>10} {'bench ms/upd':>12} {'answered':>8} {'errors':>6} {'unexpected':>10}"
    )
    try:
        results = asyncio.run(main_async(args))
    except BotDied as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print()
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
