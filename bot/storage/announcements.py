"""Announcements and their outbox: one row per recipient, written before anything is sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.storage.clock import now, parse, stamp

KINDS = ("news", "workshop", "reminder", "change", "cancelled")
# what a recipient's row can come to
OUTCOMES = ("delivered", "unreachable", "failed", "skipped")


@dataclass(frozen=True, slots=True)
class Announcement:
    id: int
    kind: str
    body_sr: str
    body_en: str
    html: bool
    workshop_id: int | None
    audience: str
    at: datetime
    force: bool
    status: str  # scheduled, running, done, cancelled
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress_ref: str


def _announcement(r: aiosqlite.Row) -> Announcement:
    return Announcement(
        id=r["id"], kind=r["kind"], body_sr=r["body_sr"], body_en=r["body_en"],
        html=bool(r["html"]), workshop_id=r["workshop_id"], audience=r["audience"],
        at=parse(r["at"]), force=bool(r["force"]), status=r["status"],
        created_by=r["created_by"], created_at=parse(r["created_at"]),
        started_at=parse(r["started_at"]) if r["started_at"] else None,
        finished_at=parse(r["finished_at"]) if r["finished_at"] else None,
        progress_ref=r["progress_ref"],
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Report:
    pending: int = 0
    delivered: int = 0
    unreachable: int = 0
    failed: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.delivered + self.unreachable + self.failed + self.skipped

    @property
    def done(self) -> int:
        return self.total - self.pending


class Announcements:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        # reports of sent announcements, which no longer change
        self._final: dict[int, Report] = {}

    async def add(
        self, *, kind: str, audience: str, at: datetime, created_by: str, body_sr: str = "",
        body_en: str = "", html: bool = False, workshop_id: int | None = None,
        force: bool = False, once_key: str | None = None,
    ) -> int | None:  # fmt: skip
        """The new announcement's id; None when `once_key` exists already (a reminder)."""
        rows = await self._conn.execute_fetchall(
            """
            INSERT INTO announcements (kind, body_sr, body_en, html, workshop_id, audience, at,
                                       force, created_by, created_at, once_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (once_key) DO NOTHING
            RETURNING id
            """,
            (kind, body_sr, body_en, int(html), workshop_id, audience, stamp(at), int(force),
             created_by, now(), once_key),
        )  # fmt: skip
        return int(next(iter(rows))[0]) if rows else None

    async def get(self, announcement_id: int) -> Announcement | None:
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM announcements WHERE id = ?", (announcement_id,)
        )
        return _announcement(next(iter(rows))) if rows else None

    async def due(self, moment: datetime) -> list[Announcement]:
        """Scheduled ones whose time has come, and running ones (after a restart)."""
        rows = await self._conn.execute_fetchall(
            "SELECT * FROM announcements WHERE (status = 'scheduled' AND at <= ?) "
            "OR status = 'running' ORDER BY at, id",
            (stamp(moment),),
        )
        return [_announcement(r) for r in rows]

    async def listing(self, statuses: Iterable[str], limit: int = 20) -> list[Announcement]:
        wanted = tuple(statuses)
        rows = await self._conn.execute_fetchall(
            f"SELECT * FROM announcements WHERE status IN ({', '.join('?' for _ in wanted)}) "
            "AND kind IN ('news', 'workshop') ORDER BY at DESC, id DESC LIMIT ?",
            (*wanted, limit),
        )
        return [_announcement(r) for r in rows]

    async def start(
        self, announcement_id: int, recipients_sql: str, params: tuple[object, ...],
        moment: datetime | None = None,
    ) -> bool:  # fmt: skip
        """Writes one outbox row per recipient (`recipients_sql` selects user ids), then marks
        it running; False when it was no longer scheduled (cancelled meanwhile). Each is one
        statement (the connection is shared by every coroutine: no transaction may span
        awaits), and repeating both after a crash between them adds nobody twice."""
        await self._conn.execute(
            f"INSERT OR IGNORE INTO outbox (announcement_id, user_id) "
            f"SELECT ?, id FROM ({recipients_sql}) "
            f"WHERE EXISTS (SELECT 1 FROM announcements WHERE id = ? AND status = 'scheduled')",
            (announcement_id, *params, announcement_id),
        )
        rows = await self._conn.execute_fetchall(
            "UPDATE announcements SET status = 'running', started_at = ? "
            "WHERE id = ? AND status = 'scheduled' RETURNING id",
            (stamp(moment) if moment else now(), announcement_id),
        )
        return bool(rows)

    async def pending(
        self, announcement_id: int, limit: int, after: int = 0
    ) -> list[tuple[int, str]]:
        """Recipients still to send to, in user id order from after `after`, with their
        messenger ('' for someone erased since)."""
        rows = await self._conn.execute_fetchall(
            "SELECT o.user_id, COALESCE(u.messenger, '') FROM outbox o "
            "LEFT JOIN users u ON u.id = o.user_id WHERE o.announcement_id = ? "
            "AND o.status = 'pending' AND o.user_id > ? ORDER BY o.user_id LIMIT ?",
            (announcement_id, after, limit),
        )
        return [(int(r[0]), str(r[1])) for r in rows]

    async def record(self, announcement_id: int, user_id: int, status: str, reason: str) -> None:
        """One recipient's outcome, committed before the next is sent to: after a crash only
        a message in flight can go out again."""
        await self._conn.execute(
            "UPDATE outbox SET status = ?, reason = ? WHERE announcement_id = ? AND user_id = ?",
            (status, reason[:200], announcement_id, user_id),
        )

    async def record_many(self, announcement_id: int, outcomes: dict[int, tuple[str, str]]) -> None:
        """Many recipients' outcomes ({user id: (status, reason)}): one statement for each
        distinct outcome, not one per person."""
        same: dict[tuple[str, str], list[int]] = {}
        for user_id, (status, reason) in outcomes.items():
            same.setdefault((status, reason[:200]), []).append(user_id)
        for (status, reason), ids in same.items():
            marks = ", ".join("?" for _ in ids)
            await self._conn.execute(
                f"UPDATE outbox SET status = ?, reason = ? WHERE announcement_id = ? "
                f"AND user_id IN ({marks})",
                (status, reason, announcement_id, *ids),
            )

    async def report(self, announcement_id: int) -> Report:
        rows = await self._conn.execute_fetchall(
            "SELECT status, COUNT(*) FROM outbox WHERE announcement_id = ? GROUP BY status",
            (announcement_id,),
        )
        return Report(**{str(r[0]): int(r[1]) for r in rows})

    async def reports(self, shown: Iterable[Announcement]) -> dict[int, Report]:
        """The reports of many announcements in one query, for a page listing them. A sent
        one's report no longer changes: it is counted once (ten broadcasts to 10,000 people
        are 100,000 outbox rows to count)."""
        listed = list(shown)
        ids = tuple(a.id for a in listed if a.id not in self._final)
        counts: dict[int, dict[str, int]] = {i: {} for i in ids}
        if ids:
            rows = await self._conn.execute_fetchall(
                f"SELECT announcement_id, status, COUNT(*) FROM outbox WHERE announcement_id IN "
                f"({', '.join('?' for _ in ids)}) GROUP BY announcement_id, status",
                ids,
            )
            for r in rows:
                counts[int(r[0])][str(r[1])] = int(r[2])
        found = {i: Report(**c) for i, c in counts.items()}
        self._final.update(
            (a.id, found[a.id]) for a in listed if a.status == "done" and a.id in found
        )
        return {a.id: self._final.get(a.id) or found[a.id] for a in listed}

    async def finish(self, announcement_id: int, moment: datetime | None = None) -> bool:
        rows = await self._conn.execute_fetchall(
            "UPDATE announcements SET status = 'done', finished_at = ? "
            "WHERE id = ? AND status = 'running' RETURNING id",
            (stamp(moment) if moment else now(), announcement_id),
        )
        return bool(rows)

    async def cancel(self, announcement_id: int) -> str | None:
        """Cancels a scheduled or running one; returns the status it had (None: no such)."""
        rows = await self._conn.execute_fetchall(
            "SELECT status FROM announcements WHERE id = ?", (announcement_id,)
        )
        if not rows:
            return None
        was = str(next(iter(rows))[0])
        if was in ("scheduled", "running"):
            await self._conn.execute(
                "UPDATE announcements SET status = 'cancelled', finished_at = ? "
                "WHERE id = ? AND status IN ('scheduled', 'running')",
                (now(), announcement_id),
            )
        return was

    async def set_progress_ref(self, announcement_id: int, ref: str) -> None:
        await self._conn.execute(
            "UPDATE announcements SET progress_ref = ? WHERE id = ?", (ref, announcement_id)
        )

    async def status(self, announcement_id: int) -> str | None:
        rows = await self._conn.execute_fetchall(
            "SELECT status FROM announcements WHERE id = ?", (announcement_id,)
        )
        return str(next(iter(rows))[0]) if rows else None

    async def cancel_for_workshop(self, workshop_id: int) -> int:
        """A cancelled workshop's scheduled announcements and reminders do not go out."""
        rows = await self._conn.execute_fetchall(
            "UPDATE announcements SET status = 'cancelled', finished_at = ? "
            "WHERE workshop_id = ? AND status = 'scheduled' AND kind IN "
            "('workshop', 'reminder') RETURNING id",
            (now(), workshop_id),
        )
        return len(list(rows))
