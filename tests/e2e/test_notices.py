"""Notices (to coordinators, to askers) are sent from the database: what a crash or a stop
left unsent goes out when the bot starts, once."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App
from bot.core.messages import Reply, UserRef
from tests.chat import settings, shared_faq
from tests.e2e.test_process import start_bot
from tests.telegram_double import BotApiDouble


async def test_notices_left_unsent_by_a_crash_go_out_when_the_bot_starts(
    api: BotApiDouble, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    db = tmp_path / "bot.sqlite3"
    app = await App.open(settings(db), faq=shared_faq())
    await app.services.notices.add(None, UserRef("telegram", "900"), Reply("Нова пријава: …"))
    await app.close()
    process = await start_bot(api, db, processes)
    [note] = await api.wait_for_sent(900, 1, timeout=20)
    assert note.text == "Нова пријава: …"
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()
    rows = sqlite3.connect(db).execute("SELECT status, body, message_id FROM notices").fetchall()
    assert rows == [("delivered", "", str(note.message_id))], "sent once; its text not kept"


async def test_sent_notices_are_forgotten_after_48_hours(tmp_path: Path) -> None:
    app = await App.open(settings(tmp_path / "bot.sqlite3"), faq=shared_faq())
    try:
        notices = app.services.notices
        await notices.add(None, UserRef("telegram", "900"), Reply("a"))
        await notices.add(None, UserRef("telegram", "900"), Reply("b"))
        [first, second] = await notices.pending()
        await notices.mark(first.id, "delivered", "7")
        db = app.services.db
        await db.execute("UPDATE notices SET sent_at = '2020-01-01T00:00:00+00:00'")
        assert await notices.prune(datetime.now(UTC) - timedelta(hours=48)) == 1
        assert [n.id for n in await notices.pending()] == [second.id], "pending ones stay"
    finally:
        await app.close()
