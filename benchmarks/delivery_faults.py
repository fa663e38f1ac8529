"""Every reply arrives once and in order when the Bot API misbehaves.

design.md, "Qualities": every reply arrives once and in order under 429s, 5xx and slow
answers. partnerbot sends through one outbound path that paces itself and retries what Telegram
refuses for a while; this measures it from the outside. The bot runs as its own process, as
in production (`python -m bot run`, fresh SQLite file, its default pacing), against the
loopback Bot API double, which injects one kind of fault per scenario:

    none                  no faults: must give the baseline again (the benchmark's own check)
    fault_rate 0.2        a fifth of the chat-sending calls answered 500/502, not delivered
    per-chat 1/s burst 3  each chat's token bucket: 429 with retry_after beyond it
    global 30/s           one token bucket for all chats: 429 with retry_after beyond it
    latency 2 s           each send answered 2 s after it took effect

Each of --people (10) people, concurrently, sends --messages (20) messages from a
deterministic script in their locale (sr-Cyrl, sr-Latn, en by person): /start, the language
button, /help, /menu, /register immediately followed by /help (back to back: the reply to the
second must not overtake the two of the first), /cancel, FAQ questions in both scripts and
English, the menu button. Messages go in groups of one or two sent back to back; after each
group the person waits for as many replies as the baseline had for it and goes on. The wait
gives up after --timeout (60 s), or sooner when the bot made no Bot API call for any chat in
--idle (20) seconds, longer than its backoff after four failures in a row: it has given up on
what is missing. Replies that come later still count.

The baseline is a run without faults in which each person waits, after each group, until no new
message came for --settle seconds: it gives each person's exact reply sequence. Each scenario
(fresh double, database and bot process) is then held against it, person by person:

    owed        replies of the baseline
    delivered   owed replies that arrived (each text counted up to its baseline count)
    missing     owed - delivered
    dup         extra copies of a baseline text, beyond its baseline count
    order       delivered replies out of the baseline's order (delivered - longest common
                subsequence of received and baseline: the fewest that would have to move)
    other       replies whose text the baseline does not have at all
    429, 5xx    faults the double injected (count_429, count_5xx)
    log         lines the bot wrote to stderr during the scenario (start-up lines not counted)
    log/fault   log lines per injected fault (per 1 when there were none)
    gave up     waits for a group's replies that gave up (see above)

PASS: delivered = owed, no dup, no order, no other, log/fault <= 1.

    uv run --frozen python -m benchmarks.delivery_faults [--people 10] [--messages 20]

Everything stays on 127.0.0.1, each scenario ends by itself and no bot process outlives it. It is
a measurement, not a test: the exit status is 0 even when a scenario fails (2 for bad
arguments, 1 when the bot process died: the other scenarios still run and are reported).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from benchmarks.processes import BotDied, BotProcess, partnerbot_process
from tests.telegram_double import BotApiDouble

FIRST_USER = 200_000  # user (and private chat) ids FIRST_USER, FIRST_USER + 1, …
SEED = 7  # the double's fault_rate draws: the same faults in every run
POLL = 0.05  # seconds between looks at a chat while waiting
QUIET = 1.0  # seconds without any chat-sending call that end a scenario
QUIET_MAX = 30.0  # … or at most this long after the last person is done
# (Telegram app language, the locale the person then picks on the /start screen)
LANGUAGES = (("sr", "sr-Cyrl"), ("hr", "sr-Latn"), ("en", "en"))
PRESS = "press:"  # a step that presses the inline button with this callback data


def _fault_rate(double: BotApiDouble) -> None:
    double.fault_rate = 0.2


def _per_chat(double: BotApiDouble) -> None:
    double.per_chat_rate, double.per_chat_burst = 1.0, 3


def _global(double: BotApiDouble) -> None:
    double.global_rate = 30.0


def _latency(double: BotApiDouble) -> None:
    double.latency = 2.0


SCENARIOS: dict[str, Callable[[BotApiDouble], None]] = {
    "none": lambda double: None,
    "fault_rate 0.2": _fault_rate,
    "per-chat 1/s burst 3": _per_chat,
    "global 30/s": _global,
    "latency 2 s": _latency,
}

# What every person does after /start and the language button, over and over: groups of
# messages sent back to back. Each reply is stable (no dates, no ids in the text): checked on
# the baseline of a run. /register is followed by /cancel, so the FAQ questions after it are not
# taken for the form's answers.
CYCLE: tuple[tuple[str, ...], ...] = (
    ("/register", "/help"),  # two messages, then the help: the ordering case
    ("/cancel",),
    ("Kada je sledeća radionica?",),
    ("/help",),
    ("How do I join the partnership programme?", PRESS + "menu"),
    ("Који је рок за пријаву?",),
    ("/menu",),
    ("/cancel",),  # nothing to cancel now
)


def script(person: int, messages: int) -> list[tuple[str, ...]]:
    """Person's groups: /start, the language button, then CYCLE, `messages` messages in all."""
    locale = LANGUAGES[person % len(LANGUAGES)][1]
    groups: list[tuple[str, ...]] = [("/start",), (f"{PRESS}lang:{locale}",)]
    left, i = messages - 2, 0
    while left > 0:
        group = CYCLE[i % len(CYCLE)][:left]
        groups.append(group)
        left, i = left - len(group), i + 1
    return groups


@dataclass(slots=True)
class Person:
    uid: int
    language_code: str
    groups: list[tuple[str, ...]]

    def send(self, double: BotApiDouble, group: tuple[str, ...]) -> None:
        for message in group:
            if message.startswith(PRESS):
                double.user_press(
                    self.uid, message.removeprefix(PRESS), language_code=self.language_code
                )
            else:
                double.user_text(self.uid, message, language_code=self.language_code)


def people(count: int, messages: int) -> list[Person]:
    return [
        Person(FIRST_USER + i, LANGUAGES[i % len(LANGUAGES)][0], script(i, messages))
        for i in range(count)
    ]


def received(double: BotApiDouble, uid: int) -> list[str]:
    """What the person saw, in order: texts of messages, and of edits marked as such."""
    return [("(edit) " if m.edited else "") + m.text for m in double.sent(uid)]


class Activity:
    """When the bot last made a Bot API call for a chat (a send, an edit, failed or not)."""

    def __init__(self, double: BotApiDouble, bot: BotProcess) -> None:
        self._double, self._bot = double, bot
        self._cursor = 0
        self._last = time.monotonic()

    def quiet_since(self) -> float:
        """The monotonic time of the last call for a chat (or of the start); BotDied if the bot
        is gone (nobody waits for a dead bot's replies)."""
        self._bot.check_alive()
        calls = self._double.calls
        for call in calls[self._cursor :]:
            if isinstance(call.params.get("chat_id"), int):
                self._last = max(self._last, call.at)
        self._cursor = len(calls)
        return self._last


@dataclass(frozen=True, slots=True)
class Limits:
    timeout: float  # seconds a person waits for a group's replies at most
    idle: float  # … or until the bot made no call for any chat in this long
    settle: float  # baseline: seconds without a new message that end a group's replies


async def learn(double: BotApiDouble, bot: BotProcess, person: Person, limits: Limits) -> list[int]:
    """Baseline: each group's reply count, waiting until the replies stop coming."""
    counts = []
    for group in person.groups:
        before = len(double.sent(person.uid))
        person.send(double, group)
        deadline = time.monotonic() + limits.timeout
        seen, last_change = before, time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL)
            bot.check_alive()
            if (now := len(double.sent(person.uid))) != seen:
                seen, last_change = now, time.monotonic()
            elif seen > before and time.monotonic() - last_change >= limits.settle:
                break
        counts.append(len(double.sent(person.uid)) - before)
    return counts


async def wait_for(
    done: Callable[[], bool], activity: Activity, limits: Limits, since: float
) -> bool:
    """Until done(), or `limits.timeout` after `since`, or the bot made no call for any chat in
    `limits.idle` seconds (then it has given up on what is missing, or never will send it).
    False when the wait gave up."""
    while not done():
        now = time.monotonic()
        if now - since > limits.timeout or now - max(since, activity.quiet_since()) > limits.idle:
            return False
        await asyncio.sleep(POLL)
    return True


async def follow(
    double: BotApiDouble, activity: Activity, person: Person, counts: list[int], limits: Limits
) -> int:
    """Send the groups, each after the previous one's baseline count of replies arrived (or
    the wait gave up); returns the number of groups whose wait gave up."""
    gave_up = 0
    for group, count in zip(person.groups, counts, strict=True):
        target = len(double.sent(person.uid)) + count

        def arrived(target: int = target) -> bool:
            return len(double.sent(person.uid)) >= target

        person.send(double, group)
        gave_up += not await wait_for(arrived, activity, limits, time.monotonic())
    return gave_up


async def drain(done: Callable[[], bool], activity: Activity, limits: Limits) -> None:
    """The end of a scenario: until every owed reply is there (or the wait gives up), then until
    no call for a chat in QUIET seconds, so that late copies land too."""
    await wait_for(done, activity, limits, time.monotonic())
    deadline = time.monotonic() + QUIET_MAX
    while time.monotonic() < deadline:
        if time.monotonic() - activity.quiet_since() >= QUIET:
            return
        await asyncio.sleep(POLL)


def lcs(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence."""
    row = [0] * (len(b) + 1)
    for x in a:
        prev_diag = 0
        for j, y in enumerate(b, 1):
            prev_diag, row[j] = row[j], prev_diag + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


@dataclass(slots=True)
class Tally:
    owed: int = 0
    delivered: int = 0
    duplicates: int = 0
    order: int = 0
    other: int = 0
    first_difference: str | None = None

    @property
    def missing(self) -> int:
        return self.owed - self.delivered

    def add(self, uid: int, got: list[str], owed: list[str]) -> None:
        want, have = Counter(owed), Counter(got)
        delivered = sum(min(have[text], n) for text, n in want.items())
        self.owed += len(owed)
        self.delivered += delivered
        self.duplicates += sum(n - want[text] for text, n in have.items() if n > want[text] > 0)
        self.other += sum(n for text, n in have.items() if text not in want)
        self.order += delivered - lcs(got, owed)
        if got != owed and self.first_difference is None:
            at = next(
                (i for i, (g, o) in enumerate(zip(got, owed, strict=False)) if g != o),
                min(len(got), len(owed)),
            )
            self.first_difference = (
                f"person {uid}, reply #{at + 1}: owed {_short(owed, at)}, got {_short(got, at)}"
            )


def _short(texts: list[str], at: int) -> str:
    if at >= len(texts):
        return "nothing"
    text = texts[at].replace("\n", " ")
    return repr(text[:50] + ("…" if len(text) > 50 else ""))


@dataclass(slots=True)
class Outcome:
    name: str
    tally: Tally
    count_429: int
    count_5xx: int
    log: list[str]
    wall: float
    gave_up: int  # groups whose wait gave up (baseline: people whose counts miss replies)
    sequences: dict[int, list[str]] = field(default_factory=dict)  # by person
    counts: dict[int, list[int]] = field(default_factory=dict)  # baseline: replies by group

    @property
    def log_per_fault(self) -> float:
        return len(self.log) / max(1, self.count_429 + self.count_5xx)

    @property
    def passed(self) -> bool:
        t = self.tally
        return (
            t.delivered == t.owed
            and not (t.duplicates or t.order or t.other)
            and self.log_per_fault <= 1
        )


async def run(
    name: str,
    setup: Callable[[BotApiDouble], None],
    crowd: list[Person],
    limits: Limits,
    baseline: dict[int, tuple[list[int], list[str]]] | None,
) -> Outcome:
    """One scenario on a fresh double, database and bot process; without a baseline, learn one."""
    async with BotApiDouble(seed=SEED) as double:
        setup(double)
        async with partnerbot_process(double) as bot:
            started, log_from = time.perf_counter(), len(bot.log_lines())
            activity = Activity(double, bot)
            learned: dict[int, list[int]] = {}
            if baseline is None:
                counts = await asyncio.gather(*(learn(double, bot, p, limits) for p in crowd))
                learned = {p.uid: c for p, c in zip(crowd, counts, strict=True)}
                await drain(lambda: True, activity, limits)
            else:
                waits = (follow(double, activity, p, baseline[p.uid][0], limits) for p in crowd)
                gave_up = sum(await asyncio.gather(*waits))
                owed = {uid: len(sequence) for uid, (_, sequence) in baseline.items()}
                await drain(
                    lambda: all(len(double.sent(uid)) >= n for uid, n in owed.items()),
                    activity,
                    limits,
                )
            wall = time.perf_counter() - started
            bot.check_alive()
            log = bot.log_lines()[log_from:]
        sequences = {p.uid: received(double, p.uid) for p in crowd}
        tally = Tally()
        if baseline is None:
            tally.owed = tally.delivered = sum(map(len, sequences.values()))
            gave_up = sum(sum(learned[uid]) != len(seq) for uid, seq in sequences.items())
        else:
            for uid, got in sequences.items():
                tally.add(uid, got, baseline[uid][1])
        return Outcome(
            name, tally, double.count_429, double.count_5xx, log, wall, gave_up, sequences, learned
        )


_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ")


def samples(log: list[str], limit: int = 3) -> list[str]:
    """The most frequent log lines, timestamps cut, with their counts."""
    common = Counter(_TIMESTAMP.sub("", line) for line in log).most_common(limit)
    return [f"{n:>4}× {line[:140]}" for line, n in common]


HEADER = (
    f"{'scenario':<21} {'owed':>5} {'deliv':>5} {'miss':>5} {'dup':>4} {'order':>5} {'other':>5} "
    f"{'429':>5} {'5xx':>5} {'log':>5} {'log/fault':>9} {'wall s':>7} {'gave up':>7}  result"
)


def row(o: Outcome) -> str:
    t = o.tally
    return (
        f"{o.name:<21} {t.owed:>5} {t.delivered:>5} {t.missing:>5} {t.duplicates:>4} "
        f"{t.order:>5} {t.other:>5} {o.count_429:>5} {o.count_5xx:>5} {len(o.log):>5} "
        f"{o.log_per_fault:>9.2f} {o.wall:>7.1f} {o.gave_up:>7}  {'PASS' if o.passed else 'FAIL'}"
    )


async def main_async(args: argparse.Namespace) -> tuple[list[Outcome], dict[str, str]]:
    """The outcomes, and what killed the bot in the scenarios where it died."""
    crowd = people(args.people, args.messages)
    limits = Limits(args.timeout, args.idle, args.settle)
    learned = await run("baseline (learning)", SCENARIOS["none"], crowd, limits, None)
    baseline = {p.uid: (learned.counts[p.uid], learned.sequences[p.uid]) for p in crowd}
    owed = sum(len(seq) for _, seq in baseline.values())
    print(
        f"baseline: {owed} replies owed, learned in {learned.wall:.1f} s "
        f"({len(learned.log)} log lines)"
    )
    if learned.gave_up:
        print(f"note: {learned.gave_up} people's group counts do not add up to their replies")
    print()
    print(HEADER)
    outcomes, died = [], {}
    for name in args.scenario or SCENARIOS:
        try:
            outcome = await run(name, SCENARIOS[name], crowd, limits, baseline)
        except BotDied as exc:
            died[name] = str(exc)
            print(f"{name:<21} the bot process died  FAIL", flush=True)
            continue
        outcomes.append(outcome)
        print(row(outcome), flush=True)
    return outcomes, died


def report(outcomes: list[Outcome], died: dict[str, str]) -> None:
    lines = [f"{name}: {note}" for name, note in died.items()]
    for o in outcomes:
        notes = []
        if o.tally.first_difference:
            notes.append(f"first difference: {o.tally.first_difference}")
        notes += [f"log: {line}" for line in samples(o.log)]
        if notes:
            lines += [f"{o.name}:", *(f"    {note}" for note in notes)]
    if lines:
        print("\n" + "\n".join(lines))
    passed = sum(o.passed for o in outcomes)
    print(f"\n{passed} of {len(outcomes) + len(died)} scenarios PASS")
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.delivery_faults", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--people", type=int, default=10, help="concurrent people (10)")
    parser.add_argument("--messages", type=int, default=20, help="messages each person sends (20)")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=list(SCENARIOS),
        help="run only this scenario (repeatable; default: all)",
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds to wait for a group's replies (60)"
    )
    parser.add_argument(
        "--idle", type=float, default=20.0, help="… or until no call for any chat this long (20)"
    )
    parser.add_argument(
        "--settle", type=float, default=1.5, help="baseline: quiet seconds ending a group (1.5)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.people <= 200 or not 2 <= args.messages <= 500:
        parser.error("--people 1..200, --messages 2..500")
    if not 1 <= args.timeout <= 600 or not 1 <= args.idle <= 600 or not 0.2 <= args.settle <= 30:
        parser.error("--timeout and --idle 1..600, --settle 0.2..30")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    print(
        f"delivery under faults: {args.people} people × {args.messages} messages, "
        f"partnerbot as its own process with its default pacing, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}"
    )
    try:
        outcomes, died = asyncio.run(main_async(args))
    except BotDied as exc:  # while learning the baseline: nothing to hold the scenarios against
        print(f"error: {exc}", file=sys.stderr)
        return 1
    report(outcomes, died)
    return 1 if died else 0


if __name__ == "__main__":
    sys.exit(main())
