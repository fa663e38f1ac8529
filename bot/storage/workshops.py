"""Workshops: written by the announcements feature, read by the FAQ."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import aiosqlite

from bot.storage.clock import now, parse, stamp


@dataclass(frozen=True, slots=True)
class Workshop:
    id: int
    title_sr: str
    title_en: str
    place_sr: str
    place_en: str
    starts_at: datetime


class Workshops:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def add(
        self, title_sr: str, title_en: str, starts_at: datetime, place_sr: str = "",
        place_en: str = "",
    ) -> int:  # fmt: skip
        async with self._conn.execute(
            "INSERT INTO workshops (title_sr, title_en, place_sr, place_en, starts_at, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            (title_sr, title_en, place_sr, place_en, stamp(starts_at), now()),
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        return int(row[0])

    async def upcoming(self, limit: int = 3) -> list[Workshop]:
        # one round trip to the database thread instead of three (execute, fetch, close)
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM workshops WHERE cancelled = 0 AND starts_at >= ? "
            "ORDER BY starts_at LIMIT ?",
            (stamp(datetime.now(UTC)), limit),
        )
        return [
            Workshop(r["id"], r["title_sr"], r["title_en"], r["place_sr"], r["place_en"],
                     parse(r["starts_at"]))
            for r in rows
        ]  # fmt: skip
