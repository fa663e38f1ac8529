"""Notices kept until delivered: see migrations/0010_notices.sql."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.core.messages import Button, Reply, UserRef
from bot.storage.clock import now, stamp


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    recipient: UserRef
    reply: Reply


def _ref(text: str) -> UserRef:
    messenger, _, ident = text.partition(":")
    return UserRef(messenger, ident)


def _encode(reply: Reply) -> str:
    rows = [[[b.label, b.payload] for b in row] for row in reply.buttons]
    return json.dumps({"text": reply.text, "buttons": rows, "html": reply.html},
                      ensure_ascii=False)  # fmt: skip


def _decode(body: str) -> Reply:
    data = json.loads(body)
    rows = tuple(tuple(Button(label, payload) for label, payload in row) for row in data["buttons"])
    return Reply(data["text"], rows, html=bool(data.get("html")))


class Notices:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        # told when a notice was written: whoever delivers them looks (after the commit)
        self.on_added: Callable[[], None] = lambda: None

    async def add(self, about: int | None, recipient: UserRef, reply: Reply) -> None:
        await self._conn.execute(
            "INSERT INTO notices (about, recipient, body, created_at) VALUES (?, ?, ?, ?)",
            (about, str(recipient), _encode(reply), now()),
        )
        self.on_added()

    async def pending(self, limit: int = 100) -> list[Notice]:
        rows = await self._conn.execute_fetchall(
            "SELECT id, recipient, body FROM notices WHERE status = 'pending' ORDER BY id LIMIT ?",
            (limit,),
        )
        return [Notice(int(r[0]), _ref(str(r[1])), _decode(str(r[2]))) for r in rows]

    async def mark(self, notice_id: int, status: str, message_id: str = "") -> None:
        """Its outcome; the text, which holds personal data, is not kept once it is out."""
        body = "" if status != "pending" else None
        await self._conn.execute(
            "UPDATE notices SET status = ?, message_id = ?, sent_at = ?, "
            "body = COALESCE(?, body) WHERE id = ?",
            (status, message_id, now(), body, notice_id),
        )

    async def prune(self, before: datetime) -> int:
        """Sent notices older than any deletion could reach: only their bookkeeping was left."""
        async with self._conn.execute(
            "DELETE FROM notices WHERE status != 'pending' AND sent_at < ?", (stamp(before),)
        ) as cur:
            return cur.rowcount

    async def copies(self, about: int, since: datetime) -> list[tuple[UserRef, str]]:
        """Delivered notices about a person, sent after `since`: (where, message id)."""
        rows = await self._conn.execute_fetchall(
            "SELECT recipient, message_id FROM notices WHERE about = ? AND status = 'delivered' "
            "AND message_id != '' AND sent_at >= ?",
            (about, stamp(since)),
        )
        return [(_ref(str(r[0])), str(r[1])) for r in rows]
