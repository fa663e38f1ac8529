"""Opening the database: WAL, foreign keys, numbered migrations applied at start."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

import aiosqlite


class DatabaseError(Exception):
    """The database cannot be opened or migrated; the message says where and why."""


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("bot.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


async def open_db(path: str | Path) -> aiosqlite.Connection:
    target = Path(path)
    try:
        if str(path) != ":memory:":
            target.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(target, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseError(f"cannot open the database {path}: {exc}") from exc
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable across application crashes in WAL mode; only power loss can
        # lose the last transactions.
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=5000")
        await _migrate(conn)
    except sqlite3.Error as exc:
        await conn.close()
        raise DatabaseError(f"cannot use the database {path}: {exc}") from exc
    return conn


async def _migrate(conn: aiosqlite.Connection) -> None:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    for number, script in _migrations():
        if number <= current:
            continue
        await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")


async def backup(conn: aiosqlite.Connection, destination: str | Path) -> None:
    """A consistent copy of the live database, through SQLite's backup API."""
    dest = Path(destination)
    dest.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(dest) as target:
        await conn.backup(target)
