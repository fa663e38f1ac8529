"""The web console in `partnerbot run`: one HTTP server in the bot's process serves it beside
Telegram's webhook; a coordinator signs in with the link the bot sends."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp

from tests.e2e.test_viber import free_port
from tests.telegram_double import BotApiDouble

COORDINATOR = 900


async def test_the_console_and_the_webhook_share_the_bot_s_server(
    api: BotApiDouble, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.base_url,
        "PARTNERBOT_DB": str(tmp_path / "bot.sqlite3"),
        "PARTNERBOT_COORDINATORS": str(COORDINATOR),
        "PARTNERBOT_WEB_LISTEN": f"127.0.0.1:{port}",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--webhook", f"http://127.0.0.1:{port}/telegram",
        env=env, stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    processes.append(process)
    await api.wait_for_call("setWebhook", timeout=20)

    api.user_text(COORDINATOR, "/web", language_code="en")
    [reply] = await api.wait_for_sent(COORDINATOR, 1, timeout=20)
    link = re.search(r"http://127\.0\.0\.1:\d+/signin/\S+", reply.text)
    assert link, reply.text
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        async with browser.get(link.group()) as resp:
            assert resp.status == 200 and "Sign in" in await resp.text()
        async with browser.post(link.group()) as resp:
            page = await resp.text()
            assert resp.status == 200 and "Overview" in page and "<svg" in page
    # the webhook still answers people on the same port
    api.user_text(77, "What is ICLD?", language_code="en")
    [answer] = await api.wait_for_sent(77, 1, timeout=20)
    assert "ICLD" in answer.text

    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    log = stderr.decode()
    assert process.returncode == 0, log
    assert f"web console at http://127.0.0.1:{port}" in log
    assert link.group().rsplit("/", 1)[1] not in log, "a sign-in link is a secret"


async def test_a_busy_console_port_is_one_clear_line(
    api: BotApiDouble, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    port = free_port()
    blocker = await asyncio.start_server(lambda r, w: None, "127.0.0.1", port)
    try:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_URL": api.base_url,
            "PARTNERBOT_DB": str(tmp_path / "bot.sqlite3"),
            "PARTNERBOT_WEB_LISTEN": f"127.0.0.1:{port}",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            env=env, stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        processes.append(process)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        blocker.close()
    assert process.returncode == 2
    last = stderr.decode().strip().splitlines()[-1]
    assert f"cannot serve the web console and webhooks on 127.0.0.1:{port}" in last, last
    assert "PARTNERBOT_WEB_LISTEN" in last
