"""A bot under measurement as its own OS process, as in production, polling a BotApiDouble.

Shared by the benchmarks that start `python -m bot run` (or the echo bot) against the loopback
Bot API double: start with a clean environment, wait until the bot polls, read its CPU time,
peak memory and log lines from /proc and its captured stderr, and stop it with SIGTERM (kill
after a grace period). A process started here never outlives the `async with`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.telegram_double import BotApiDouble

PARTNERBOT = ("-m", "bot", "run")
ECHO_BOT = ("-m", "benchmarks.echo_bot")
START_TIMEOUT = 60.0  # seconds a bot may take to import, open its database and start polling
STOP_GRACE = 20.0  # seconds between SIGTERM and SIGKILL
READY_LINE_WAIT = 5.0  # seconds to wait for the ready log line once the bot polls
# The bot's settings come from these and nothing else: a developer's shell must not change a run.
_OWN_PREFIXES = ("TELEGRAM_", "PARTNERBOT_", "VIBER_")
_TICKS = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parents[1]  # `-m benchmarks.echo_bot` is found from here


class BotDied(RuntimeError):
    """The bot process exited before it was ready, or during a run."""


@dataclass(slots=True)
class BotProcess:
    name: str
    process: asyncio.subprocess.Process
    stderr_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far (all its threads), from /proc."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()  # the name in (…) may hold spaces
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime: fields 14 and 15

    def peak_rss_mib(self) -> float:
        """VmHWM: the process's peak resident memory so far."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def log_lines(self) -> list[str]:
        """Everything the process wrote to stderr so far, by line."""
        return self.stderr_path.read_text(errors="replace").splitlines()

    def check_alive(self) -> None:
        if self.process.returncode is not None:
            raise BotDied(self.death_note())

    def death_note(self) -> str:
        tail = "\n".join(f"    {line}" for line in self.log_lines()[-20:])
        return f"{self.name} (pid {self.pid}) exited with {self.process.returncode}:\n{tail}"


def bot_env(double: BotApiDouble, **settings: str) -> dict[str, str]:
    """This process's environment without any bot setting, plus the double's token and URL and
    `settings` (e.g. PARTNERBOT_DB=…)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_PREFIXES)}
    env |= {"TELEGRAM_BOT_TOKEN": double.token, "TELEGRAM_API_URL": double.base_url}
    return env | settings


async def _wait_until_polling(
    bot: BotProcess, double: BotApiDouble, since: float, ready_line: str | None
) -> None:
    """Until the double has a getUpdates call made after `since` (and, when given, stderr shows
    `ready_line`, so the bot's start-up lines are not counted as the run's)."""
    deadline = time.monotonic() + START_TIMEOUT
    cursor = 0
    while True:
        bot.check_alive()
        calls = double.calls
        polled = any(c.method == "getUpdates" and c.at >= since for c in calls[cursor:])
        cursor = len(calls)
        if polled:
            break
        if time.monotonic() > deadline:
            raise BotDied(f"{bot.name} did not poll within {START_TIMEOUT:g} s")
        await asyncio.sleep(0.05)
    if ready_line is None:
        return
    deadline = time.monotonic() + READY_LINE_WAIT
    while not any(ready_line in line for line in bot.log_lines()):
        bot.check_alive()
        if time.monotonic() > deadline:
            print(f"note: {bot.name} polls but never logged {ready_line!r}", file=sys.stderr)
            return
        await asyncio.sleep(0.05)


async def _stop(bot: BotProcess) -> None:
    """SIGTERM, then SIGKILL after STOP_GRACE; a bot that exits badly on SIGTERM is noted (one
    that died before is the caller's BotDied)."""
    process = bot.process
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), STOP_GRACE)
    except TimeoutError:
        print(f"note: {bot.name} ignored SIGTERM for {STOP_GRACE:g} s: killed", file=sys.stderr)
        process.kill()
        await process.wait()
        return
    if process.returncode not in (0, -signal.SIGTERM):
        print(f"note: on SIGTERM, {bot.death_note()}", file=sys.stderr)


@asynccontextmanager
async def bot_process(
    name: str,
    double: BotApiDouble,
    args: Sequence[str],
    env: Mapping[str, str],
    ready_line: str | None = None,
) -> AsyncIterator[BotProcess]:
    """`python <args>` with `env`, stdin from /dev/null and stderr into a temporary file; yields
    once the bot polls the double. SIGTERM (then SIGKILL) on the way out, whatever happens;
    BotDied if the bot exited by itself before that."""
    with tempfile.TemporaryDirectory(prefix="partnerbot-bench-") as tmp:
        stderr_path = Path(tmp) / "stderr.log"
        with stderr_path.open("wb") as stderr:
            since = time.monotonic()
            process = await asyncio.create_subprocess_exec(
                sys.executable, *args, env=dict(env), cwd=ROOT, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
            )  # fmt: skip
        bot = BotProcess(name, process, stderr_path)
        try:
            await _wait_until_polling(bot, double, since, ready_line)
            yield bot
            bot.check_alive()
        finally:
            await _stop(bot)


@asynccontextmanager
async def partnerbot_process(double: BotApiDouble, **settings: str) -> AsyncIterator[BotProcess]:
    """`python -m bot run` on a fresh SQLite file, no coordinators, plus `settings`."""
    with tempfile.TemporaryDirectory(prefix="partnerbot-db-") as tmp:
        env = bot_env(
            double,
            PARTNERBOT_DB=str(Path(tmp) / "bot.sqlite3"),
            PARTNERBOT_COORDINATORS="",
            **settings,
        )
        async with bot_process(
            "partnerbot", double, PARTNERBOT, env, ready_line="partnerbot is running"
        ) as bot:
            yield bot


@asynccontextmanager
async def echo_bot_process(double: BotApiDouble) -> AsyncIterator[BotProcess]:
    """benchmarks/echo_bot.py, the minimal python-telegram-bot echo bot."""
    async with bot_process("echo", double, ECHO_BOT, bot_env(double)) as bot:
        yield bot
