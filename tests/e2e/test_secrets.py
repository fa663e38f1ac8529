"""No token and no password in a URL ever reaches a log line or an error, at debug level,
through faults, refusals and a failed start."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.e2e.test_viber import free_port
from tests.telegram_double import BotApiDouble
from tests.viber_double import ViberDouble

TELEGRAM_SECRET = "SecretPartOfTheTelegramToken"
VIBER_TOKEN = "0a1b2c3d4e5f6071-8293a4b5c6d7e8f9-0f1e2d3c4b5a6978"
PASSWORD = "hunter2-pass"


async def _run(env: dict[str, str], tmp_path: Path) -> asyncio.subprocess.Process:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "VIBER_"))}
    full.update({"PARTNERBOT_DB": str(tmp_path / "bot.sqlite3"), "PARTNERBOT_LOG_LEVEL": "debug",
                 **env})  # fmt: skip
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env=full, stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


def _clean(log: str) -> None:
    for secret in (TELEGRAM_SECRET, VIBER_TOKEN, PASSWORD):
        assert secret not in log, f"{secret[:6]}… leaked"


async def test_no_secret_in_any_log_line_or_error(
    tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    async with (
        BotApiDouble(token=f"123456:{TELEGRAM_SECRET}") as api,
        ViberDouble(token=VIBER_TOKEN) as viber,
    ):
        port = free_port()
        telegram_url = api.base_url.replace("http://", f"http://bot:{PASSWORD}@")
        viber_url = viber.api_url.replace("http://", f"http://bot:{PASSWORD}@")
        env = {
            "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": telegram_url,
            "VIBER_AUTH_TOKEN": VIBER_TOKEN, "VIBER_API_URL": viber_url,
            "VIBER_WEBHOOK_URL": f"http://127.0.0.1:{port}/viber",
            "PARTNERBOT_LISTEN": f"127.0.0.1:{port}",
            "PARTNERBOT_COORDINATORS": "900,viber:nobody==",
        }  # fmt: skip
        process = await _run(env, tmp_path)
        processes.append(process)
        await viber.wait_for_call("set_webhook", timeout=20)
        # a server error, a refusal, a question that reaches a coordinator who cannot be reached
        api.fail_next(2, 502)
        api.user_text(5, "/ask", language_code="en")
        await api.wait_for_sent(5, 1, timeout=20)
        api.user_text(5, "When is the next call for projects?")
        await api.wait_for_sent(5, 2, timeout=20)
        api.blocked_users.add(6)
        api.user_text(6, "hello", language_code="en")
        viber.fail_next(1, status=12, method="send_message")
        await viber.user_text("v==", "What is ICLD?", language="en")
        await viber.wait_for_sent("v==", 1, timeout=20)
        await viber.post_raw(b'{"event": "message"}', "0" * 64)
        await asyncio.sleep(1.0)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        log = stderr.decode()
        assert process.returncode == 0, log
        assert "DEBUG" in log and "Viber callback refused" in log
        _clean(log)
        # and a start that fails: the API cannot be reached
        env["TELEGRAM_API_URL"] = f"http://bot:{PASSWORD}@127.0.0.1:{free_port()}/bot"
        failed = await _run(env, tmp_path)
        processes.append(failed)
        _, stderr = await asyncio.wait_for(failed.communicate(), 60)
        assert failed.returncode == 2
        assert "bot:***@127.0.0.1" in stderr.decode()
        _clean(stderr.decode())
