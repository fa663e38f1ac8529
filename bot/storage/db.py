"""Opening the database: WAL, foreign keys, numbered migrations applied at start."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

# how long a statement waits for a lock held by another process (a backup, a console chat)
BUSY_TIMEOUT_MS = 5000
# SQLite's own wait holds aiosqlite's one thread, and every other person's statement queues
# behind it: it only covers short contention; longer waits are asyncio sleeps (Connection)
_THREAD_WAIT_MS = 20


class DatabaseError(Exception):
    """The database cannot be opened or migrated; the message says where and why."""


def is_busy(exc: BaseException) -> bool:
    """Another connection holds the lock: worth another try in a moment."""
    return isinstance(exc, sqlite3.OperationalError) and (
        getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    )


async def after_failure(conn: aiosqlite.Connection) -> None:
    """Leaves the connection usable after a failed statement: no half transaction."""
    if conn.in_transaction:
        await conn.rollback()


class Connection(aiosqlite.Connection):
    """aiosqlite's connection whose statements wait for another process's lock (up to
    BUSY_TIMEOUT_MS) without holding the database thread, so that one person's wait does not
    become everyone's: the others' statements run, or wait, side by side."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tx_lock = asyncio.Lock()
        self._tx_owner: asyncio.Task[Any] | None = None

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """This task's statements, all or none. Every task shares this one connection:
        while the transaction is open, other tasks' statements wait for its end instead of
        joining it (and being rolled back with it)."""
        async with self._tx_lock:
            self._tx_owner = asyncio.current_task()
            try:
                await self.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    await self.rollback()
                    raise
                await self.commit()
            finally:
                self._tx_owner = None

    async def _execute(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        owner = self._tx_owner
        while owner is not None and owner is not asyncio.current_task():
            async with self._tx_lock:  # until that transaction ends
                pass
            owner = self._tx_owner
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.01
        while True:
            try:
                return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]
            except sqlite3.OperationalError as exc:
                # inside a transaction the statement cannot simply be repeated
                left = deadline - time.monotonic()
                if not is_busy(exc) or self.in_transaction or left <= 0:
                    raise
            await asyncio.sleep(min(pause, left))
            pause = min(pause * 2, 0.25)


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("bot.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.read_text(encoding="utf-8")))
    return sorted(found)


def transaction(conn: aiosqlite.Connection) -> contextlib.AbstractAsyncContextManager[None]:
    """All or none of the statements inside (see Connection.transaction)."""
    assert isinstance(conn, Connection), "opened by open_db"
    return conn.transaction()


def newest_schema() -> int:
    """The schema version this code migrates a database to."""
    return _migrations()[-1][0]


async def open_db(path: str | Path) -> aiosqlite.Connection:
    target = Path(path)
    try:
        if str(path) != ":memory:":
            target.parent.mkdir(parents=True, exist_ok=True)
        conn = await Connection(
            lambda: sqlite3.connect(target, isolation_level=None), iter_chunk_size=64
        )
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseError(f"cannot open the database {path}: {exc}") from exc
    try:
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable across application crashes in WAL mode; only power loss can
        # lose the last transactions.
        await conn.execute("PRAGMA synchronous=NORMAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        # erased rows are overwritten with zeros, not merely unlinked (the right to erasure):
        # SQLite's build decides the default, so it is said here
        await conn.execute("PRAGMA secure_delete=ON")
        # migrations run in one transaction, where a statement cannot be repeated: SQLite
        # itself waits for another process's lock there, as long as anywhere else
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        version = await _migrate(conn)
        await _check_writable(conn, version)
        await conn.execute(f"PRAGMA busy_timeout={_THREAD_WAIT_MS}")
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
