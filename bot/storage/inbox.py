"""What the web inbox reads beside bot/storage/questions.py: a page of open questions and,
for all its askers at once, their questions and municipalities; numbers that were erased."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

import aiosqlite

from bot.storage.questions import _SELECT, Question, _question


async def open_page(conn: aiosqlite.Connection, offset: int, limit: int) -> list[Question]:
    """Open questions, oldest first, from the `offset`th on."""
    async with conn.execute(
        _SELECT + " WHERE q.status = 'open' ORDER BY q.created_at, q.id LIMIT ? OFFSET ?",
        (limit, offset),
    ) as cur:
        return [_question(r) async for r in cur]


def _marks(n: int) -> str:
    return ", ".join("?" * n)


async def questions_of(
    conn: aiosqlite.Connection, user_ids: Collection[int]
) -> dict[int, list[Question]]:
    """Everything these people asked, oldest first, per person."""
    found: dict[int, list[Question]] = defaultdict(list)
    if user_ids:
        async with conn.execute(
            _SELECT + f" WHERE q.user_id IN ({_marks(len(user_ids))}) ORDER BY q.created_at, q.id",
            tuple(user_ids),
        ) as cur:
            async for row in cur:
                question = _question(row)
                found[question.user_id].append(question)
    return found


async def municipalities_of(
    conn: aiosqlite.Connection, user_ids: Collection[int]
) -> dict[int, set[str]]:
    """The municipality codes each of these people registered for."""
    found: dict[int, set[str]] = defaultdict(set)
    if user_ids:
        rows = await conn.execute_fetchall(
            f"SELECT user_id, municipality FROM registrations "
            f"WHERE user_id IN ({_marks(len(user_ids))})",
            tuple(user_ids),
        )
        for user_id, code in rows:
            found[int(user_id)].add(str(code))
    return found


async def was_numbered(conn: aiosqlite.Connection, question_id: int) -> bool:
    """Whether this number was ever given to a question (numbers are never reused): a missing
    question with such a number went with its asker's /forget."""
    async with conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'questions'") as cur:
        row = await cur.fetchone()
    return row is not None and 0 < question_id <= int(row[0])
