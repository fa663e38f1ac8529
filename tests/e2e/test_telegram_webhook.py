"""Telegram in webhook mode: the bot's own HTTP server takes Telegram's posts, checks their
secret token, and the conversations are the same as with polling."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from tests.e2e.test_viber import free_port
from tests.telegram_double import BotApiDouble


async def test_webhook_mode_as_a_process(
    api: BotApiDouble, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.base_url,
        "PARTNERBOT_DB": str(tmp_path / "bot.sqlite3"),
        "PARTNERBOT_LISTEN": f"127.0.0.1:{port}",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--webhook", f"http://127.0.0.1:{port}/telegram",
        env=env, stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    processes.append(process)
    call = await api.wait_for_call("setWebhook", timeout=20)
    assert call.params["url"] == f"http://127.0.0.1:{port}/telegram"
    secret = str(call.params["secret_token"])
    assert len(secret) >= 32
    assert not [c for c in api.calls if c.method == "getUpdates"], "no polling"

    api.user_text(77, "Šta je ICLD?", language_code="sr")
    [answer] = await api.wait_for_sent(77, 1, timeout=20)
    assert "švedsk" in answer.text.lower()

    # requests without the secret, or with another, are refused; nothing is answered
    forged = json.dumps({"update_id": 999, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 78, "type": "private", "first_name": "M"},
        "from": {"id": 78, "is_bot": False, "first_name": "M"}, "text": "/start",
    }}).encode()  # fmt: skip
    assert await api.post_to_webhook(forged, None) == 403
    assert await api.post_to_webhook(forged, "x" * 43) == 403
    assert await api.post_to_webhook(b"{not json", secret) == 400
    await asyncio.sleep(0.5)
    assert api.sent(78) == []

    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "Telegram: webhook set to" in log
    assert log.count("Telegram webhook request refused") == 2
    assert secret not in log and api.token.split(":")[1] not in log
