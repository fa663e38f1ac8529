"""Workshops: created by coordinators, attended by people, read by the FAQ and reminders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

import aiosqlite

from bot.storage.clock import now, parse, stamp

DEFAULT_REMINDERS = (1440, 60)  # minutes before: the day before and an hour before
DEFAULT_MINUTES = 120


@dataclass(frozen=True, slots=True)
class Workshop:
    id: int
    title_sr: str  # Cyrillic; Latin readers get it transliterated
    title_en: str  # empty: English readers get the Serbian Latin
    place_sr: str
    place_en: str
    starts_at: datetime
    description_sr: str = ""
    description_en: str = ""
    link: str = ""
    capacity: int | None = None
    signup_until: datetime | None = None
    minutes: int = DEFAULT_MINUTES
    reminders: tuple[int, ...] = DEFAULT_REMINDERS
    cancelled: bool = False
    created_at: str = ""
    created_by: str = ""

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.minutes)

    @property
    def signup_closes(self) -> datetime:
        return self.signup_until or self.starts_at


def _workshop(r: aiosqlite.Row) -> Workshop:
    reminders = tuple(int(m) for m in str(r["reminders"]).split(",") if m.strip())
    return Workshop(
        id=r["id"], title_sr=r["title_sr"], title_en=r["title_en"], place_sr=r["place_sr"],
        place_en=r["place_en"], starts_at=parse(r["starts_at"]),
        description_sr=r["description_sr"], description_en=r["description_en"], link=r["link"],
        capacity=r["capacity"],
        signup_until=parse(r["signup_until"]) if r["signup_until"] else None,
        minutes=r["minutes"], reminders=reminders, cancelled=bool(r["cancelled"]),
        created_at=r["created_at"], created_by=r["created_by"],
    )  # fmt: skip


# the columns a coordinator can change after creating a workshop
EDITABLE = frozenset(
    f.name for f in fields(Workshop) if f.name not in ("id", "cancelled", "created_at")
)


def _column_value(name: str, value: object) -> object:
    if isinstance(value, datetime):
        return stamp(value)
    if name == "reminders":
        return ",".join(str(int(m)) for m in value)  # type: ignore[attr-defined]
    return value


class Workshops:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def add(
        self, title_sr: str, title_en: str, starts_at: datetime, place_sr: str = "",
        place_en: str = "", **more: object,
    ) -> int:  # fmt: skip
        unknown = set(more) - EDITABLE
        if unknown:
            raise TypeError(f"unknown workshop fields: {sorted(unknown)}")
        values: dict[str, object] = {
            "title_sr": title_sr, "title_en": title_en, "place_sr": place_sr,
            "place_en": place_en, "starts_at": starts_at, **more,
        }  # fmt: skip
        names = list(values)
        async with self._conn.execute(
            f"INSERT INTO workshops ({', '.join(names)}, created_at) "
            f"VALUES ({', '.join('?' for _ in names)}, ?) RETURNING id",
            (*(_column_value(n, values[n]) for n in names), now()),
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        return int(row[0])

    async def update(self, workshop_id: int, **changes: object) -> Workshop | None:
        unknown = set(changes) - EDITABLE
        if unknown:
            raise TypeError(f"unknown workshop fields: {sorted(unknown)}")
        if not changes:
            return await self.get(workshop_id)
        sets = ", ".join(f"{name} = ?" for name in changes)
        rows = await self._conn.execute_fetchall(
            f"UPDATE workshops SET {sets} WHERE id = ? RETURNING *",
            (*(_column_value(n, v) for n, v in changes.items()), workshop_id),
        )
        return _workshop(next(iter(rows))) if rows else None

    async def cancel(self, workshop_id: int) -> bool:
        """True when this call cancelled it (not already cancelled)."""
        rows = await self._conn.execute_fetchall(
            "UPDATE workshops SET cancelled = 1 WHERE id = ? AND cancelled = 0 RETURNING id",
            (workshop_id,),
        )
        return bool(rows)

    async def get(self, workshop_id: int) -> Workshop | None:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM workshops WHERE id = ?", (workshop_id,)
        )
        return _workshop(next(iter(rows))) if rows else None

    async def upcoming(self, limit: int = 3, at: datetime | None = None) -> list[Workshop]:
        """Workshops not cancelled that have not ended yet, soonest first."""
        moment = at or datetime.now(UTC)
        # one round trip to the database thread instead of three (execute, fetch, close)
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM workshops WHERE cancelled = 0 AND starts_at >= ? "
            "ORDER BY starts_at, id LIMIT ?",
            (stamp(moment - timedelta(hours=12)), limit * 4),
        )
        ahead = [w for w in map(_workshop, rows) if w.ends_at > moment]
        return ahead[:limit]

    async def past(self, limit: int = 10, at: datetime | None = None) -> list[Workshop]:
        """Workshops over or cancelled, the latest first."""
        moment = at or datetime.now(UTC)
        # the end is the start plus its minutes: read a few more, then keep those ended
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM workshops WHERE cancelled = 1 OR starts_at < ? "
            "ORDER BY starts_at DESC, id DESC LIMIT ?",
            (stamp(moment), limit * 2),
        )
        gone = [w for w in map(_workshop, rows) if w.cancelled or w.ends_at <= moment]
        return gone[:limit]


class Attendance:
    """Who will attend which workshop. Taking a place and giving one up (which moves the
    first on the waiting list up) are two statements each: one lock keeps them together."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    async def join(self, workshop_id: int, user_id: int) -> str:
        """'going', 'waiting' (full) or what the person already was."""
        async with self._lock:
            rows = await self._conn.execute_fetchall(
                "SELECT status FROM attendance WHERE workshop_id = ? AND user_id = ?",
                (workshop_id, user_id),
            )
            if rows:
                return str(next(iter(rows))[0])
            rows = await self._conn.execute_fetchall(
                """
                INSERT INTO attendance (workshop_id, user_id, status, created_at)
                SELECT w.id, ?, CASE WHEN w.capacity IS NULL OR w.capacity > (
                    SELECT COUNT(*) FROM attendance a
                    WHERE a.workshop_id = w.id AND a.status = 'going')
                THEN 'going' ELSE 'waiting' END, ?
                FROM workshops w WHERE w.id = ?
                RETURNING status
                """,
                (user_id, now(), workshop_id),
            )
            return str(next(iter(rows))[0]) if rows else "unknown"

    async def leave(self, workshop_id: int, user_id: int) -> tuple[str | None, int | None]:
        """(what the person was, or None; the user id moved up from the waiting list)."""
        async with self._lock:
            rows = await self._conn.execute_fetchall(
                "DELETE FROM attendance WHERE workshop_id = ? AND user_id = ? RETURNING status",
                (workshop_id, user_id),
            )
            if not rows:
                return None, None
            was = str(next(iter(rows))[0])
            if was != "going":
                return was, None
            return was, await self._move_up(workshop_id)

    async def fill(self, workshop_id: int) -> list[int]:
        """Moves people up from the waiting list while places are free (after the number of
        places was raised); returns who moved up, first come first."""
        moved: list[int] = []
        async with self._lock:
            while (user_id := await self._move_up(workshop_id)) is not None:
                moved.append(user_id)
        return moved

    async def _move_up(self, workshop_id: int) -> int | None:
        rows = await self._conn.execute_fetchall(
            """
            UPDATE attendance SET status = 'going'
            WHERE workshop_id = ? AND status = 'waiting' AND user_id = (
                SELECT user_id FROM attendance WHERE workshop_id = ? AND status = 'waiting'
                ORDER BY created_at LIMIT 1)
            AND COALESCE((SELECT capacity FROM workshops WHERE id = ?), 1e9) > (
                SELECT COUNT(*) FROM attendance WHERE workshop_id = ? AND status = 'going')
            RETURNING user_id
            """,
            (workshop_id, workshop_id, workshop_id, workshop_id),
        )
        return int(next(iter(rows))[0]) if rows else None

    async def status(self, workshop_id: int, user_id: int) -> str | None:
        rows = await self._conn.execute_fetchall(
            "SELECT status FROM attendance WHERE workshop_id = ? AND user_id = ?",
            (workshop_id, user_id),
        )
        return str(next(iter(rows))[0]) if rows else None

    async def counts(self, workshop_id: int) -> tuple[int, int]:
        """(going, waiting)."""
        rows = await self._conn.execute_fetchall(
            "SELECT COALESCE(SUM(status = 'going'), 0), COALESCE(SUM(status = 'waiting'), 0) "
            "FROM attendance WHERE workshop_id = ?",
            (workshop_id,),
        )
        going, waiting = next(iter(rows))
        return int(going), int(waiting)

    async def counts_of(self, workshop_ids: list[int]) -> dict[int, tuple[int, int]]:
        """(going, waiting) of many workshops in one query (a page listing them)."""
        found = {wid: (0, 0) for wid in workshop_ids}
        if not workshop_ids:
            return found
        rows = await self._conn.execute_fetchall(
            "SELECT workshop_id, SUM(status = 'going'), SUM(status = 'waiting') FROM attendance "
            f"WHERE workshop_id IN ({', '.join('?' for _ in workshop_ids)}) GROUP BY workshop_id",
            tuple(workshop_ids),
        )
        for r in rows:
            found[int(r[0])] = (int(r[1]), int(r[2]))
        return found

    async def people(self, workshop_id: int, status: str = "going") -> list[int]:
        rows = await self._conn.execute_fetchall(
            "SELECT user_id FROM attendance WHERE workshop_id = ? AND status = ? "
            "ORDER BY created_at",
            (workshop_id, status),
        )
        return [int(r[0]) for r in rows]

    async def places_of(self, user_id: int) -> list[int]:
        """The workshops where someone holds a place (not merely waits)."""
        rows = await self._conn.execute_fetchall(
            "SELECT workshop_id FROM attendance WHERE user_id = ? AND status = 'going'",
            (user_id,),
        )
        return [int(r[0]) for r in rows]

    async def ref_of(self, user_id: int) -> tuple[str, str] | None:
        """(messenger, external id) of someone on a list: a place opened is told to them."""
        rows = await self._conn.execute_fetchall(
            "SELECT messenger, external_id FROM users WHERE id = ?", (user_id,)
        )
        row = next(iter(rows), None)
        return (str(row[0]), str(row[1])) if row is not None else None
