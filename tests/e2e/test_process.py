"""`partnerbot run` as a real process: restarts keep what people chose; no token in logs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.telegram_double import BotApiDouble


async def _start(
    api: BotApiDouble, db: Path, started: list[asyncio.subprocess.Process]
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.base_url,
        "PARTNERBOT_DB": str(db),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env=env, stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    started.append(process)
    return process


async def _stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()
    return stderr.decode()


async def test_the_chosen_language_survives_a_restart_of_the_process(
    api: BotApiDouble, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    db = tmp_path / "bot.sqlite3"
    process = await _start(api, db, processes)
    api.user_text(42, "/start", language_code="en")
    [welcome] = await api.wait_for_sent(42, 1, timeout=20)
    latin = next(data for row in welcome.buttons for text, data in row if "Latinica" in text)
    api.user_press(42, latin or "")
    await api.wait_for_sent(42, 2)
    log = await _stop(process)

    process = await _start(api, db, processes)
    api.user_text(42, "hello, what can you do?", language_code="en")
    replies = await api.wait_for_sent(42, 3, timeout=20)
    assert [text for row in replies[-1].buttons for text, _ in row][-1] == "Meni"
    log += await _stop(process)

    assert "partnerbot is running" in log
    secret = api.token.split(":", 1)[1]
    assert secret not in log, "the token must never be logged"


async def test_a_refused_token_is_one_line_without_the_token(
    tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    async with BotApiDouble(token="999:WRONG-TOKEN-SECRET") as wrong:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": "123456:SECRET-PART-123",
            "TELEGRAM_API_URL": wrong.base_url,
            "PARTNERBOT_DB": str(tmp_path / "bot.sqlite3"),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env,
            stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        processes.append(process)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert "SECRET-PART-123" not in stderr.decode()
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in stderr.decode()
