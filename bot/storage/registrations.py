"""Registrations of interest, the anonymous counts left by erasure, coordinators' switches."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import aiosqlite

from bot.core.messages import UserRef
from bot.storage.clock import now


@dataclass(frozen=True, slots=True)
class Registration:
    municipality: str
    name: str
    position: str
    position_other: str
    email: str
    phone: str
    areas: tuple[str, ...]
    stage: str
    # the person's subscription (users.subscribed), the one switch for announcements
    announcements: bool
    consent_version: str
    locale: str


@dataclass(frozen=True, slots=True)
class Stored:
    id: int
    user: UserRef
    registration: Registration
    created_at: str
    updated_at: str

    @property
    def is_update(self) -> bool:
        return self.created_at != self.updated_at


def _stored(row: aiosqlite.Row) -> Stored:
    reg = Registration(
        municipality=row["municipality"], name=row["name"], position=row["position"],
        position_other=row["position_other"], email=row["email"], phone=row["phone"],
        areas=tuple(json.loads(row["areas"])), stage=row["stage"],
        announcements=bool(row["subscribed"]), consent_version=row["consent_version"],
        locale=row["locale"],
    )  # fmt: skip
    return Stored(
        row["id"], UserRef(row["messenger"], row["external_id"]), reg, row["created_at"],
        row["updated_at"],
    )  # fmt: skip


_SELECT = """
    SELECT r.*, u.messenger, u.external_id, u.subscribed
    FROM registrations r JOIN users u ON u.id = r.user_id
"""


class Registrations:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def save(self, user_id: int, reg: Registration) -> Stored:
        """Inserts, or updates this person's entry for the same municipality. Its
        `announcements` is read back from the person's subscription, set by the caller."""
        stamp = now()
        async with self._conn.execute(
            """
            INSERT INTO registrations (user_id, municipality, name, position, position_other,
                email, phone, areas, stage, consent_version, consent_at, locale,
                created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id, municipality) DO UPDATE SET
                name = excluded.name, position = excluded.position,
                position_other = excluded.position_other, email = excluded.email,
                phone = excluded.phone, areas = excluded.areas, stage = excluded.stage,
                consent_version = excluded.consent_version, consent_at = excluded.consent_at,
                locale = excluded.locale, updated_at = excluded.updated_at
            RETURNING id
            """,
            (
                user_id, reg.municipality, reg.name, reg.position, reg.position_other, reg.email,
                reg.phone, json.dumps(list(reg.areas)), reg.stage, reg.consent_version, stamp,
                reg.locale, stamp, stamp,
            ),
        ) as cur:  # fmt: skip
            row = await cur.fetchone()
        assert row is not None
        async with self._conn.execute(_SELECT + " WHERE r.id = ?", (row[0],)) as cur:
            stored = await cur.fetchone()
        assert stored is not None
        return _stored(stored)

    async def of_user(self, user_id: int) -> list[Stored]:
        async with self._conn.execute(
            _SELECT + " WHERE r.user_id = ? ORDER BY r.updated_at", (user_id,)
        ) as cur:
            return [_stored(r) async for r in cur]

    async def municipalities_of(self, user_ids: Collection[int]) -> dict[int, set[str]]:
        """The municipality codes each of these people registered for, in one query."""
        found: dict[int, set[str]] = defaultdict(set)
        if user_ids:
            marks = ", ".join("?" * len(user_ids))
            rows = await self._conn.execute_fetchall(
                f"SELECT user_id, municipality FROM registrations WHERE user_id IN ({marks})",
                tuple(user_ids),
            )
            for user_id, code in rows:
                found[int(user_id)].add(str(code))
        return found

    async def all(self) -> list[Stored]:
        async with self._conn.execute(_SELECT + " ORDER BY r.created_at, r.id") as cur:
            return [_stored(r) async for r in cur]

    async def latest(self, limit: int) -> list[Stored]:
        async with self._conn.execute(
            _SELECT + " ORDER BY r.updated_at DESC, r.id DESC LIMIT ?", (limit,)
        ) as cur:
            return [_stored(r) async for r in cur]

    async def summary(self) -> tuple[Counter[str], Counter[str], Counter[str]]:
        """Counts by municipality, by area of interest and by stage."""
        by_municipality: Counter[str] = Counter()
        by_area: Counter[str] = Counter()
        by_stage: Counter[str] = Counter()
        async with self._conn.execute(
            "SELECT municipality, areas, stage FROM registrations"
        ) as cur:
            async for row in cur:
                by_municipality[row[0]] += 1
                by_area.update(json.loads(row[1]))
                by_stage[row[2]] += 1
        return by_municipality, by_area, by_stage

    async def wants_notifications(self, coordinator: UserRef) -> bool:
        async with self._conn.execute(
            "SELECT notify FROM coordinator_settings WHERE messenger = ? AND external_id = ?",
            (coordinator.messenger, coordinator.id),
        ) as cur:
            row = await cur.fetchone()
        return row is None or bool(row[0])

    async def set_notifications(self, coordinator: UserRef, on: bool) -> None:
        await self._conn.execute(
            "INSERT INTO coordinator_settings (messenger, external_id, notify) VALUES (?, ?, ?) "
            "ON CONFLICT (messenger, external_id) DO UPDATE SET notify = excluded.notify",
            (coordinator.messenger, coordinator.id, int(on)),
        )
