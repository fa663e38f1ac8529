"""The open dialog of each person (a form in progress), one row per person."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite

from bot.storage.clock import now


@dataclass(frozen=True, slots=True)
class DialogState:
    name: str
    step: str
    token: str
    data: dict[str, Any] = field(default_factory=dict)


_CACHE_LIMIT = 50_000


class Dialogs:
    """Dialog rows, written through to the database at every step. This process is their only
    writer while the bot runs, so reads are served from memory after the first."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._cache: dict[int, DialogState | None] = {}

    def _remember(self, user_id: int, state: DialogState | None) -> None:
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[user_id] = state

    async def get(self, user_id: int) -> DialogState | None:
        if user_id in self._cache:
            return self._cache[user_id]
        state = await self._read(user_id)
        self._remember(user_id, state)
        return state

    async def _read(self, user_id: int) -> DialogState | None:
        async with self._conn.execute(
            "SELECT name, step, token, data FROM dialogs WHERE user_id = ?", (user_id,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        return DialogState(row[0], row[1], row[2], json.loads(row[3]))

    async def put(
        self, user_id: int, name: str, step: str, data: dict[str, Any], *, new_token: bool = False
    ) -> DialogState:
        """Writes the dialog's step; a new dialog (or new_token) gets a fresh button token."""
        current = await self.get(user_id)
        token = (
            current.token
            if current is not None and current.name == name and not new_token
            else secrets.token_hex(3)
        )
        stored = json.dumps(data, ensure_ascii=False)
        await self._conn.execute(
            """
            INSERT INTO dialogs (user_id, name, step, data, token, updated_at)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET
                name = excluded.name, step = excluded.step, data = excluded.data,
                token = excluded.token, updated_at = excluded.updated_at
            """,
            (user_id, name, step, stored, token, now()),
        )
        # the cached copy is what a restart would read back, not the caller's own dict
        state = DialogState(name, step, token, json.loads(stored))
        self._remember(user_id, state)
        return state

    async def clear(self, user_id: int) -> None:
        await self._conn.execute("DELETE FROM dialogs WHERE user_id = ?", (user_id,))
        self._remember(user_id, None)

    async def prune(self, older_than: timedelta) -> int:
        """Drops dialogs abandoned long ago: half-typed personal data is not kept forever."""
        cutoff = (datetime.now(UTC) - older_than).isoformat()
        gone = list(
            await self._conn.execute_fetchall(
                "DELETE FROM dialogs WHERE updated_at < ? RETURNING user_id", (cutoff,)
            )
        )
        # only the rows deleted leave the cache; the others stay valid
        for (user_id,) in gone:
            self._cache.pop(user_id, None)
        return len(gone)
