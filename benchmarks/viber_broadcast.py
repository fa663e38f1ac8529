"""A Viber broadcast to 10,000 subscribers: its calls, exactly once across a kill -9, chat beside.

The bot runs as its own process, as in production (`python -m bot run` on a SQLite file seeded
here), with Viber: its webhook served on 127.0.0.1, its REST calls going to the loopback Viber
double (tests/viber_double.py), which enforces Viber's broadcast limit: a sending call beyond
--limit (500) in 10 s is answered status 12 (tooManyRequests). The subscribers (--subscribers,
10,000) are written straight into the users table (messenger 'viber', ids shaped as Viber's,
which the double knows as subscribed), their locales cycling sr-Cyrl, sr-Latn, en; an
announcement (news, audience all, due now) is one row in the announcements table, which the
bot's scheduler reads every 2 s, as when the command line schedules one while the bot runs. The
bot sends it with broadcast_message, one call for up to 300 people who read the same text, its
calls paced at 45 a second. With --telegram N, N Telegram subscribers are spread evenly among
them (user ids interleaved) on the Bot API double of benchmarks/broadcast.py, which the bot
sends to one by one at --rate (100; its overall pacer and the double's limit 1.5 × that, as
there). --latency (0) s delays each answer to a sending call, as a distant Viber does (the call
has taken effect meanwhile: more calls are in flight at a kill). Quiet hours are off.

Two runs, each on a fresh database and doubles:

    rate     --chatters (30) Viber people, not subscribed, chat in a closed loop with a pause
             after each answer (FAQ questions in three scripts): --baseline (20) s with no
             broadcast, then --rounds (8) announcements, each inserted while the bot runs once
             everyone has the one before and LATE + --gap (5) s more have passed, then LATE +
             --baseline s more. A Viber broadcast of 10,000 is over in about 3 s, a few tens of
             answers: hence several rounds, pooled. A reply's time runs from posting the
             person's message to the bot's webhook to the double recording the answer; "net",
             less the time this process spent meanwhile in the double's broadcast_message
             handlers (recording 300 receivers blocks the loop that records answers: the
             bench's share, not the bot's). "During" a round is from the bot starting it (its
             started_at: it writes the outbox, then looks up each recipient) to its last
             delivery; "quiet" is the rest after a warm-up, less LATE s after each round.
    crash    the announcement is due when the bot starts; the broadcast_message call that
             brings half the Viber subscribers to have it kills the bot (SIGKILL, from inside
             the double's handler: that call is recorded but never answered), which is then
             started again on the same database and doubles, and the run waits until every
             subscriber has it. A call answered (or not) but not yet recorded in the outbox at
             the kill goes out again, whole: the outbox is read at the kill to say how many.

For each: the time to reach everyone, the broadcast_message calls and their receivers, status-12
answers, deliveries per subscriber (exactly 1, missing, 2+), the bot's peak RSS (VmHWM); for the
chat, p99 (and p50) during the broadcasts over p99 without, pooled, and each round's p99 over
the pooled quiet p99 with their median: ratios, as the machine is shared and noisy. Targets:
everyone exactly once, no status 12, across the kill none missing and no repeat beyond the
people in calls in flight at it, chat p99 ratio <= 1.5 (broadcast.py's; here the rounds'
median, which one stall of the shared machine does not move as it moves the pooled p99).

    uv run --frozen python -m benchmarks.viber_broadcast [--subscribers 10000] [--telegram 0]

Everything stays on 127.0.0.1, the run ends by itself (about 2½ minutes with the defaults) and no
bot process outlives it. It is a measurement, not a test: the exit status is 0 even when a
target is missed (2 for bad arguments, 1 when a bot process died by itself).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import bisect
import hashlib
import logging
import math
import os
import random
import signal
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import aiohttp

from benchmarks.broadcast import (
    BODY_EN,
    BODY_SR,
    LOCALES,
    SEND_HEADROOM,
    BroadcastDouble,
    Monitor,
    announce,
    outbox,
    pending_ids,
)
from benchmarks.delivery_faults import samples
from benchmarks.processes import PARTNERBOT, ROOT, START_TIMEOUT, STOP_GRACE, BotDied, BotProcess
from benchmarks.reply_throughput import FREE_TEXT, LANGUAGES, ms, percentile
from bot.channels.viber.markup import PRESS
from bot.core.script import to_latin
from bot.storage.clock import stamp
from bot.storage.db import open_db
from tests.viber_double import JSONDict, SentMessage, Via, ViberDouble

P99_TARGET = 1.5  # chat p99 during a broadcast / without one (the rounds' median), at most
VIBER_LIMIT = 500  # Viber's broadcast limit: calls in LIMIT_SECONDS
LIMIT_SECONDS = 10.0
FIRST_RECIPIENT = 1_000_000  # subscribers' user ids (a Telegram one's is its chat id too)
READY_LINE = "partnerbot is running"
WARMUP = 3.0  # seconds of chat before the first quiet window opens
REPLY_TIMEOUT = 10.0  # seconds a person waits for one answer before counting a timeout
SETTLE = 0.3  # seconds without a new message that end the answer to a set-up step
THINK = (1.2, 2.0)  # seconds (uniform) a person waits after an answer, as in broadcast.py
LATE = 3.0  # seconds after a round's last delivery: late copies, and not counted as quiet
STALL = 30.0  # seconds without a delivery after which a run stops waiting for the rest
POLL = 0.05
CPU_EVERY = 0.1  # seconds between samples of the bot's CPU time: a round lasts a few seconds
# the bot's process environment comes from these settings and nothing else
_OWN_PREFIXES = ("TELEGRAM_", "PARTNERBOT_", "VIBER_")


def viber_id(seed: str) -> str:
    """An id as Viber's look: 16 bytes in base64 ('+', '/' and '==' included)."""
    return base64.b64encode(hashlib.blake2b(seed.encode(), digest_size=16).digest()).decode()


@dataclass(frozen=True, slots=True)
class Audience:
    """The subscribers: user ids FIRST_RECIPIENT, … + size - 1, Viber's and Telegram's."""

    viber: dict[str, int]  # Viber id -> user id
    telegram: frozenset[int]  # user ids, which are also the chat ids

    @property
    def size(self) -> int:
        return len(self.viber) + len(self.telegram)

    @property
    def ids(self) -> range:
        return range(FIRST_RECIPIENT, FIRST_RECIPIENT + self.size)

    def locale(self, user_id: int) -> str:
        return LOCALES[(user_id - FIRST_RECIPIENT) % len(LOCALES)]

    @classmethod
    def of(cls, viber: int, telegram: int) -> Audience:
        total = viber + telegram
        spread = {FIRST_RECIPIENT + (2 * k + 1) * total // (2 * telegram) for k in range(telegram)}
        ids = (FIRST_RECIPIENT + i for i in range(total))
        people = {viber_id(f"subscriber {uid}"): uid for uid in ids if uid not in spread}
        return cls(people, frozenset(spread))


def round_bodies(number: int) -> tuple[str, str]:
    """Each round's announcement is told apart by its text."""
    return f"{BODY_SR} ({number})", f"{BODY_EN} ({number})"


def expected_text(locale: str, number: int) -> str:
    sr, en = round_bodies(number)
    return {"sr-Cyrl": sr, "sr-Latn": to_latin(sr), "en": en}[locale]


def round_of(rounds: int) -> dict[tuple[str, str], int]:
    """(locale, text) -> the round whose announcement it is."""
    return {(loc, expected_text(loc, n)): n for n in range(1, rounds + 1) for loc in LOCALES}


class Mark(NamedTuple):
    """A moment of the run, as the doubles' records go."""

    calls: int  # the Viber double's calls so far
    refusals: int  # and its refusals
    count_429: int  # the Bot API double's 429s (--telegram)


class ViberBench(ViberDouble):
    """The Viber double, plus each delivery to a subscriber with the time it was recorded, and
    the moment each chatting person's n-th message is recorded (as TimedDouble does)."""

    def __init__(self, audience: Audience, limit: int) -> None:
        if not {"_record", "_broadcast_message"} <= vars(ViberDouble).keys():  # hooks below
            raise RuntimeError("ViberDouble's _record or _broadcast_message is gone: update")
        super().__init__()
        self.audience = audience.viber
        self.deliveries: list[tuple[int, float, str]] = []  # user id, perf_counter(), text
        self.received: dict[str, int] = {}
        self._expected: dict[str, tuple[int, asyncio.Future[float]]] = {}
        self.subscribed.update(self.audience)
        self.rate_limit = (limit, LIMIT_SECONDS)
        self.reached: set[int] = set()  # user ids, any round
        self.first_call: dict[int, int] = {}  # user id -> the message token of its first copy
        # when this process ran the double's broadcast_message handlers (perf_counter() from,
        # to): recording 300 receivers takes milliseconds, and a reply the double would have
        # recorded meanwhile waits for it; this is the bench's share of a reply time, not the bot's
        self.busy: list[tuple[float, float]] = []
        # called once, as soon as this many subscribers have a message: inside the handler of
        # the call that passed it, before the answer (the crash run's kill)
        self.kill_at: tuple[int, Callable[[], None]] | None = None

    def expect(self, user_id: str, count: int) -> asyncio.Future[float]:
        """A future for the perf_counter() time at which user_id has `count` messages."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if self.received.get(user_id, 0) >= count:
            future.set_result(time.perf_counter())
        else:
            self._expected[user_id] = (count, future)
        return future

    def _record(
        self, receiver: str, body: JSONDict, via: Via, billing: int | None, token: int
    ) -> SentMessage:
        sent = super()._record(receiver, body, via, billing, token)
        now = time.perf_counter()
        user_id = self.audience.get(receiver)
        if user_id is not None:
            self.deliveries.append((user_id, now, sent.text or ""))
            self.reached.add(user_id)
            self.first_call.setdefault(user_id, token)
            if self.kill_at is not None and len(self.reached) >= self.kill_at[0]:
                kill, self.kill_at = self.kill_at[1], None
                kill()
            return sent
        count = self.received[receiver] = self.received.get(receiver, 0) + 1
        waiting = self._expected.get(receiver)
        if waiting is not None and count >= waiting[0]:
            del self._expected[receiver]
            if not waiting[1].done():  # cancelled when its person gave up
                waiting[1].set_result(now)
        return sent

    async def _broadcast_message(self, body: JSONDict, raw: bytes) -> JSONDict:
        begin = time.perf_counter()  # it awaits nothing: the loop is blocked throughout
        try:
            return await super()._broadcast_message(body, raw)
        finally:
            self.busy.append((begin, time.perf_counter()))

    def busy_within(self, begin: float, end: float) -> float:
        """Seconds of [begin, end] this process spent in broadcast_message handlers."""
        total = 0.0
        for a, b in reversed(self.busy):
            if b < begin:
                break
            total += max(0.0, min(b, end) - max(a, begin))
        return total

    def broadcasts(self, since: Mark, until: Mark | None) -> list[int]:
        """Receivers of each broadcast_message call between two marks (None: till now)."""
        calls = self.calls[since.calls : until.calls if until else None]
        return [len(c.body.get("broadcast_list") or ()) for c in calls
                if c.method == "broadcast_message"]  # fmt: skip

    def too_many(self, since: Mark, until: Mark | None) -> tuple[int, int, int]:
        """Status 12 answered between two marks: whole broadcast calls, whole send_message
        calls, and receivers in a failed_list (Viber's limit for one person)."""
        refusals = self.refusals[since.refusals : until.refusals if until else None]
        refusals = [r for r in refusals if r.status == 12]
        whole = [r for r in refusals if r.method != "broadcast_message" or r.receiver is None]
        return (
            sum(r.method == "broadcast_message" for r in whole),
            sum(r.method == "send_message" for r in whole),
            len(refusals) - len(whole),
        )


@dataclass(slots=True)
class Doubles:
    viber: ViberBench
    telegram: BroadcastDouble | None  # with --telegram only

    def mark(self) -> Mark:
        """Where the calls, refusals and 429s recorded so far end."""
        count_429 = self.telegram.count_429 if self.telegram is not None else 0
        return Mark(len(self.viber.calls), len(self.viber.refusals), count_429)

    def deliveries(self) -> list[tuple[int, float, str]]:
        """Every delivery to a subscriber, both messengers, in the order recorded."""
        telegram = self.telegram.deliveries if self.telegram is not None else []
        return sorted([*self.viber.deliveries, *telegram], key=lambda d: d[1])


@asynccontextmanager
async def doubles(audience: Audience, args: argparse.Namespace) -> AsyncIterator[Doubles]:
    rate = args.rate
    viber = ViberBench(audience, args.limit)
    viber.latency = args.latency
    telegram = BroadcastDouble(audience.ids) if audience.telegram else None
    await viber.start()
    try:
        if telegram is not None:
            telegram.global_rate = rate * SEND_HEADROOM
            await telegram.start()
        try:
            yield Doubles(viber, telegram)
        finally:
            if telegram is not None:
                await telegram.stop()
    finally:
        await viber.stop()


async def seed(path: Path, audience: Audience) -> None:
    """A migrated database with the audience as subscribers (the bot's own schema)."""
    conn = await open_db(path)
    try:
        now = stamp(datetime.now(UTC))
        people = [*((uid, "viber", ext) for ext, uid in audience.viber.items()),
                  *((uid, "telegram", str(uid)) for uid in sorted(audience.telegram))]  # fmt: skip
        rows = [
            (uid, messenger, ext, f"Pretplatnik {uid - FIRST_RECIPIENT}", audience.locale(uid))
            for uid, messenger, ext in people
        ]
        await conn.execute("BEGIN")
        await conn.executemany(
            "INSERT INTO users (id, messenger, external_id, name, locale, first_seen, last_seen, "
            f"subscribed) VALUES (?, ?, ?, ?, ?, '{now}', '{now}', 1)",
            rows,
        )
        await conn.execute("COMMIT")
    finally:
        await conn.close()


def started_at(path: Path, number: int) -> float:
    """When the bot started the round's announcement, as a perf_counter() time (NaN: it did
    not), from the announcements table."""
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT started_at FROM announcements WHERE body_sr = ?", (round_bodies(number)[0],)
        ).fetchone()
    finally:
        conn.close()
    if row is None or not row[0]:
        return math.nan
    return datetime.fromisoformat(row[0]).timestamp() - (time.time() - time.perf_counter())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(slots=True)
class Bot:
    process: BotProcess
    killed: bool = False  # by the run, on purpose
    killed_at: float = math.nan  # perf_counter()
    peak_rss: float = math.nan  # MiB, VmHWM as last read (at the latest, before it stopped)

    def read_rss(self) -> None:
        with suppress(OSError):
            self.peak_rss = self.process.peak_rss_mib()

    def kill(self) -> None:
        self.read_rss()
        self.killed, self.killed_at = True, time.perf_counter()
        os.kill(self.process.pid, signal.SIGKILL)


async def _until_ready(bot: Bot, viber: ViberBench, webhook: str) -> None:
    """Until the bot logged that it runs (its webhook is set and its channels receive)."""
    deadline = time.monotonic() + START_TIMEOUT
    while not any(READY_LINE in line for line in bot.process.log_lines()):
        bot.process.check_alive()
        if time.monotonic() > deadline:
            raise BotDied(f"partnerbot did not start within {START_TIMEOUT:g} s")
        await asyncio.sleep(POLL)
    if viber.webhook_url != webhook:
        raise BotDied(f"partnerbot runs, but the double's webhook is {viber.webhook_url!r}")


async def _stop(bot: Bot) -> None:
    """SIGTERM, then SIGKILL after STOP_GRACE; its peak memory is read first."""
    process = bot.process.process
    if process.returncode is not None:
        return
    bot.read_rss()
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_GRACE)
    except TimeoutError:
        print(f"note: partnerbot ignored SIGTERM for {STOP_GRACE:g} s: killed", file=sys.stderr)
        process.kill()
        await process.wait()
        return
    if process.returncode not in (0, -signal.SIGTERM):
        print(f"note: on SIGTERM, {bot.process.death_note()}", file=sys.stderr)


@asynccontextmanager
async def partnerbot(ds: Doubles, db: Path, rate: float) -> AsyncIterator[Bot]:
    """`python -m bot run` on `db` with Viber (and Telegram with --telegram), on a free port;
    yields once it runs. SIGTERM (then SIGKILL) on the way out, whatever happens; BotDied if
    it exited by itself (not killed by the run)."""
    port = free_port()
    webhook = f"http://127.0.0.1:{port}/viber"
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_PREFIXES)}
    env |= {
        "VIBER_AUTH_TOKEN": ds.viber.token, "VIBER_API_URL": ds.viber.api_url,
        "VIBER_WEBHOOK_URL": webhook, "VIBER_LISTEN": f"127.0.0.1:{port}",
        "PARTNERBOT_DB": str(db), "PARTNERBOT_COORDINATORS": "", "PARTNERBOT_QUIET_HOURS": "",
        "PARTNERBOT_BROADCAST_RATE": f"{rate:g}",
        "PARTNERBOT_SEND_RATE": f"{rate * SEND_HEADROOM:g}",
    }  # fmt: skip
    if ds.telegram is not None:
        env |= {"TELEGRAM_BOT_TOKEN": ds.telegram.token, "TELEGRAM_API_URL": ds.telegram.base_url}
    with tempfile.TemporaryDirectory(prefix="partnerbot-bench-") as tmp:
        stderr_path = Path(tmp) / "stderr.log"
        with stderr_path.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable, *PARTNERBOT, env=env, cwd=ROOT, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
            )  # fmt: skip
        bot = Bot(BotProcess("partnerbot", process, stderr_path))
        try:
            await _until_ready(bot, ds.viber, webhook)
            yield bot
            if not bot.killed:
                bot.process.check_alive()
        finally:
            await _stop(bot)


@dataclass(slots=True)
class Progress:
    """Who has which round's announcement so far, read from the doubles as the run goes."""

    ds: Doubles
    audience: Audience
    texts: dict[tuple[str, str], int]
    reached: defaultdict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    last: dict[int, float] = field(default_factory=dict)  # round -> its latest delivery
    _cursors: list[int] = field(default_factory=lambda: [0, 0])

    def update(self) -> None:
        telegram = self.ds.telegram.deliveries if self.ds.telegram is not None else []
        for i, deliveries in enumerate((self.ds.viber.deliveries, telegram)):
            for user_id, at, text in deliveries[self._cursors[i] :]:
                number = self.texts.get((self.audience.locale(user_id), text))
                if number is not None:
                    self.reached[number].add(user_id)
                    self.last[number] = at
            self._cursors[i] = len(deliveries)

    async def wait(self, number: int, share: float, bot: Bot, seconds: float) -> None:
        """Until `share` of the audience has round `number`, or `seconds` passed, or STALL
        seconds without a delivery once one came (then the bot has given up on the rest)."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            bot.process.check_alive()
            self.update()
            if len(self.reached[number]) >= share * self.audience.size:
                return
            if time.perf_counter() - self.last.get(number, math.inf) > STALL:
                return
            await asyncio.sleep(POLL)


def wait_limit(audience: Audience, rate: float) -> float:
    return 60 + 2 * len(audience.telegram) / rate + audience.size / 1000


@dataclass(slots=True)
class ViberChat:
    """Viber people chatting with the bot: set up (/start, a language), then a closed loop of
    FAQ questions with a pause after each answer, until stopped."""

    viber: ViberBench
    people: int
    # recorded at, seconds, seconds less the double's broadcast handling meanwhile
    answers: list[tuple[float, float, float]] = field(default_factory=list)
    timeouts: list[float] = field(default_factory=list)  # when an answer never came
    refused: int = 0  # webhook answers other than 200
    set_up_failures: int = 0
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def uids(self) -> list[str]:
        return [viber_id(f"chatter {k}") for k in range(self.people)]

    async def _settled(self, uid: str, count: int) -> bool:
        """Until the `count`-th message, then until none came for SETTLE seconds."""
        try:
            await asyncio.wait_for(self.viber.expect(uid, count), REPLY_TIMEOUT)
        except TimeoutError:
            return False
        while True:
            more = self.viber.expect(uid, self.viber.received[uid] + 1)
            try:
                await asyncio.wait_for(more, SETTLE)
            except TimeoutError:
                return True

    async def _set_up(self, k: int, uid: str) -> None:
        await asyncio.sleep(k / self.people)  # not all in one millisecond
        language, locale = LANGUAGES[k % len(LANGUAGES)]
        await self.viber.user_text(uid, "/start", name=f"Osoba {k}", language=language)
        if not await self._settled(uid, 1):
            self.set_up_failures += 1
            return
        count = self.viber.received[uid]
        await self.viber.user_press(uid, f"{PRESS}lang:{locale}")
        if not await self._settled(uid, count + 1):
            self.set_up_failures += 1

    async def set_up(self) -> None:
        await asyncio.gather(*(self._set_up(k, uid) for k, uid in enumerate(self.uids)))

    async def _loop(self, k: int, uid: str) -> None:
        rng = random.Random(k)
        while not self._stop.is_set():
            # counted afresh each time: an answer in two messages does not end the next wait
            answer = self.viber.expect(uid, self.viber.received.get(uid, 0) + 1)
            pushed = time.perf_counter()
            try:
                async with asyncio.timeout(REPLY_TIMEOUT):
                    posted = await self.viber.user_text(uid, rng.choice(FREE_TEXT))
                    if posted.status != 200:
                        self.refused += 1
                    recorded = await answer
                bench = self.viber.busy_within(pushed, recorded)
                self.answers.append((recorded, recorded - pushed, recorded - pushed - bench))
            except (TimeoutError, aiohttp.ClientError):
                self.timeouts.append(time.perf_counter())
            with suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), rng.uniform(*THINK))

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(k, u)) for k, u in enumerate(self.uids)]

    async def stop(self) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    def within(self, windows: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
        """(seconds, seconds less the double's share) of the answers recorded in `windows`."""
        spans = list(windows)
        return [(s, n) for at, s, n in self.answers if any(b <= at <= e for b, e in spans)]

    def timeouts_within(self, windows: Iterable[tuple[float, float]]) -> int:
        spans = list(windows)
        return sum(any(b <= at <= e for b, e in spans) for at in self.timeouts)


def cpu_at(monitor: Monitor, at: float) -> float:
    """The bot's CPU seconds so far at `at` (within the monitor's samples), by linear
    interpolation between them."""
    samples = monitor.cpu
    i = min(max(bisect.bisect_left(samples, at, key=lambda sample: sample[0]), 1), len(samples) - 1)
    (t0, c0), (t1, c1) = samples[i - 1], samples[i]
    return c0 + (c1 - c0) * (at - t0) / (t1 - t0) if t1 > t0 else c0


@dataclass(frozen=True, slots=True)
class Phase:
    """The chat over some windows of the run."""

    name: str
    answers: list[float]  # seconds
    net: list[float]  # seconds less the double's broadcast handling meanwhile
    timeouts: int
    cpu: float  # the bot's CPU seconds a second
    lag: float  # this process's event-loop lag p99, seconds

    @classmethod
    def of(
        cls, name: str, chat: ViberChat, monitor: Monitor, windows: list[tuple[float, float]]
    ) -> Phase:
        lags = [lag for at, lag in monitor.lags if any(b <= at <= e for b, e in windows)]
        # the monitor's first and last samples bound what is known of the bot's CPU
        first, last = (monitor.cpu[0][0], monitor.cpu[-1][0]) if monitor.cpu else (0.0, 0.0)
        spans = [(max(b, first), min(e, last)) for b, e in windows if min(e, last) > max(b, first)]
        seconds = sum(e - b for b, e in spans)
        used = sum(cpu_at(monitor, e) - cpu_at(monitor, b) for b, e in spans)
        answers = chat.within(windows)
        return cls(
            name, [s for s, _ in answers], [n for _, n in answers], chat.timeouts_within(windows),
            used / seconds if seconds else math.nan, percentile(lags, 99),
        )  # fmt: skip

    def p(self, q: float, net: bool = False) -> float:
        return percentile(self.net if net else self.answers, q)


@dataclass(slots=True)
class Round:
    """One announcement's sending, as the doubles saw it."""

    name: str
    size: int
    per_recipient: Counter[int]  # user id -> deliveries
    wrong: int  # deliveries with another round's or locale's text
    times: list[float]  # its deliveries, perf_counter()
    inserted: float  # when the run inserted it (NaN: before the bot started)
    started: float  # the bot's started_at (NaN: never)
    calls: list[int]  # receivers of each broadcast_message call
    too_many: tuple[int, int, int]  # status 12: broadcast calls, send_message calls, receivers
    count_429: int  # Telegram's, with --telegram

    def histogram(self, ids: range) -> tuple[int, int, int]:
        """Subscribers with no delivery, exactly one, two or more."""
        counts = [self.per_recipient.get(uid, 0) for uid in ids]
        return counts.count(0), counts.count(1), sum(c >= 2 for c in counts)

    @property
    def repeats(self) -> int:
        return sum(c - 1 for c in self.per_recipient.values() if c > 1)


def tally(
    name: str, number: int, ds: Doubles, audience: Audience, db: Path, inserted: float,
    since: Mark, until: Mark | None = None,
) -> Round:  # fmt: skip
    """Round `number`'s deliveries (told by their text); its calls and refusals are those
    between the marks `since` and `until` (None: till now)."""
    texts = round_of(number)
    mark = f"({number})"
    own = [d for d in ds.deliveries() if d[2].endswith(mark)]
    wrong = sum((audience.locale(uid), text) not in texts for uid, _, text in own)
    started = started_at(db, number)
    count_429 = (until or ds.mark()).count_429 - since.count_429
    return Round(
        name, audience.size, Counter(uid for uid, _, _ in own), wrong, [at for _, at, _ in own],
        inserted, started, ds.viber.broadcasts(since, until),
        ds.viber.too_many(since, until), count_429,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class RateOutcome:
    rounds: list[Round]
    quiet: Phase
    during: list[Phase]  # one a round
    pooled: Phase  # every round's
    set_up_failures: int
    refused: int  # webhook answers other than 200 to the chat
    peak_rss: float
    log: list[str]

    def ratio(self, q: float = 99, net: bool = False) -> float:
        """The pooled rounds' percentile over the quiet windows'."""
        quiet = self.quiet.p(q, net)
        return self.pooled.p(q, net) / quiet if quiet else math.nan

    def round_ratios(self, net: bool = False) -> list[float]:
        quiet = self.quiet.p(99, net)
        return [phase.p(99, net) / quiet if quiet else math.nan for phase in self.during]


async def rate_run(args: argparse.Namespace) -> RateOutcome:
    audience = Audience.of(args.subscribers, args.telegram)
    with tempfile.TemporaryDirectory(prefix="partnerbot-viber-broadcast-") as tmp:
        db = Path(tmp) / "bot.sqlite3"
        await seed(db, audience)
        async with doubles(audience, args) as ds, partnerbot(ds, db, args.rate) as bot:
            log_from = len(bot.process.log_lines())
            progress = Progress(ds, audience, round_of(args.rounds))
            chat, monitor = (
                ViberChat(ds.viber, args.chatters),
                Monitor(bot.process, cpu_every=CPU_EVERY),
            )
            await chat.set_up()
            chat.start()
            monitor.start()
            quiet: list[tuple[float, float]] = []
            begin = time.perf_counter() + WARMUP
            await asyncio.sleep(WARMUP + args.baseline)
            inserts: list[tuple[float, Mark]] = []
            for number in range(1, args.rounds + 1):
                bot.process.check_alive()
                inserted = time.perf_counter()
                quiet.append((begin, inserted))
                inserts.append((inserted, ds.mark()))
                await announce(db, *round_bodies(number))
                await progress.wait(number, 1.0, bot, wait_limit(audience, args.rate))
                begin = time.perf_counter() + LATE
                await asyncio.sleep(LATE + (args.gap if number < args.rounds else args.baseline))
            quiet.append((begin, time.perf_counter()))
            await chat.stop()
            await monitor.stop()
            log = bot.process.log_lines()[log_from:]
            bot.read_rss()
            end = ds.mark()
        marks = [m for _, m in inserts[1:]] + [end]
        rounds = [
            tally(f"rate #{n}", n, ds, audience, db, at, since, until)
            for n, ((at, since), until) in enumerate(zip(inserts, marks, strict=True), 1)
        ]
    windows = [(r.started if not math.isnan(r.started) else r.times[0] if r.times else math.inf,
                r.times[-1] if r.times else -math.inf) for r in rounds]  # fmt: skip
    during = [Phase.of(f"round {n}", chat, monitor, [w]) for n, w in enumerate(windows, 1)]
    return RateOutcome(
        rounds, Phase.of("quiet (pooled)", chat, monitor, quiet), during,
        Phase.of("during (pooled)", chat, monitor, windows), chat.set_up_failures, chat.refused,
        bot.peak_rss, log,
    )  # fmt: skip


@dataclass(slots=True)
class CrashOutcome:
    round: Round
    killed_at: float
    restarted: float  # when the second process was started
    at_kill: int  # deliveries recorded at the kill
    calls_at_kill: int
    in_flight: int  # delivered but still pending in the outbox at the kill
    in_flight_calls: int  # the broadcast calls (or Telegram messages) that took them
    outbox_at_kill: Counter[str]
    outbox_at_end: Counter[str]
    peak_rss: tuple[float, float]  # MiB: the killed process, the restarted one
    log: list[str]

    @property
    def after_restart(self) -> list[float]:
        return [at for at in self.round.times if at > self.restarted]


async def crash_run(args: argparse.Namespace) -> CrashOutcome:
    audience = Audience.of(args.subscribers, args.telegram)
    with tempfile.TemporaryDirectory(prefix="partnerbot-viber-broadcast-") as tmp:
        db = Path(tmp) / "bot.sqlite3"
        await seed(db, audience)
        await announce(db, *round_bodies(1))  # due before the bot starts: out at its first tick
        async with doubles(audience, args) as ds:
            since = ds.mark()
            progress = Progress(ds, audience, round_of(1))
            async with partnerbot(ds, db, args.rate) as bot:
                log_from = len(bot.process.log_lines())
                ds.viber.kill_at = (math.ceil(len(audience.viber) / 2), bot.kill)
                limit = time.perf_counter() + wait_limit(audience, args.rate)
                while not bot.killed:
                    bot.process.check_alive()
                    if time.perf_counter() > limit:
                        raise BotDied("half the subscribers never got the announcement")
                    await asyncio.sleep(POLL)
                await bot.process.process.wait()
                log = bot.process.log_lines()[log_from:]
            first = bot
            at_kill = len(ds.deliveries())
            calls_at_kill = len(ds.viber.broadcasts(since, None))
            pending = pending_ids(db)
            progress.update()
            in_flight_ids = progress.reached[1] & pending
            in_flight = len(in_flight_ids)
            calls = ds.viber.first_call
            in_flight_calls = len({calls[uid] for uid in in_flight_ids if uid in calls}) + sum(
                uid not in calls for uid in in_flight_ids
            )
            outbox_at_kill = outbox(db)
            restarted = time.perf_counter()
            async with partnerbot(ds, db, args.rate) as bot:
                log_from = len(bot.process.log_lines())
                await progress.wait(1, 1.0, bot, wait_limit(audience, args.rate))
                await asyncio.sleep(LATE)
                log += bot.process.log_lines()[log_from:]
            outcome = CrashOutcome(
                tally("crash", 1, ds, audience, db, math.nan, since), first.killed_at, restarted,
                at_kill, calls_at_kill, in_flight, in_flight_calls, outbox_at_kill, outbox(db),
                (first.peak_rss, bot.peak_rss), log,
            )  # fmt: skip
    return outcome


ROW = "{:<11} {:>6} {:>8} {:>7} {:>5} {:>5} {:>5} {:>9} {:>12} {:>7} {:>7} {:>7} {:>5}"
HEADER = ROW.format(
    "run", "subs", "exactly1", "missing", "2+", "wrong", "calls", "recv/call", "12s c/s/r",
    "pickup", "first", "all s", "429",
)  # fmt: skip


def seconds_text(value: float, digits: int = 1) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def row(r: Round, ids: range) -> str:
    missing, one, more = r.histogram(ids)
    calls = r.calls
    per_call = f"{max(calls)}/{statistics.median(calls):g}" if calls else "-"
    first = r.times[0] - r.started if r.times else math.nan
    last = r.times[-1] - r.started if r.times else math.nan
    return ROW.format(
        r.name, r.size, one, missing, more, r.wrong, len(calls), per_call,
        "/".join(str(n) for n in r.too_many), seconds_text(r.started - r.inserted),
        seconds_text(first, 2), seconds_text(last, 2), r.count_429,
    )  # fmt: skip


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else "PASS" if ok else "FAIL"


def report(args: argparse.Namespace, rated: RateOutcome, crash: CrashOutcome) -> None:
    ids = range(FIRST_RECIPIENT, FIRST_RECIPIENT + args.subscribers + args.telegram)
    print(HEADER)
    for r in [*rated.rounds, crash.round]:
        print(row(r, ids))
    print(
        "  recv/call: receivers a broadcast_message call, max/median; 12s c/s/r: status 12 "
        "answered to\n  whole broadcast calls / send_message calls / receivers in a failed_list; "
        "pickup: s from inserting it\n  to the bot's started_at; first, all s: from started_at "
        "to the first and to the last delivery"
    )
    print()
    print(
        f"{'chat':<16} {'answers':>7} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} {'net p99':>7} "
        f"{'timeouts':>8} {'bot CPU':>7} {'bench lag p99 ms':>16}"
    )
    for phase in (rated.quiet, *rated.during, rated.pooled):
        print(
            f"{phase.name:<16} {len(phase.answers):>7} {ms(phase.p(50)):>7} "
            f"{ms(phase.p(90)):>7} {ms(phase.p(99)):>7} {ms(phase.p(99, net=True)):>7} "
            f"{phase.timeouts:>8} {phase.cpu:>7.0%} {ms(phase.lag):>16}"
        )
    print(
        "  net: less the time this process spent meanwhile in the double's broadcast_message "
        "handlers\n  (recording 300 receivers blocks the loop that records the answers)"
    )
    ratios, nets = rated.round_ratios(), rated.round_ratios(net=True)
    print(
        f"chat during/quiet, pooled: p99 {rated.ratio():.2f}, p50 {rated.ratio(50):.2f}; net "
        f"p99 {rated.ratio(net=True):.2f}, p50 {rated.ratio(50, net=True):.2f}"
    )
    print(
        f"  rounds' p99 ratios {' '.join(f'{x:.2f}' for x in ratios)} (median "
        f"{statistics.median(ratios):.2f}); net {' '.join(f'{x:.2f}' for x in nets)} (median "
        f"{statistics.median(nets):.2f})"
    )
    print(
        f"  set-up failures {rated.set_up_failures}, webhook answers other than 200: "
        f"{rated.refused}; rate run: bot's peak RSS {rated.peak_rss:.0f} MiB, "
        f"{len(rated.log)} log lines"
    )
    for line in samples(rated.log):
        print(f"    log: {line}")
    c = crash
    after = c.after_restart
    print(
        f"crash run: killed after {c.at_kill} deliveries in {c.calls_at_kill} broadcast calls; "
        f"outbox at the kill {dict(c.outbox_at_kill)};\n  {c.in_flight} delivered but still "
        f"pending (will be sent again), from {c.in_flight_calls} calls; {c.round.repeats} "
        f"repeated"
    )
    first = after[0] - c.killed_at if after else math.nan
    last = after[-1] - c.killed_at if after else math.nan
    print(
        f"  first delivery after the restart {seconds_text(first)} s after the kill, the last "
        f"{seconds_text(last)} s; outbox at the end {dict(c.outbox_at_end)};\n  peak RSS "
        f"{c.peak_rss[0]:.0f} MiB (killed), {c.peak_rss[1]:.0f} MiB (restarted); "
        f"{len(c.log)} log lines"
    )
    for line in samples(c.log):
        print(f"    log: {line}")
    missing_r = sum(r.histogram(ids)[0] for r in rated.rounds)
    repeats_r = sum(r.repeats for r in rated.rounds)
    wrong = sum(r.wrong for r in [*rated.rounds, c.round])
    too_many = sum(sum(r.too_many) for r in [*rated.rounds, c.round])
    missing_c = c.round.histogram(ids)[0]
    # the rounds' median, not the pooled p99: a few seconds in which the shared machine
    # stalls this process make the pooled p99 of one run, and not the next
    median, net_median = statistics.median(ratios), statistics.median(nets)
    checks = (
        (f"exactly once: {missing_r} missing, {repeats_r} repeats, {wrong} wrong texts",
         not (missing_r or repeats_r or wrong), "all exactly 1"),
        (f"status 12: {too_many}", not too_many, "none"),
        (f"across kill -9: {missing_c} missing, {c.round.repeats} repeats",
         not missing_c and c.round.repeats <= c.in_flight,
         f"none missing, <= {c.in_flight} (in flight)"),
        (f"chat p99 during/quiet, rounds' median {median:.2f} (net {net_median:.2f})",
         None if math.isnan(median) else median <= P99_TARGET, f"<= {P99_TARGET}"),
    )  # fmt: skip
    print()
    for text, ok, target in checks:
        print(f"{text:<56} target {target:<28} {verdict(ok)}")
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


async def main_async(args: argparse.Namespace) -> tuple[RateOutcome, CrashOutcome]:
    rated = await rate_run(args)
    print(f"rate run done ({len(rated.rounds)} broadcasts)", flush=True)
    crash = await crash_run(args)
    print("crash run done", flush=True)
    print()
    return rated, crash


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.viber_broadcast", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--subscribers", type=int, default=10_000, help="on Viber (10000)")
    parser.add_argument("--telegram", type=int, default=0, help="on Telegram, among them (0)")
    parser.add_argument(
        "--rate", type=float, default=100.0, help="PARTNERBOT_BROADCAST_RATE, a second (100)"
    )
    parser.add_argument(
        "--limit", type=int, default=VIBER_LIMIT,
        help=f"the double's limit: sending calls in {LIMIT_SECONDS:g} s ({VIBER_LIMIT})",
    )  # fmt: skip
    parser.add_argument(
        "--latency", type=float, default=0.0,
        help="seconds the double takes to answer a sending call, as Viber's servers do (0)",
    )  # fmt: skip
    parser.add_argument("--chatters", type=int, default=30, help="Viber people chatting (30)")
    parser.add_argument(
        "--baseline", type=float, default=20.0, help="seconds of chat before and after (20)"
    )
    parser.add_argument("--rounds", type=int, default=8, help="broadcasts in the rate run (8)")
    parser.add_argument("--gap", type=float, default=5.0, help="seconds between them (5)")
    args = parser.parse_args(argv)
    if not 10 <= args.subscribers <= 100_000 or not 0 <= args.telegram <= 100_000:
        parser.error("--subscribers 10..100000, --telegram 0..100000")
    if not 1 <= args.rate <= 1000 / SEND_HEADROOM:
        parser.error(f"--rate 1..{1000 / SEND_HEADROOM:g}")
    if not 1 <= args.chatters <= 100 or not 5 <= args.baseline <= 300:
        parser.error("--chatters 1..100, --baseline 5..300")
    if not 1 <= args.limit <= 100_000 or not 0 <= args.latency <= 5:
        parser.error("--limit 1..100000, --latency 0..5")
    if not 1 <= args.rounds <= 20 or not 0 <= args.gap <= 300:
        parser.error("--rounds 1..20, --gap 0..300")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    calls, seconds = args.limit, LIMIT_SECONDS
    mixed = f" and {args.telegram} on Telegram (R = {args.rate:g}/s)" if args.telegram else ""
    print(
        f"viber broadcast: {args.subscribers} subscribers on Viber{mixed} (sr-Cyrl, sr-Latn, "
        f"en); the double's limit {calls} sending calls in {seconds:g} s; {args.chatters} people "
        f"chatting; {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    given = sys.argv[1:] if argv is None else argv
    print(f"command: uv run --frozen python -m benchmarks.viber_broadcast {' '.join(given)}")
    try:
        rated, crash = asyncio.run(main_async(args))
    except BotDied as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report(args, rated, crash)
    return 0


if __name__ == "__main__":
    sys.exit(main())
