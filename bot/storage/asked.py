"""What people asked the FAQ and what the bot did with it: see migrations/0011_web_console.sql."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiosqlite

from bot.core.erasure import erased
from bot.core.locales import Locale
from bot.storage import clock

ANSWERED, SUGGESTED, DECLINED, SMALL_TALK = "answered", "suggested", "declined", "small_talk"
OUTCOMES = (ANSWERED, SUGGESTED, DECLINED, SMALL_TALK)
# what content editors read: the questions the FAQ could not answer outright
UNANSWERED = (SUGGESTED, DECLINED)
TEXT_LIMIT = 500
# the promise /mydata makes; the daily job blanks older texts
KEPT_DAYS = 90


@dataclass(frozen=True, slots=True)
class AskedRow:
    id: int
    at: datetime
    outcome: str
    topic: str
    locale: Locale
    text: str


class Asked:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def record(
        self, user_id: int | None, outcome: str, topic: str, locale: Locale, text: str
    ) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        kept = text.strip()[:TEXT_LIMIT] if outcome in UNANSWERED else ""
        await self._conn.execute(
            "INSERT INTO asked (user_id, at, outcome, topic, locale, text) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, clock.now(), outcome, topic, locale.value, kept),
        )

    async def outcome_counts(self, since: datetime | None = None) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        rows = await self._conn.execute_fetchall(
            "SELECT outcome, COUNT(*) FROM asked WHERE at >= ? GROUP BY outcome",
            (clock.stamp(since) if since is not None else "",),
        )
        for outcome, n in rows:
            counts[str(outcome)] = int(n)
        return counts

    async def unanswered(self, days: int = KEPT_DAYS, limit: int = 2000) -> list[AskedRow]:
        """Questions not answered outright whose text is still kept, newest first."""
        since = datetime.now(UTC) - timedelta(days=days)
        rows = await self._conn.execute_fetchall(
            "SELECT id, at, outcome, topic, locale, text FROM asked "
            "WHERE at >= ? AND outcome IN (?, ?) AND text != '' "
            "ORDER BY at DESC, id DESC LIMIT ?",
            (clock.stamp(since), *UNANSWERED, limit),
        )
        return [
            AskedRow(
                int(r[0]), clock.parse(str(r[1])), str(r[2]), str(r[3]), Locale(r[4]), str(r[5])
            )
            for r in rows
        ]

    async def prune_texts(self, older_than: timedelta) -> int:
        """Blanks the texts kept longer than `older_than`; the counts stay."""
        async with self._conn.execute(
            "UPDATE asked SET text = '' WHERE text != '' AND at < ?",
            (clock.stamp(datetime.now(UTC) - older_than),),
        ) as cur:
            blanked = cur.rowcount
        if blanked:
            erased()  # the console's grouping caches the texts it folded
        return blanked

    async def count_of_user(self, user_id: int) -> int:
        """How many of the person's questions are kept with their text."""
        async with self._conn.execute(
            "SELECT COUNT(*) FROM asked WHERE user_id = ? AND text != ''", (user_id,)
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0
