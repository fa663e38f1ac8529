"""Another process holding the database: people hear "try again", the bot recovers alone."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bot.storage.db import BUSY_TIMEOUT_MS, open_db
from tests.chat import Person


async def test_a_locked_database_gets_a_try_again_and_the_bot_recovers(
    person: Callable[..., Person], db_path: Path
) -> None:
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # e.g. a backup tool or a second bot on the same file
    try:
        started = time.monotonic()
        newcomers = [person(str(n), hint="en") for n in range(1, 6)]
        answers = await asyncio.gather(*(p.say("/start") for p in newcomers))
        waited = time.monotonic() - started
        cyrillic = await person("6", hint="sr").say("/start")
    finally:
        other.rollback()
        other.close()
    for replies in answers:
        [reply] = replies
        assert "busy for a moment" in reply.text
        assert [b.label for b in reply.flat_buttons] == ["Menu"]
    assert "заузет" in cyrillic[0].text
    # they waited side by side, not one after another (5 × 5 s) behind the database thread
    assert waited < 2 * BUSY_TIMEOUT_MS / 1000

    welcome = await newcomers[0].say("/start")
    assert "Choose your language" in welcome[0].text


async def test_starting_while_another_process_writes_waits_for_it(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(1.0, other.rollback).start()
    try:
        conn = await open_db(path)  # the migrations wait for the lock, then run
        await conn.close()
    finally:
        other.close()
