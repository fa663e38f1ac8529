"""Sign-in links and sessions of the coordinators' web console.

The secrets travel in a link and a cookie; the database keeps only their SHA-256, so a copy of
it (a backup, a leaked file) signs nobody in."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import aiosqlite

from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.storage.clock import parse, stamp

LINK_LIFETIME = timedelta(minutes=10)
# a working day: a console left open overnight asks for a new link in the morning
SESSION_LIFETIME = timedelta(hours=10)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_ref(text: str) -> UserRef:
    messenger, _, external = text.partition(":")
    return UserRef(messenger, external)


@dataclass(frozen=True, slots=True)
class Session:
    coordinator: UserRef
    csrf: str = field(repr=False)
    locale: Locale
    expires_at: datetime


class WebSessions:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def new_link(self, coordinator: UserRef, at: datetime | None = None) -> str:
        """A one-time secret for a sign-in link, valid for LINK_LIFETIME."""
        at = at or datetime.now(UTC)
        secret = secrets.token_urlsafe(32)
        await self._conn.execute(
            "DELETE FROM web_links WHERE expires_at < ?", (stamp(at - timedelta(days=1)),)
        )
        await self._conn.execute(
            "INSERT INTO web_links (hash, coordinator, expires_at) VALUES (?, ?, ?)",
            (_hash(secret), str(coordinator), stamp(at + LINK_LIFETIME)),
        )
        return secret

    async def link_state(self, secret: str, at: datetime | None = None) -> str:
        """ "valid", "used", "expired" or "unknown", without using the link."""
        at = at or datetime.now(UTC)
        rows = list(
            await self._conn.execute_fetchall(
                "SELECT expires_at, used_at FROM web_links WHERE hash = ?", (_hash(secret),)
            )
        )
        if not rows:
            return "unknown"
        expires_at, used_at = rows[0]
        if used_at is not None:
            return "used"
        return "expired" if parse(str(expires_at)) <= at else "valid"

    async def use_link(self, secret: str, at: datetime | None = None) -> UserRef | None:
        """The coordinator the link was made for, once; None for any link not valid now."""
        at = at or datetime.now(UTC)
        # one UPDATE decides: two browsers racing for the same link cannot both win
        async with self._conn.execute(
            "UPDATE web_links SET used_at = ? WHERE hash = ? AND used_at IS NULL "
            "AND expires_at > ? RETURNING coordinator",
            (stamp(at), _hash(secret), stamp(at)),
        ) as cur:
            row = await cur.fetchone()
        return parse_ref(str(row[0])) if row else None

    async def open(
        self, coordinator: UserRef, locale: Locale, at: datetime | None = None
    ) -> tuple[str, Session]:
        """A new session: the cookie's secret and what the server keeps of it."""
        at = at or datetime.now(UTC)
        secret = secrets.token_urlsafe(32)
        session = Session(coordinator, secrets.token_urlsafe(24), locale, at + SESSION_LIFETIME)
        await self._conn.execute("DELETE FROM web_sessions WHERE expires_at < ?", (stamp(at),))
        await self._conn.execute(
            "INSERT INTO web_sessions (hash, coordinator, csrf, locale, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (_hash(secret), str(coordinator), session.csrf, locale.value, stamp(at),
             stamp(session.expires_at)),
        )  # fmt: skip
        return secret, session

    async def get(self, secret: str, at: datetime | None = None) -> Session | None:
        at = at or datetime.now(UTC)
        rows = list(
            await self._conn.execute_fetchall(
                "SELECT coordinator, csrf, locale, expires_at FROM web_sessions WHERE hash = ?",
                (_hash(secret),),
            )
        )
        if not rows:
            return None
        coordinator, csrf, locale, expires_at = rows[0]
        expires = parse(str(expires_at))
        if expires <= at:
            return None
        return Session(parse_ref(str(coordinator)), str(csrf), Locale(str(locale)), expires)

    async def set_locale(self, secret: str, locale: Locale) -> None:
        await self._conn.execute(
            "UPDATE web_sessions SET locale = ? WHERE hash = ?", (locale.value, _hash(secret))
        )

    async def end(self, secret: str) -> None:
        await self._conn.execute("DELETE FROM web_sessions WHERE hash = ?", (_hash(secret),))

    async def spend_form(self, form_id: str, result: str, at: datetime | None = None) -> str | None:
        """Uses up a one-time form id, inside the caller's transaction: None the first time,
        then the page the first submission led to."""
        at = at or datetime.now(UTC)
        await self._conn.execute(
            "DELETE FROM web_forms WHERE used_at < ?", (stamp(at - timedelta(days=2)),)
        )
        async with self._conn.execute(
            "INSERT INTO web_forms (id, used_at, result) VALUES (?, ?, ?) "
            "ON CONFLICT (id) DO NOTHING RETURNING id",
            (_hash(form_id), stamp(at), result),
        ) as cur:
            if await cur.fetchone() is not None:
                return None
        rows = list(await self._conn.execute_fetchall(
            "SELECT result FROM web_forms WHERE id = ?", (_hash(form_id),)
        ))  # fmt: skip
        return str(rows[0][0]) if rows else ""

    async def form_led_to(self, form_id: str, result: str) -> None:
        await self._conn.execute(
            "UPDATE web_forms SET result = ? WHERE id = ?", (result, _hash(form_id))
        )

    async def end_others(self, coordinators: frozenset[UserRef]) -> int:
        """Ends the sessions and links of everyone no longer a coordinator."""
        keep = [str(c) for c in coordinators]
        marks = ",".join("?" * len(keep)) or "''"
        ended = 0
        for table in ("web_sessions", "web_links"):
            async with self._conn.execute(
                f"DELETE FROM {table} WHERE coordinator NOT IN ({marks})", keep
            ) as cur:
                ended += cur.rowcount if table == "web_sessions" else 0
        return ended
