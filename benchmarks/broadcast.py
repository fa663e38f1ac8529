"""A broadcast to 10,000 subscribers: its rate, exactly once across a kill -9, chat meanwhile.

The bot runs as its own process, as in production (`python -m bot run` on a SQLite file seeded
here), against the loopback Bot API double, which enforces a global rate: above it, 429 with
retry_after. The subscribers (--recipients, 10,000) are written straight into the users table,
their locales cycling sr-Cyrl, sr-Latn, en; the announcement (news, audience all, due now) is one
row in the announcements table, which the bot's scheduler reads every 2 s, as when the command
line schedules one while the bot runs.

The rates: the bot's PARTNERBOT_BROADCAST_RATE is --rate (R, 100 a second: 10,000 take 100 s);
its overall pacer (PARTNERBOT_SEND_RATE, which the bot keeps 10 % under) and the double's global
limit are both SEND_HEADROOM × R, so the broadcast and the chat beside it fit under the pacer and
a bot that keeps to its pacer never sees a 429. PARTNERBOT_CHAT_RATE is the default; the quiet
hours are off, so that a run at night is not held back till morning.

Two runs, each on a fresh database and double:

    rate     --chatters (30) people, not subscribed, chat in a closed loop with a pause between
             messages (FAQ questions in three scripts): --baseline (30) seconds with no
             broadcast, then the announcement is inserted while the bot runs, they go on
             chatting until every subscriber has it and --baseline seconds more. Their reply
             time runs from pushing the update to the double recording the answer; p99 during
             the broadcast (answers recorded between its first and last delivery) over p99
             without one (before it, after a warm-up, and after it, pooled: a p99 of a few
             hundred answers on a shared machine moves a lot from one half-minute to the next).
    crash    the announcement is due when the bot starts; once half the subscribers have it
             the bot gets SIGKILL, is started again on the same database and double, and the
             run waits until every subscriber has it. The outbox is read at the kill: a
             message the double delivered but the outbox still calls pending is one the bot
             will send again.

For each: deliveries per subscriber (exactly 1, or missing, or 2+), the 429s, the achieved rate
((deliveries − 1) / (last − first delivery) as the double recorded them) over R. Targets: rate
≥ 0.95 R, no 429, exactly once (at most one repeat per crash), chat p99 ratio ≤ 1.5.

    uv run --frozen python -m benchmarks.broadcast [--recipients 10000] [--rate 100]

Everything stays on 127.0.0.1, the run ends by itself (about 5 minutes with the defaults) and no
bot process outlives it. It is a measurement, not a test: the exit status is 0 even when a
target is missed (2 for bad arguments, 1 when a bot process died by itself).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.delivery_faults import samples
from benchmarks.processes import PARTNERBOT, BotDied, BotProcess, bot_env, bot_process
from benchmarks.reply_throughput import FREE_TEXT, LANGUAGES, TimedDouble, ms, percentile
from bot.core.script import to_latin
from bot.storage.clock import stamp
from bot.storage.db import open_db
from tests.telegram_double import JSONDict

RATE_TARGET = 0.95  # achieved / configured, at least
P99_TARGET = 1.5  # chat p99 during the broadcast / without one, at most
REPEATS_PER_CRASH = 1  # subscribers who get it twice, at most, per kill -9
# the overall pacer and the double's limit, over R: room for the chat beside the broadcast
SEND_HEADROOM = 1.5
FIRST_RECIPIENT = 1_000_000  # subscribers' user (and chat) ids FIRST_RECIPIENT, … + N - 1
FIRST_CHATTER = 900_000  # the chatting people's ids
LOCALES = ("sr-Cyrl", "sr-Latn", "en")
BODY_SR = "Отворен је нови позив за партнерства општина. Рок за пријаве је 30. јун."
BODY_EN = "A new call for municipal partnerships is open. Applications close on 30 June."
# Each person waits this long (uniform, seconds) after an answer: under the bot's default 1
# message a second per chat (0.9 kept), so its per-chat pacing never delays an answer.
THINK = (1.2, 2.0)
WARMUP = 3.0  # seconds of chat before the baseline window opens
REPLY_TIMEOUT = 10.0  # seconds a person waits for one answer before counting a timeout
SETTLE = 0.3  # seconds without a new message that end the answer to a set-up step
LATE = 3.0  # seconds to wait, once everyone has the announcement, for late copies
STALL = 30.0  # seconds without a delivery after which a run stops waiting for the rest
POLL = 0.05
LAG_TICK = 0.01  # seconds between looks at this process's event-loop lag
STALL_GAPS = 3  # a gap between deliveries longer than this many 1/R is a stall


class BroadcastDouble(TimedDouble):
    """The double, plus each delivery to a subscriber's chat with the time it was recorded."""

    def __init__(self, recipients: range) -> None:
        super().__init__()
        self.recipients = recipients
        self.deliveries: list[tuple[int, float, str]] = []  # chat id, perf_counter(), text
        self.reached: set[int] = set()

    def _record(self, msg: JSONDict, p: JSONDict, edited: bool) -> None:
        super()._record(msg, p, edited)
        chat_id = msg["chat"]["id"]
        if chat_id in self.recipients:
            self.deliveries.append((chat_id, time.perf_counter(), msg["text"]))
            self.reached.add(chat_id)


def expected_text(chat_id: int) -> str:
    locale = LOCALES[(chat_id - FIRST_RECIPIENT) % len(LOCALES)]
    return {"sr-Cyrl": BODY_SR, "sr-Latn": to_latin(BODY_SR), "en": BODY_EN}[locale]


async def seed(path: Path, recipients: int) -> None:
    """A migrated database with `recipients` subscribers (the bot's own schema)."""
    conn = await open_db(path)
    try:
        now = stamp(datetime.now(UTC))
        rows = [
            ("telegram", str(FIRST_RECIPIENT + i), f"Pretplatnik {i}", LOCALES[i % len(LOCALES)])
            for i in range(recipients)
        ]
        await conn.execute("BEGIN")
        # ids as the chat ids: a row's id says whose chat it is when reading the outbox
        await conn.executemany(
            "INSERT INTO users (id, messenger, external_id, name, locale, first_seen, last_seen, "
            f"subscribed) VALUES (CAST(?2 AS INTEGER), ?1, ?2, ?3, ?4, '{now}', '{now}', 1)",
            rows,
        )
        await conn.execute("COMMIT")
    finally:
        await conn.close()


async def announce(path: Path, body_sr: str = BODY_SR, body_en: str = BODY_EN) -> None:
    """One news announcement to all subscribers, due now, by nobody (no progress messages)."""
    conn = await open_db(path)
    try:
        now = stamp(datetime.now(UTC))
        await conn.execute(
            "INSERT INTO announcements (kind, body_sr, body_en, html, audience, at, created_by, "
            "status, created_at) VALUES ('news', ?, ?, 0, 'all', ?, '', 'scheduled', ?)",
            (body_sr, body_en, now, now),
        )
    finally:
        await conn.close()


def outbox(path: Path) -> Counter[str]:
    """The outbox rows by status ('delivered', 'pending', …), read while the bot is down."""
    conn = sqlite3.connect(path)
    try:
        return Counter(
            {
                str(s): int(n)
                for s, n in conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY 1")
            }
        )
    finally:
        conn.close()


def pending_ids(path: Path) -> set[int]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT user_id FROM outbox WHERE status = 'pending'")
        return {int(r[0]) for r in rows}
    finally:
        conn.close()


@asynccontextmanager
async def partnerbot(double: BroadcastDouble, db: Path, rate: float) -> AsyncIterator[BotProcess]:
    env = bot_env(
        double,
        PARTNERBOT_DB=str(db),
        PARTNERBOT_COORDINATORS="",
        PARTNERBOT_BROADCAST_RATE=f"{rate:g}",
        PARTNERBOT_SEND_RATE=f"{rate * SEND_HEADROOM:g}",
        PARTNERBOT_QUIET_HOURS="",
    )
    async with bot_process("partnerbot", double, PARTNERBOT, env, "partnerbot is running") as bot:
        yield bot


async def wait_for_everyone(double: BroadcastDouble, bot: BotProcess, seconds: float) -> None:
    """Until every subscriber has the announcement, or `seconds` passed, or STALL seconds without a
    delivery once one came (then the bot has given up on the rest)."""
    deadline = time.perf_counter() + seconds
    while len(double.reached) < len(double.recipients) and time.perf_counter() < deadline:
        bot.check_alive()
        if double.deliveries and time.perf_counter() - double.deliveries[-1][1] > STALL:
            return
        await asyncio.sleep(POLL)


@dataclass(slots=True)
class Chat:
    """People chatting with the bot: set up (/start, a language), then a closed loop of FAQ
    questions with a pause after each answer, until stopped."""

    double: BroadcastDouble
    people: int
    answers: list[tuple[float, float]] = field(default_factory=list)  # recorded at, seconds
    timeouts: list[float] = field(default_factory=list)  # when an answer never came
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def uids(self) -> range:
        return range(FIRST_CHATTER, FIRST_CHATTER + self.people)

    def _language(self, uid: int) -> tuple[str, str]:
        return LANGUAGES[uid % len(LANGUAGES)]

    async def _settled(self, uid: int, count: int) -> bool:
        """Until the `count`-th message, then until none came for SETTLE seconds."""
        try:
            await asyncio.wait_for(self.double.expect(uid, count), REPLY_TIMEOUT)
        except TimeoutError:
            return False
        while True:
            more = self.double.expect(uid, self.double.received[uid] + 1)
            try:
                await asyncio.wait_for(more, SETTLE)
            except TimeoutError:
                return True

    async def _set_up(self, uid: int) -> None:
        await asyncio.sleep((uid - FIRST_CHATTER) / self.people)  # not all in one millisecond
        language_code, locale = self._language(uid)
        self.double.user_text(uid, "/start", language_code=language_code)
        if await self._settled(uid, 1):
            count = self.double.received[uid]
            self.double.user_press(uid, f"lang:{locale}", language_code=language_code)
            await self._settled(uid, count + 1)

    async def set_up(self) -> None:
        await asyncio.gather(*(self._set_up(uid) for uid in self.uids))

    async def _loop(self, uid: int) -> None:
        rng = random.Random(uid)
        language_code = self._language(uid)[0]
        while not self._stop.is_set():
            # counted afresh each time: an answer in two messages does not end the next wait
            answer = self.double.expect(uid, self.double.received.get(uid, 0) + 1)
            pushed = time.perf_counter()
            self.double.user_text(uid, rng.choice(FREE_TEXT), language_code=language_code)
            try:
                recorded = await asyncio.wait_for(answer, REPLY_TIMEOUT)
                self.answers.append((recorded, recorded - pushed))
            except TimeoutError:
                self.timeouts.append(time.perf_counter())
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), rng.uniform(*THINK))

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(uid)) for uid in self.uids]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    def between(self, begin: float, end: float) -> list[float]:
        return [seconds for at, seconds in self.answers if begin <= at <= end]

    def timeouts_between(self, begin: float, end: float) -> int:
        return sum(begin <= at <= end for at in self.timeouts)


@dataclass(slots=True)
class Monitor:
    """This process's event-loop lag (the double and the people share this loop: a slow answer
    may be this process's doing, not the bot's) and the bot process's CPU, as the run goes."""

    bot: BotProcess
    lags: list[tuple[float, float]] = field(default_factory=list)  # at, seconds late
    cpu: list[tuple[float, float]] = field(default_factory=list)  # at, bot's CPU seconds so far
    cpu_every: float = 1.0  # seconds between the CPU samples
    _task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        next_cpu = 0.0
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(LAG_TICK)
            now = time.perf_counter()
            self.lags.append((now, now - asked - LAG_TICK))
            if now >= next_cpu:
                self.cpu.append((now, self.bot.cpu_seconds()))
                next_cpu = now + self.cpu_every

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    def lag_p99(self, begin: float, end: float) -> float:
        return percentile([lag for at, lag in self.lags if begin <= at <= end], 99)

    def cpu_share(self, begin: float, end: float) -> float:
        """The bot's CPU seconds a second between `begin` and `end` (1.0: one core)."""
        inside = [(at, cpu) for at, cpu in self.cpu if begin <= at <= end]
        if len(inside) < 2:
            return math.nan
        (t0, c0), (t1, c1) = inside[0], inside[-1]
        return (c1 - c0) / (t1 - t0)


@dataclass(frozen=True, slots=True)
class Stretch:
    """Deliveries to subscribers over a span of the run."""

    times: list[float]

    @property
    def rate(self) -> float:
        if len(self.times) < 2:
            return math.nan
        return (len(self.times) - 1) / (self.times[-1] - self.times[0])

    @property
    def seconds(self) -> float:
        return self.times[-1] - self.times[0] if self.times else math.nan

    def gaps(self, rate: float) -> str:
        """Where the time beyond (n - 1)/R went: a little in every gap, or in a few stalls."""
        if len(self.times) < 2:
            return "no gaps"
        gaps = [b - a for a, b in zip(self.times, self.times[1:], strict=False)]
        interval = 1 / rate
        stalls = [g for g in gaps if g > STALL_GAPS * interval]
        short = sum(g - interval for g in gaps if g <= STALL_GAPS * interval)
        long = sum(g - interval for g in stalls)
        return (
            f"gaps between deliveries (1/R = {ms(interval)} ms): p50 {ms(percentile(gaps, 50))}, "
            f"p90 {ms(percentile(gaps, 90))}, p99 {ms(percentile(gaps, 99))}, max "
            f"{ms(max(gaps))} ms; {short + long:.1f} s over (n - 1)/R: {short:.1f} s in gaps up "
            f"to {STALL_GAPS}/R, {long:.1f} s in {len(stalls)} longer ones"
        )


@dataclass(slots=True)
class Outcome:
    name: str
    recipients: int
    per_recipient: Counter[int]  # chat id -> deliveries
    count_429: int
    stretches: dict[str, Stretch]  # "all", or "before kill" and "after restart"
    wrong_text: int
    outbox: Counter[str]
    log: list[str]
    notes: list[str] = field(default_factory=list)

    def histogram(self) -> tuple[int, int, int]:
        """Subscribers with no delivery, exactly one, two or more."""
        counts = [self.per_recipient.get(FIRST_RECIPIENT + i, 0) for i in range(self.recipients)]
        return counts.count(0), counts.count(1), sum(c >= 2 for c in counts)

    @property
    def repeats(self) -> int:
        return sum(c - 1 for c in self.per_recipient.values() if c > 1)


@dataclass(frozen=True, slots=True)
class Phase:
    """The chat over one window of the run."""

    name: str
    answers: list[float]  # seconds
    timeouts: int
    cpu: float  # the bot's CPU seconds a second
    lag: float  # this process's event-loop lag p99, seconds

    @classmethod
    def of(cls, name: str, chat: Chat, monitor: Monitor, begin: float, end: float) -> Phase:
        return cls(
            name, chat.between(begin, end), chat.timeouts_between(begin, end),
            monitor.cpu_share(begin, end), monitor.lag_p99(begin, end),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class ChatOutcome:
    before: Phase
    during: Phase
    after: Phase
    pickup: float  # seconds from inserting the announcement to its first delivery

    @property
    def baseline(self) -> list[float]:
        """No broadcast: before and after it, so that a drift of the machine over the run
        weighs on both sides of the ratio."""
        return self.before.answers + self.after.answers

    @property
    def ratio(self) -> float:
        quiet = percentile(self.baseline, 99)
        return percentile(self.during.answers, 99) / quiet if quiet else math.nan


def tally(name: str, double: BroadcastDouble, recipients: int, db: Path, log: list[str]) -> Outcome:
    per_recipient = Counter(chat_id for chat_id, _, _ in double.deliveries)
    wrong = sum(text != expected_text(chat_id) for chat_id, _, text in double.deliveries)
    times = [at for _, at, _ in double.deliveries]
    return Outcome(
        name, recipients, per_recipient, double.count_429, {"all": Stretch(times)}, wrong,
        outbox(db), log,
    )  # fmt: skip


def wait_limit(recipients: int, rate: float) -> float:
    return 2 * recipients / rate + 60


async def rate_run(args: argparse.Namespace) -> tuple[Outcome, ChatOutcome]:
    with tempfile.TemporaryDirectory(prefix="partnerbot-broadcast-") as tmp:
        db = Path(tmp) / "bot.sqlite3"
        await seed(db, args.recipients)
        double = BroadcastDouble(range(FIRST_RECIPIENT, FIRST_RECIPIENT + args.recipients))
        double.global_rate = args.rate * SEND_HEADROOM
        await double.start()
        try:
            async with partnerbot(double, db, args.rate) as bot:
                log_from = len(bot.log_lines())
                chat, monitor = Chat(double, args.chatters), Monitor(bot)
                await chat.set_up()
                chat.start()
                monitor.start()
                begin = time.perf_counter() + WARMUP
                await asyncio.sleep(WARMUP + args.baseline)
                bot.check_alive()
                inserted = time.perf_counter()
                await announce(db)
                await wait_for_everyone(double, bot, wait_limit(args.recipients, args.rate))
                resumed = time.perf_counter() + LATE
                await asyncio.sleep(LATE + args.baseline)
                ended = time.perf_counter()
                await chat.stop()
                await monitor.stop()
                log = bot.log_lines()[log_from:]
        finally:
            await double.stop()
        outcome = tally("broadcast", double, args.recipients, db, log)
    times = outcome.stretches["all"].times
    first, last = (times[0], times[-1]) if times else (math.inf, math.inf)
    chat_outcome = ChatOutcome(
        Phase.of("before the broadcast", chat, monitor, begin, inserted),
        Phase.of("during the broadcast", chat, monitor, first, last),
        Phase.of("after the broadcast", chat, monitor, resumed, ended),
        first - inserted,
    )
    return outcome, chat_outcome


async def crash_run(args: argparse.Namespace) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="partnerbot-broadcast-") as tmp:
        db = Path(tmp) / "bot.sqlite3"
        await seed(db, args.recipients)
        await announce(db)  # due before the bot starts: it goes out at its first tick
        double = BroadcastDouble(range(FIRST_RECIPIENT, FIRST_RECIPIENT + args.recipients))
        double.global_rate = args.rate * SEND_HEADROOM
        await double.start()
        notes: list[str] = []
        log: list[str] = []
        killed_at = math.inf
        try:
            killed = False
            try:
                async with partnerbot(double, db, args.rate) as bot:
                    log_from = len(bot.log_lines())
                    limit = time.perf_counter() + wait_limit(args.recipients // 2, args.rate)
                    while len(double.reached) < args.recipients / 2:
                        bot.check_alive()
                        if time.perf_counter() > limit:
                            raise BotDied("half the subscribers never got the announcement")
                        await asyncio.sleep(POLL)
                    os.kill(bot.pid, signal.SIGKILL)
                    await bot.process.wait()
                    killed_at = time.perf_counter()
                    killed = True
                    log = bot.log_lines()[log_from:]
            except BotDied:
                if not killed:
                    raise
            at_kill = len(double.deliveries)
            pending = pending_ids(db)
            in_flight = sum(chat_id in pending for chat_id in double.reached)
            notes.append(
                f"at the kill: {at_kill} delivered, outbox {dict(outbox(db))}; "
                f"{in_flight} delivered but still pending in the outbox (will be sent again)"
            )
            async with partnerbot(double, db, args.rate) as bot:
                from_restart = len(bot.log_lines())
                await wait_for_everyone(double, bot, wait_limit(args.recipients, args.rate))
                await asyncio.sleep(LATE)
                log += bot.log_lines()[from_restart:]
        finally:
            await double.stop()
        outcome = tally("crash", double, args.recipients, db, log)
    times = outcome.stretches["all"].times
    before = [at for at in times if at <= killed_at]
    after = [at for at in times if at > killed_at]
    outcome.stretches["before kill"] = Stretch(before)
    outcome.stretches["after restart"] = Stretch(after)
    if after:
        notes.append(f"first delivery {after[0] - killed_at:.1f} s after the kill")
    outcome.notes += notes
    return outcome


ROW = "{:<22} {:>6} {:>7} {:>7} {:>5} {:>5} {:>7} {:>7} {:>6} {:>6}"
HEADER = ROW.format(
    "run", "subs", "exactly1", "missing", "2+", "429", "rate/s", "rate/R", "wall s", "wrong"
)


def row(o: Outcome, stretch: str, rate: float) -> str:
    missing, one, more = o.histogram()
    s = o.stretches[stretch]
    label = o.name if stretch == "all" else f"  {stretch}"
    if stretch != "all":
        return ROW.format(label, "", "", "", "", "", f"{s.rate:.1f}", f"{s.rate / rate:.3f}",
                          f"{s.seconds:.1f}", "")  # fmt: skip
    return ROW.format(
        label, o.recipients, one, missing, more, o.count_429, f"{s.rate:.1f}",
        f"{s.rate / rate:.3f}", f"{s.seconds:.1f}", o.wrong_text,
    )  # fmt: skip


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(args: argparse.Namespace, rated: Outcome, chat: ChatOutcome, crash: Outcome) -> None:
    rate = args.rate
    print(HEADER)
    print(row(rated, "all", rate))
    for stretch in ("all", "before kill", "after restart"):
        print(row(crash, stretch, rate))
    print()
    print(
        f"{'chat':<22} {'answers':>7} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'timeouts':>8} "
        f"{'bot CPU':>8} {'bench lag p99 ms':>16}"
    )
    for phase in (chat.before, chat.during, chat.after):
        values = phase.answers
        print(
            f"{phase.name:<22} {len(values):>7} {ms(percentile(values, 50)):>8} "
            f"{ms(percentile(values, 90)):>8} {ms(percentile(values, 99)):>8} "
            f"{phase.timeouts:>8} {phase.cpu:>8.0%} {ms(phase.lag):>16}"
        )
    quiet = chat.baseline
    print(
        f"{'no broadcast (both)':<22} {len(quiet):>7} {ms(percentile(quiet, 50)):>8} "
        f"{ms(percentile(quiet, 90)):>8} {ms(percentile(quiet, 99)):>8}"
    )
    print(f"announcement inserted while running: first delivery {chat.pickup:.1f} s later")
    for o in (rated, crash):
        gaps = [f"{name}: {s.gaps(rate)}" for name, s in o.stretches.items()]
        lines = [*o.notes, *gaps, f"outbox at the end: {dict(o.outbox)}"]
        lines += [f"log: {line}" for line in samples(o.log)]
        print(f"{o.name}: {len(o.log)} log lines")
        print("\n".join(f"    {line}" for line in lines))
    rated_rate = rated.stretches["all"].rate / rate
    missing_r, _, more_r = rated.histogram()
    missing_c, _, _ = crash.histogram()
    checks = (
        (f"rate {rated_rate:.3f} of R (broadcast run)", rated_rate >= RATE_TARGET,
         f">= {RATE_TARGET}"),
        (f"429s: {rated.count_429} + {crash.count_429} (crash run)",
         not (rated.count_429 or crash.count_429), "none"),
        (f"exactly once: {missing_r} missing, {rated.repeats} repeats (broadcast run)",
         not (missing_r or more_r), "all exactly 1"),
        (f"across kill -9: {missing_c} missing, {crash.repeats} repeats",
         not missing_c and crash.repeats <= REPEATS_PER_CRASH,
         f"none missing, <= {REPEATS_PER_CRASH} repeat"),
        (f"chat p99 during/without broadcast {chat.ratio:.2f}", chat.ratio <= P99_TARGET,
         f"<= {P99_TARGET}"),
    )  # fmt: skip
    print()
    for text, ok, target in checks:
        print(f"{text:<52} target {target:<28} {verdict(ok)}")
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


async def main_async(args: argparse.Namespace) -> tuple[Outcome, ChatOutcome, Outcome]:
    rated, chat = await rate_run(args)
    print(f"broadcast run done ({rated.stretches['all'].seconds:.0f} s of sending)", flush=True)
    crash = await crash_run(args)
    print("crash run done", flush=True)
    print()
    return rated, chat, crash


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.broadcast", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--recipients", type=int, default=10_000, help="subscribers (10000)")
    parser.add_argument(
        "--rate", type=float, default=100.0, help="PARTNERBOT_BROADCAST_RATE, a second (100)"
    )
    parser.add_argument("--chatters", type=int, default=30, help="people chatting (30)")
    parser.add_argument(
        "--baseline", type=float, default=30.0, help="seconds of chat before and after (30)"
    )
    args = parser.parse_args(argv)
    if not 10 <= args.recipients <= 100_000 or not 1 <= args.rate <= 1000 / SEND_HEADROOM:
        parser.error(f"--recipients 10..100000, --rate 1..{1000 / SEND_HEADROOM:g}")
    if not 1 <= args.chatters <= 100 or not 5 <= args.baseline <= 300:
        parser.error("--chatters 1..100, --baseline 5..300")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    send = args.rate * SEND_HEADROOM
    print(
        f"broadcast: {args.recipients} subscribers (sr-Cyrl, sr-Latn, en), R = "
        f"{args.rate:g}/s, bot's overall pacer {send:g}/s (keeps 10 % under), double's global "
        f"limit {send:g}/s; {args.chatters} people chatting; {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}"
    )
    given = sys.argv[1:] if argv is None else argv
    print(f"command: uv run --frozen python -m benchmarks.broadcast {' '.join(given)}")
    try:
        rated, chat, crash = asyncio.run(main_async(args))
    except BotDied as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report(args, rated, chat, crash)
    return 0


if __name__ == "__main__":
    sys.exit(main())
