"""How fast the web console's pages answer with 10,000 people and 1,000 registrations.

    uv run --frozen python -m benchmarks.console_pages [--people 10000] [--registrations 1000]
                                                      [-n 50] [--json]

The bot runs as its own process, as in production (`python -m bot run`, what `partnerbot run`
starts), against the loopback Telegram Bot API double, with its console on a free loopback
port (PARTNERBOT_WEB_LISTEN). Its SQLite file is written before it starts (tests/web/seed.py):
--people users (Telegram and Viber, three locales and none, first seen over 26 weeks),
--registrations registrations across every district, area and stage, --questions questions
handed over to the coordinators (--open of them still waiting), --asked rows of what people
asked the FAQ, workshops, and announcements whose delivery reports cover every subscriber.

The benchmark signs in as the coordinator (/web sent through the double, the link read from
what the bot sent back, then GET and POST of the link with this process's HTTP client, which
keeps the cookie), then asks for each page in turn: 5 warm-up rounds, then -n rounds, one
request at a time, each page once per round (so that a busy moment of the machine falls on
every page alike). A page that answers 404 is not written yet: it is left out and named.
The baseline is /static/console.css from the same server in the same rounds: what any answer
costs (HTTP, aiohttp, the loopback) before a page does any work. Reported per page: median and
p95 in ms, the median over the baseline's, the size, and the median against the 100 ms target.

It is a measurement, not a test (not in the suite): the exit status is 0 even when a page
misses the target (2 for bad arguments, 1 when the bot process died). About a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp

from benchmarks.processes import PARTNERBOT, BotDied, bot_env, bot_process
from benchmarks.reply_throughput import percentile
from tests.telegram_double import BotApiDouble
from tests.web.desk import link_in_chat
from tests.web.seed import Sizes, seed

PAGES = (
    "/", "/registrations", "/registrations?q=beograd", "/registrations?p=5", "/inbox",
    "/workshops", "/announcements", "/asked", "/announcements/new",
)  # fmt: skip
BASELINE = "/static/console.css"
TARGET_MS = 100.0
WARMUP = 5
COORDINATOR = 900  # a Telegram chat id, as PARTNERBOT_COORDINATORS names it
READY_TIMEOUT = 30.0


@dataclass(frozen=True)
class Timing:
    path: str
    median_ms: float
    p95_ms: float
    ratio: float  # median over the baseline's median
    kib: float
    within_target: bool


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _until_serving(client: aiohttp.ClientSession, base: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        try:
            async with client.get(base + BASELINE) as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        if time.monotonic() > deadline:
            raise BotDied(f"the console did not answer on {base} within {READY_TIMEOUT:g} s")
        await asyncio.sleep(0.1)


async def sign_in(api: BotApiDouble, client: aiohttp.ClientSession) -> None:
    """As a coordinator does: /web in the chat, then the link in the browser."""
    api.user_text(COORDINATOR, "/web", first_name="Vesna", language_code="en")
    link = await link_in_chat(api, COORDINATOR, timeout=20)
    async with client.get(link) as resp:
        assert resp.status == 200, f"sign-in page: HTTP {resp.status}"
    async with client.post(link) as resp:  # 303 to the overview, followed
        assert resp.status == 200 and resp.url.path == "/", f"sign-in: HTTP {resp.status}"


async def _get(client: aiohttp.ClientSession, url: str) -> tuple[int, float, int]:
    started = time.perf_counter()
    async with client.get(url, allow_redirects=False) as resp:
        body = await resp.read()
    return resp.status, time.perf_counter() - started, len(body)


async def measure(
    client: aiohttp.ClientSession, base: str, rounds: int
) -> tuple[dict[str, list[float]], dict[str, int], dict[str, int]]:
    """Seconds per answer of each path (after the warm-up), its size, and the paths left out
    with their HTTP status."""
    paths = [BASELINE, *PAGES]
    left_out: dict[str, int] = {}
    for path in list(paths):
        status, _, _ = await _get(client, base + path)
        if status != 200:
            left_out[path] = status
            paths.remove(path)
    samples: dict[str, list[float]] = {p: [] for p in paths}
    sizes: dict[str, int] = {}
    for n in range(WARMUP + rounds):
        for path in paths:
            status, took, size = await _get(client, base + path)
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status} in round {n + 1}")
            if n >= WARMUP:
                samples[path].append(took)
                sizes[path] = size
    return samples, sizes, left_out


def timings(samples: dict[str, list[float]], sizes: dict[str, int]) -> list[Timing]:
    floor = statistics.median(samples[BASELINE])
    result = []
    for path, values in samples.items():
        median = statistics.median(values)
        result.append(Timing(
            path, round(median * 1000, 2), round(percentile(values, 95) * 1000, 2),
            round(median / floor, 2), round(sizes[path] / 1024, 1), median * 1000 < TARGET_MS,
        ))  # fmt: skip
    return result


def table(rows: list[Timing], left_out: dict[str, int]) -> str:
    lines = [f"{'page':<28} {'median ms':>9} {'p95 ms':>8} {'× floor':>8} {'KiB':>6}  100 ms"]
    for r in rows:
        name = f"{r.path} (floor)" if r.path == BASELINE else r.path
        verdict = "—" if r.path == BASELINE else ("ok" if r.within_target else "MISSED")
        lines.append(f"{name:<28} {r.median_ms:>9.1f} {r.p95_ms:>8.1f} {r.ratio:>8.1f} "
                     f"{r.kib:>6.1f}  {verdict}")  # fmt: skip
    for path, status in left_out.items():
        lines.append(f"{path:<28} not measured: HTTP {status}"
                     f"{' (not written yet)' if status == 404 else ''}")  # fmt: skip
    return "\n".join(lines)


@dataclass(frozen=True)
class Report:
    sizes: Sizes
    rounds: int
    seeded_s: float
    pages: list[Timing]
    left_out: dict[str, int]  # path: HTTP status

    def as_json(self) -> str:
        return json.dumps({**asdict(self), "warmup": WARMUP, "target_ms": TARGET_MS}, indent=2)

    def __str__(self) -> str:
        s = self.sizes
        heading = (f"{s.people:,} people, {s.registrations:,} registrations, {s.questions} "
                   f"questions ({s.open_questions} open), {s.asked} asked; {self.rounds} "
                   f"requests per page after {WARMUP} warm-ups")  # fmt: skip
        return f"{heading}\n{table(self.pages, self.left_out)}"


async def run(args: argparse.Namespace) -> Report:
    sizes = Sizes(
        people=args.people, registrations=args.registrations, questions=args.questions,
        open_questions=args.open, asked=args.asked, workshops=6, announcements=5,
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="partnerbot-console-") as tmp:
        db = Path(tmp) / "bot.sqlite3"
        started = time.monotonic()
        await seed(db, sizes)
        seeded = time.monotonic() - started
        port = free_port()
        async with BotApiDouble() as api:
            env = bot_env(
                api, PARTNERBOT_DB=str(db), PARTNERBOT_COORDINATORS=str(COORDINATOR),
                PARTNERBOT_WEB_LISTEN=f"127.0.0.1:{port}",
            )  # fmt: skip
            async with (
                bot_process("partnerbot", api, PARTNERBOT, env, "partnerbot is running") as bot,
                # cookies for 127.0.0.1: aiohttp keeps them for IP addresses only when told to
                aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client,
            ):
                base = f"http://127.0.0.1:{port}"
                await _until_serving(client, base)
                await sign_in(api, client)
                samples, lengths, left_out = await measure(client, base, args.n)
                bot.check_alive()
    return Report(sizes, args.n, round(seeded, 1), timings(samples, lengths), left_out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--registrations", type=int, default=1_000)
    parser.add_argument("--questions", type=int, default=300, help="handed-over questions")
    parser.add_argument("--open", type=int, default=60, help="of them still waiting")
    parser.add_argument("--asked", type=int, default=400, help="rows of what people asked")
    parser.add_argument("-n", type=int, default=50, help="measured requests per page")
    parser.add_argument("--json", action="store_true", help="the results as JSON")
    args = parser.parse_args(argv)
    if min(args.people, args.registrations, args.n) < 1 or not 0 <= args.open <= args.questions:
        parser.error("sizes must be positive, and --open at most --questions")
    try:
        report = asyncio.run(run(args))
    except BotDied as exc:
        print(f"the bot process died: {exc}", file=sys.stderr)
        return 1
    print(report.as_json() if args.json else report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
