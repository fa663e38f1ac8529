"""`partnerbot run` with Viber, as a real process: alone or beside Telegram; refusals are one
line without the token."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.e2e.test_viber import free_port
from tests.telegram_double import BotApiDouble
from tests.viber_double import ViberDouble


async def _start(
    env: dict[str, str], tmp_path: Path, started: list[asyncio.subprocess.Process]
) -> asyncio.subprocess.Process:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "VIBER_"))}
    full.update({"PARTNERBOT_DB": str(tmp_path / "bot.sqlite3"), **env})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env=full, stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    started.append(process)
    return process


def _viber_env(viber: ViberDouble, port: int) -> dict[str, str]:
    return {
        "VIBER_AUTH_TOKEN": viber.token,
        "VIBER_API_URL": viber.api_url,
        "VIBER_WEBHOOK_URL": f"http://127.0.0.1:{port}/viber",
        "VIBER_LISTEN": f"127.0.0.1:{port}",
    }


async def _webhook_set(viber: ViberDouble, process: asyncio.subprocess.Process) -> None:
    for _ in range(200):
        if viber.webhook_url:
            return
        if process.returncode is not None:
            break
        await asyncio.sleep(0.05)
    raise AssertionError("the bot did not set its webhook")


async def test_viber_alone_and_viber_beside_telegram(
    tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    async with ViberDouble() as viber, BotApiDouble() as api:
        process = await _start(_viber_env(viber, free_port()), tmp_path, processes)
        await _webhook_set(viber, process)
        await viber.user_text("v1==", "Šta je ICLD?", language="sr")
        [answer] = await viber.wait_for_sent("v1==", 1, timeout=20)
        assert "švedsk" in (answer.text or "").lower()
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
        assert process.returncode == 0, stderr.decode()

        viber.webhook_url = None
        both = {**_viber_env(viber, free_port()), "TELEGRAM_BOT_TOKEN": api.token,
                "TELEGRAM_API_URL": api.base_url}  # fmt: skip
        process = await _start(both, tmp_path, processes)
        await _webhook_set(viber, process)
        api.user_text(5, "What is ICLD?", language_code="en")
        await viber.user_text("v1==", "What is ICLD?", language="en")
        await api.wait_for_sent(5, 1, timeout=20)
        await viber.wait_for_sent("v1==", 2, timeout=20)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
        log = stderr.decode()
        assert process.returncode == 0, log
        assert "Viber: webhook set" in log and "Telegram: polling" in log
        assert viber.token not in log


async def test_a_refused_viber_token_is_one_line_without_the_token(
    tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    async with ViberDouble(token="0123456789abcdef-0123456789abcdef-000000000000000") as viber:
        env = _viber_env(viber, free_port())
        env["VIBER_AUTH_TOKEN"] = "fedcba9876543210-fedcba9876543210-SECRETSECRET1234"
        process = await _start(env, tmp_path, processes)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    log = stderr.decode()
    assert "Viber refused VIBER_AUTH_TOKEN" in log
    assert "SECRETSECRET" not in log


async def test_a_webhook_address_viber_cannot_reach_is_refused_at_start(
    tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    async with ViberDouble() as viber:
        env = _viber_env(viber, free_port())
        env["VIBER_WEBHOOK_URL"] = f"http://127.0.0.1:{free_port()}/nobody-here"
        viber.webhook_timeout = 1.0
        process = await _start(env, tmp_path, processes)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert "VIBER_WEBHOOK_URL" in stderr.decode().strip().splitlines()[-1]


async def test_a_busy_port_is_one_clear_line(
    tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    async with ViberDouble() as viber:
        port = int(viber.api_url.split(":")[2].split("/")[0])  # taken by the double itself
        env = _viber_env(viber, port)
        process = await _start(env, tmp_path, processes)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert "VIBER_LISTEN" in stderr.decode().strip().splitlines()[-1]
