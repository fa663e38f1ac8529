"""Opening the database: WAL, foreign keys, numbered migrations applied at start."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

import aiosqlite

# how long a write waits for a lock held by another process (a backup, a console chat)
BUSY_TIMEOUT_MS = 5000
# after one write waited the whole time in vain, the next ones fail fast instead of queueing
# behind each other on the connection's one thread; restored once a message goes through
BUSY_TIMEOUT_DEGRADED_MS = 100


class DatabaseError(Exception):
    """The database cannot be opened or migrated; the message says where and why."""


def is_busy(exc: BaseException) -> bool:
    """Another connection holds the lock: worth another try in a moment."""
    return isinstance(exc, sqlite3.OperationalError) and (
        getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    )


async def after_failure(conn: aiosqlite.Connection, busy: bool) -> None:
    """Leaves the connection usable after a failed statement: no half transaction, and fast
    failures while the lock is held elsewhere."""
    if conn.in_transaction:
        await conn.rollback()
    if busy:
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_DEGRADED_MS}")


async def wait_when_busy(conn: aiosqlite.Connection) -> None:
    await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


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
        await wait_when_busy(conn)
        version = await _migrate(conn)
        await _check_writable(conn, version)
    except sqlite3.Error as exc:
        await conn.close()
        raise DatabaseError(f"cannot use the database {path}: {exc}") from exc
    return conn


async def _check_writable(conn: aiosqlite.Connection, version: int) -> None:
    """A read-only file opens and reads fine; find out now, not at the first person's
    message. Rewriting the header's version in a rolled-back transaction changes nothing."""
    await conn.execute("BEGIN IMMEDIATE")
    try:
        await conn.execute(f"PRAGMA user_version={version}")
    finally:
        await conn.rollback()


async def _migrate(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    for number, script in _migrations():
        if number <= current:
            continue
        await conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version={number};\nCOMMIT;")
        current = number
    return current


async def backup(conn: aiosqlite.Connection, destination: str | Path) -> None:
    """A consistent copy of the live database, through SQLite's backup API."""
    dest = Path(destination)
    dest.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(dest) as target:
        await conn.backup(target)
