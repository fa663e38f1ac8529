"""Questions the bot could not answer, waiting (a day at most) to be sent to a coordinator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiosqlite

from bot.storage.clock import now, stamp

# how long "Send to a coordinator" works after "I don't know"
OFFER_LIFETIME = timedelta(days=1)


class Offers:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def add(self, user_id: int, text: str) -> int:
        """Keeps the question; older offers (anyone's) are dropped on the way."""
        cutoff = stamp(datetime.now(UTC) - OFFER_LIFETIME)
        await self._conn.execute("DELETE FROM offers WHERE created_at < ?", (cutoff,))
        async with self._conn.execute(
            "INSERT INTO offers (user_id, text, created_at) VALUES (?, ?, ?) RETURNING id",
            (user_id, text, now()),
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        return int(row[0])

    async def take(self, offer_id: int, user_id: int) -> str | None:
        """The question of this person's offer, removed; None when it is not theirs, was
        already sent, or is older than a day."""
        cutoff = stamp(datetime.now(UTC) - OFFER_LIFETIME)
        async with self._conn.execute(
            "DELETE FROM offers WHERE id = ? AND user_id = ? AND created_at >= ? RETURNING text",
            (offer_id, user_id, cutoff),
        ) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None
