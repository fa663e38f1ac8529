"""Questions sent to the coordinators and their answers."""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiosqlite

from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.storage.clock import now, stamp


@dataclass(frozen=True, slots=True)
class Question:
    id: int
    user_id: int
    asker: UserRef
    asker_name: str
    text: str
    locale: Locale
    parent_id: int | None
    status: str
    created_at: str
    answer: str | None
    answered_by: str | None
    followed_up: bool


_SELECT = """
    SELECT q.*, u.messenger, u.external_id, u.name AS asker_name
    FROM questions q JOIN users u ON u.id = q.user_id
"""


def _question(row: aiosqlite.Row) -> Question:
    return Question(
        id=row["id"],
        user_id=row["user_id"],
        asker=UserRef(row["messenger"], row["external_id"]),
        asker_name=row["asker_name"],
        text=row["text"],
        locale=Locale(row["locale"]),
        parent_id=row["parent_id"],
        status=row["status"],
        created_at=row["created_at"],
        answer=row["answer"],
        answered_by=row["answered_by"],
        followed_up=bool(row["followed_up"]),
    )


class Questions:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._salt: bytes | None = None

    async def add(
        self, user_id: int, text: str, locale: Locale, parent_id: int | None = None
    ) -> Question:
        """Stores a question; an answer back uses up its parent's one (by a trigger)."""
        async with self._conn.execute(
            "INSERT INTO questions (user_id, text, locale, parent_id, created_at) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id",
            (user_id, text, locale.value, parent_id, now()),
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        question = await self.get(int(row[0]))
        assert question is not None
        return question

    async def get(self, question_id: int) -> Question | None:
        async with self._conn.execute(_SELECT + " WHERE q.id = ?", (question_id,)) as cur:
            row = await cur.fetchone()
        return _question(row) if row else None

    async def of_user(self, user_id: int) -> list[Question]:
        async with self._conn.execute(
            _SELECT + " WHERE q.user_id = ? ORDER BY q.created_at", (user_id,)
        ) as cur:
            return [_question(r) async for r in cur]

    async def _account(self, ref: UserRef) -> bytes:
        if self._salt is None:
            async with self._conn.execute(
                "SELECT value FROM meta WHERE name = 'quota_salt'"
            ) as cur:
                row = await cur.fetchone()
            assert row is not None, "migration 0008 writes the salt"
            self._salt = bytes(row[0])
        return hmac.new(self._salt, str(ref).encode(), hashlib.sha256).digest()[:16]

    async def note_sent(self, ref: UserRef) -> None:
        """A question went to the coordinators: counted for a day, whoever they become."""
        await self._conn.execute(
            "INSERT INTO question_quota (account, sent_at) VALUES (?, ?)",
            (await self._account(ref), now()),
        )

    async def sent_since(self, ref: UserRef, window: timedelta) -> int:
        since = stamp(datetime.now(UTC) - window)
        async with self._conn.execute(
            "SELECT COUNT(*) FROM question_quota WHERE account = ? AND sent_at >= ?",
            (await self._account(ref), since),
        ) as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def prune_quota(self, window: timedelta) -> int:
        """Marks older than the limit's window identify nothing anyone needs: gone."""
        async with self._conn.execute(
            "DELETE FROM question_quota WHERE sent_at < ?", (stamp(datetime.now(UTC) - window),)
        ) as cur:
            return cur.rowcount

    async def open(self, limit: int = 10, offset: int = 0) -> tuple[list[Question], int]:
        """The oldest open questions (from the `offset`th on), and how many are open in all."""
        async with self._conn.execute(
            _SELECT + " WHERE q.status = 'open' ORDER BY q.created_at, q.id LIMIT ? OFFSET ?",
            (limit, offset),
        ) as cur:
            found = [_question(r) async for r in cur]
        async with self._conn.execute(
            "SELECT COUNT(*) FROM questions WHERE status = 'open'"
        ) as cur:
            row = await cur.fetchone()
        return found, int(row[0]) if row else 0

    async def of_users(self, user_ids: Collection[int]) -> dict[int, list[Question]]:
        """Everything these people asked, oldest first, per person, in one query."""
        found: dict[int, list[Question]] = defaultdict(list)
        if user_ids:
            marks = ", ".join("?" * len(user_ids))
            async with self._conn.execute(
                _SELECT + f" WHERE q.user_id IN ({marks}) ORDER BY q.created_at, q.id",
                tuple(user_ids),
            ) as cur:
                async for row in cur:
                    question = _question(row)
                    found[question.user_id].append(question)
        return found

    async def was_numbered(self, question_id: int) -> bool:
        """Whether this number was ever given to a question (numbers are never reused): a
        missing question with such a number went with its asker's /forget."""
        async with self._conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'questions'"
        ) as cur:
            row = await cur.fetchone()
        return row is not None and 0 < question_id <= int(row[0])

    async def answer(self, question_id: int, text: str, coordinator: UserRef) -> bool:
        """Records the answer; False if someone else answered or closed it first."""
        async with self._conn.execute(
            "UPDATE questions SET status = 'answered', answer = ?, answered_by = ?, "
            "answered_at = ? WHERE id = ? AND status = 'open'",
            (text, str(coordinator), now(), question_id),
        ) as cur:
            return cur.rowcount == 1

    async def close(self, question_id: int, coordinator: UserRef) -> bool:
        async with self._conn.execute(
            "UPDATE questions SET status = 'closed', answered_by = ?, answered_at = ? "
            "WHERE id = ? AND status = 'open'",
            (str(coordinator), now(), question_id),
        ) as cur:
            return cur.rowcount == 1
