"""`partnerbot run` as a real process: restarts keep what people chose; no token in logs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.app import App
from tests.chat import settings, shared_faq
from tests.telegram_double import BotApiDouble


async def start_bot(
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
    process = await start_bot(api, db, processes)
    api.user_text(42, "/start", language_code="en")
    [welcome] = await api.wait_for_sent(42, 1, timeout=20)
    latin = next(data for row in welcome.buttons for text, data in row if "Latinica" in text)
    api.user_press(42, latin or "")
    await api.wait_for_sent(42, 2)
    log = await _stop(process)

    process = await start_bot(api, db, processes)
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


async def test_a_token_revoked_while_running_ends_the_process_with_one_line(
    api: BotApiDouble, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    process = await start_bot(api, tmp_path / "bot.sqlite3", processes)
    api.user_text(43, "/help", language_code="en")
    await api.wait_for_sent(43, 1, timeout=20)
    api.unauthorized = True
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    log = stderr.decode()
    # not 0 and not 2: a supervisor restarts it, a person sees why it ended
    assert process.returncode == 1, log
    assert "Telegram refused TELEGRAM_BOT_TOKEN while running" in log
    assert "Traceback" not in log
    assert api.token.split(":", 1)[1] not in log


async def test_a_read_only_database_is_refused_at_start(
    api: BotApiDouble, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    db = tmp_path / "bot.sqlite3"
    await (await App.open(settings(db), faq=shared_faq())).close()  # migrated, as a bot left it
    db.chmod(0o444)
    # root writes to any file whatever its mode: as root, the bot runs without that power
    # (as the Docker image's unprivileged user would)
    as_user = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token,
           "TELEGRAM_API_URL": api.base_url, "PARTNERBOT_DB": str(db)}  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *(as_user if os.geteuid() == 0 else []), sys.executable, "-m", "bot", "run", env=env,
        stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    processes.append(process)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    lines = stderr.decode().strip().splitlines()
    assert process.returncode == 2, lines
    assert len(lines) == 1 and "readonly" in lines[0] and str(db) in lines[0]


async def test_one_refused_send_does_not_end_the_bot(
    api: BotApiDouble, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    process = await start_bot(api, tmp_path / "bot.sqlite3", processes)
    api.fail_next(1, 401, method="sendMessage")
    api.user_text(44, "/help", language_code="en")
    api.user_text(44, "/menu", language_code="en")
    [menu] = await api.wait_for_sent(44, 1, timeout=20)
    assert menu.text.startswith("Main menu"), "the /help reply was refused and dropped"
    assert process.returncode is None, "only polling decides that the token is gone"
    log = await _stop(process)
    assert "reply to telegram:44 not delivered: Telegram refused the token" in log


async def test_sigterm_ends_within_docker_stops_ten_seconds_even_when_telegram_is_slow(
    api: BotApiDouble, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    process = await start_bot(api, tmp_path / "bot.sqlite3", processes)
    api.user_text(44, "/help", language_code="en")
    await api.wait_for_sent(44, 1, timeout=20)
    # every send now takes 3 s, and people keep writing
    api.latency = 3.0
    for chat in range(50, 60):
        api.user_text(chat, "What is ICLD?", language_code="en")
    await asyncio.sleep(1.0)
    started = asyncio.get_running_loop().time()
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    took = asyncio.get_running_loop().time() - started
    log = stderr.decode()
    assert process.returncode == 0, log
    assert took < 10.0, f"stopped in {took:.1f} s"
    assert "Traceback" not in log
