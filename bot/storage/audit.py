"""The record of coordinators' actions: who did what, to which numbered object, and when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import aiosqlite

from bot.core.messages import UserRef
from bot.storage.clock import now


@dataclass(frozen=True, slots=True)
class Entry:
    at: str
    actor: str
    action: str
    subject: str


class Audit:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def record(self, actor: UserRef | str, action: str, subject: object = "") -> None:
        await self._conn.execute(
            "INSERT INTO audit (at, actor, action, subject) VALUES (?, ?, ?, ?)",
            (now(), str(actor), action, str(subject)[:200]),
        )

    async def latest(self, limit: int = 20) -> list[Entry]:
        rows = await self._conn.execute_fetchall(
            "SELECT at, actor, action, subject FROM audit ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [Entry(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]

    async def latest_of(self, actions: Iterable[str], limit: int = 10) -> list[Entry]:
        """The latest entries of some actions only: a console page's own changes."""
        wanted = tuple(actions)
        rows = await self._conn.execute_fetchall(
            "SELECT at, actor, action, subject FROM audit "
            f"WHERE action IN ({', '.join('?' for _ in wanted)}) ORDER BY id DESC LIMIT ?",
            (*wanted, limit),
        )
        return [Entry(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]
