"""The database file: migrations, pragmas, backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.core.messages import UserRef
from bot.storage.db import DatabaseError, backup, open_db
from bot.storage.users import Users


async def test_opening_migrates_once_and_turns_on_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "bot.sqlite3"
    conn = await open_db(path)
    async with conn.execute("PRAGMA journal_mode") as cur:
        assert (await cur.fetchone())[0] == "wal"  # type: ignore[index]
    async with conn.execute("PRAGMA foreign_keys") as cur:
        assert (await cur.fetchone())[0] == 1  # type: ignore[index]
    await Users(conn).seen(UserRef("telegram", "5"), "Ana")
    await conn.close()

    conn = await open_db(path)  # a second start applies nothing twice and keeps the rows
    user = await Users(conn).get(UserRef("telegram", "5"))
    assert user is not None and user.name == "Ana"
    await conn.close()


async def test_an_unusable_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DatabaseError, match="cannot open the database"):
        await open_db(blocker / "bot.sqlite3")
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseError, match="cannot use the database"):
        await open_db(garbage)


async def test_backup_is_a_readable_copy(tmp_path: Path) -> None:
    conn = await open_db(tmp_path / "live.sqlite3")
    await Users(conn).seen(UserRef("telegram", "7"), "Марко")
    await backup(conn, tmp_path / "copy.sqlite3")
    await conn.close()
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("SELECT name FROM users").fetchall() == [("Марко",)]
    copy.close()
