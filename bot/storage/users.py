"""The people the bot knows, one row per messenger account."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import aiosqlite

from bot.core.erasure import erased
from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.storage.clock import now, parse


@dataclass(frozen=True, slots=True)
class User:
    id: int
    ref: UserRef
    name: str
    locale: Locale | None
    last_locale: Locale | None
    first_seen: str
    last_seen: str
    subscribed: bool
    blocked: bool

    @property
    def new(self) -> bool:
        """First contact less than a minute ago (last_seen is kept to the minute)."""
        since_first = parse(self.last_seen) - parse(self.first_seen)
        return since_first < timedelta(seconds=SEEN_PRECISION)


def _user(row: aiosqlite.Row) -> User:
    return User(
        id=row["id"],
        ref=UserRef(row["messenger"], row["external_id"]),
        name=row["name"],
        locale=Locale(row["locale"]) if row["locale"] else None,
        last_locale=Locale(row["last_locale"]) if row["last_locale"] else None,
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        subscribed=bool(row["subscribed"]),
        blocked=bool(row["blocked"]),
    )


# last_seen is kept to the minute: writing it on every message cost a database round trip
# per message, which under load waits for the GIL behind every other message.
SEEN_PRECISION = 60.0
_CACHE_LIMIT = 50_000


class Users:
    """The users table. This process is its only writer while the bot runs, so a person's
    row is cached between messages; every change goes through here and drops the copy."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._cache: dict[UserRef, tuple[User, float]] = {}
        self._refs: dict[int, UserRef] = {}

    def _forget_cached(self, user_id: int) -> None:
        ref = self._refs.pop(user_id, None)
        if ref is not None:
            self._cache.pop(ref, None)

    async def seen(self, ref: UserRef, name: str) -> User:
        """Records contact from a person (creating them on first contact) and returns them.

        A person who writes again has evidently unblocked the bot.
        """
        cached = self._cache.get(ref)
        if cached is not None:
            user, written = cached
            fresh = time.monotonic() - written < SEEN_PRECISION
            if fresh and not user.blocked and (not name or name == user.name):
                return user
        seen_at = now()
        async with self._conn.execute(
            """
            INSERT INTO users (messenger, external_id, name, first_seen, last_seen)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (messenger, external_id) DO UPDATE SET
                last_seen = excluded.last_seen,
                name = CASE WHEN excluded.name != '' THEN excluded.name ELSE users.name END,
                blocked = 0
            RETURNING *
            """,
            (ref.messenger, ref.id, name, seen_at, seen_at),
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        user = _user(row)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
            self._refs.clear()
        self._cache[ref] = (user, time.monotonic())
        self._refs[user.id] = ref
        return user

    async def get(self, ref: UserRef) -> User | None:
        async with self._conn.execute(
            "SELECT * FROM users WHERE messenger = ? AND external_id = ?", (ref.messenger, ref.id)
        ) as cur:
            row = await cur.fetchone()
        return _user(row) if row else None

    async def set_locale(self, user_id: int, locale: Locale) -> None:
        self._forget_cached(user_id)
        await self._conn.execute(
            "UPDATE users SET locale = ?, last_locale = ? WHERE id = ?",
            (locale.value, locale.value, user_id),
        )

    async def set_last_locale(self, user_id: int, locale: Locale) -> None:
        self._forget_cached(user_id)
        await self._conn.execute(
            "UPDATE users SET last_locale = ? WHERE id = ? AND last_locale IS NOT ?",
            (locale.value, user_id, locale.value),
        )

    async def set_subscribed(self, user_id: int, subscribed: bool) -> None:
        self._forget_cached(user_id)
        await self._conn.execute(
            "UPDATE users SET subscribed = ? WHERE id = ?", (int(subscribed), user_id)
        )

    async def set_blocked(self, ref: UserRef, blocked: bool = True) -> None:
        self._cache.pop(ref, None)
        await self._conn.execute(
            "UPDATE users SET blocked = ? WHERE messenger = ? AND external_id = ?",
            (int(blocked), ref.messenger, ref.id),
        )

    async def forget(self, user_id: int) -> None:
        """Erases the person and, by cascade, everything about them; a trigger keeps counts."""
        self._forget_cached(user_id)
        await self._conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
        # the write-ahead log still holds the erased pages until a checkpoint: copy them back
        # (zeroed) into the database and empty the log now, not at some later checkpoint
        await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        erased()

    async def counts(self) -> list[tuple[str, str, int]]:
        """(messenger, locale or '', number of people), for coordinators' statistics."""
        async with self._conn.execute(
            """
            SELECT messenger, COALESCE(locale, last_locale, '') AS loc, COUNT(*)
            FROM users GROUP BY messenger, loc ORDER BY messenger, loc
            """
        ) as cur:
            return [(r[0], r[1], r[2]) async for r in cur]
