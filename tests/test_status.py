"""/status for coordinators and `partnerbot status` on the command line."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from bot.logs import RECENT
from tests.chat import Person
from tests.e2e.test_process import start_bot
from tests.telegram_double import BotApiDouble


async def test_status_says_what_runs_what_waits_and_what_went_wrong(
    person: Callable[..., Person],
) -> None:
    boss = person("99", hint="en")
    await boss.choose_language("English")
    root = logging.getLogger()
    root.addHandler(RECENT)
    try:
        logging.getLogger("bot.test").warning("Telegram: getting updates failed (NetworkError)")
        await boss.say("/status")
    finally:
        root.removeHandler(RECENT)
    text = boss.text
    assert text.startswith("partnerbot 0.") and "running for 0 d 0 h" in text
    assert "Waiting: 0 messages to send, 0 notices, 0 announcements being sent" in text
    assert text.splitlines()[-1].endswith("WARNING Telegram: getting updates failed (NetworkError)")
    ana = person("1", hint="en")
    await ana.say("/status")
    assert "coordinators only" in ana.text


async def _cli_status(db: Path, *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *(args or ("status",)),
        env={**os.environ, "PARTNERBOT_DB": str(db)}, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def test_the_command_line_reads_the_running_bots_status(
    tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    db = tmp_path / "bot.sqlite3"
    code, out = await _cli_status(db)
    assert code == 2 and "there is no database" in out
    async with BotApiDouble() as api:
        process = await start_bot(api, db, processes)
        api.user_text(5, "/help", language_code="en")
        await api.wait_for_sent(5, 1, timeout=20)
        code, out = await _cli_status(db)
        assert code == 0, out
        assert f"running (pid {process.pid}" in out and "telegram: receiving" in out
        # a backup can be taken while it runs; restoring one under it is refused
        copy = str(tmp_path / "copy.sqlite3")
        assert (await _cli_status(db, "backup", copy))[0] == 0
        code, out = await _cli_status(db, "restore", copy)
        assert code == 2 and f"the bot is running on {db} (pid {process.pid})" in out
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 20)
    code, out = await _cli_status(db)
    assert code == 1 and "not running: it stopped at" in out
