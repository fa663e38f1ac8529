"""The record of what people asked the FAQ: counts, texts kept only where editors need them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.storage.asked import Asked
from bot.storage.clock import stamp
from bot.storage.db import open_db
from bot.storage.users import Users


@pytest.fixture
async def conn(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    conn = await open_db(tmp_path / "bot.sqlite3")
    yield conn
    await conn.close()


async def _person(conn: aiosqlite.Connection, ident: str = "1") -> int:
    return (await Users(conn).seen(UserRef("console", ident), "Ana")).id


async def _backdate(conn: aiosqlite.Connection, text: str, at: datetime) -> None:
    await conn.execute("UPDATE asked SET at = ? WHERE text = ?", (stamp(at), text))


async def _texts(conn: aiosqlite.Connection) -> list[tuple[str, str]]:
    rows = await conn.execute_fetchall("SELECT outcome, text FROM asked ORDER BY id")
    return [(str(r[0]), str(r[1])) for r in rows]


async def test_the_text_is_kept_only_of_questions_not_answered_outright(
    conn: aiosqlite.Connection,
) -> None:
    asked, uid = Asked(conn), await _person(conn)
    await asked.record(uid, "answered", "programme.funder", Locale.SR_LATN, "ko finansira")
    await asked.record(uid, "suggested", "bot.register", Locale.SR_LATN, "  prijava  ")
    await asked.record(uid, "declined", "", Locale.EN, "x" * 800)
    await asked.record(None, "small_talk", "", Locale.SR_CYRL, "хвала")
    assert await _texts(conn) == [
        ("answered", ""), ("suggested", "prijava"), ("declined", "x" * 500), ("small_talk", ""),
    ]  # fmt: skip
    assert await asked.outcome_counts() == {
        "answered": 1, "suggested": 1, "declined": 1, "small_talk": 1,
    }  # fmt: skip
    assert await asked.count_of_user(uid) == 2
    with pytest.raises(ValueError, match="unknown outcome"):
        await asked.record(uid, "ignored", "", Locale.EN, "?")


async def test_counts_name_every_outcome_and_can_start_at_a_moment(
    conn: aiosqlite.Connection,
) -> None:
    asked = Asked(conn)
    assert await asked.outcome_counts() == dict.fromkeys(
        ("answered", "suggested", "declined", "small_talk"), 0
    )
    await asked.record(None, "declined", "", Locale.EN, "old")
    await asked.record(None, "declined", "", Locale.EN, "new")
    await _backdate(conn, "old", datetime.now(UTC) - timedelta(days=10))
    since = datetime.now(UTC) - timedelta(days=1)
    assert (await asked.outcome_counts(since))["declined"] == 1
    assert (await asked.outcome_counts())["declined"] == 2


async def test_unanswered_questions_newest_first_within_the_days(
    conn: aiosqlite.Connection,
) -> None:
    asked = Asked(conn)
    await asked.record(None, "declined", "", Locale.EN, "first")
    await asked.record(None, "answered", "contact", Locale.EN, "answered")
    await asked.record(None, "suggested", "bot.register", Locale.SR_LATN, "second")
    await asked.record(None, "declined", "", Locale.EN, "long ago")
    await _backdate(conn, "long ago", datetime.now(UTC) - timedelta(days=40))
    rows = await asked.unanswered(days=30)
    assert [(r.text, r.outcome, r.topic, r.locale) for r in rows] == [
        ("second", "suggested", "bot.register", Locale.SR_LATN),
        ("first", "declined", "", Locale.EN),
    ]
    assert rows[0].at >= rows[1].at and rows[0].at.tzinfo is not None
    assert [r.text for r in await asked.unanswered(limit=1)] == ["second"]
    assert len(await asked.unanswered()) == 3


async def test_pruning_blanks_old_texts_and_keeps_the_counts(conn: aiosqlite.Connection) -> None:
    asked, uid = Asked(conn), await _person(conn)
    await asked.record(uid, "declined", "", Locale.EN, "asked long ago")
    await asked.record(uid, "suggested", "contact", Locale.EN, "asked yesterday")
    await _backdate(conn, "asked long ago", datetime.now(UTC) - timedelta(days=91))
    await _backdate(conn, "asked yesterday", datetime.now(UTC) - timedelta(days=1))
    assert await asked.prune_texts(timedelta(days=90)) == 1
    assert await asked.prune_texts(timedelta(days=90)) == 0
    assert await _texts(conn) == [("declined", ""), ("suggested", "asked yesterday")]
    assert await asked.count_of_user(uid) == 1
    assert (await asked.outcome_counts())["declined"] == 1


async def test_forgetting_a_person_blanks_their_texts_and_keeps_the_counts(
    conn: aiosqlite.Connection,
) -> None:
    asked, ana, marko = Asked(conn), await _person(conn, "1"), await _person(conn, "2")
    await asked.record(ana, "declined", "", Locale.EN, "Ana's question")
    await asked.record(marko, "declined", "", Locale.EN, "Marko's question")
    await Users(conn).forget(ana)
    rows = await conn.execute_fetchall("SELECT user_id, text FROM asked ORDER BY id")
    assert [tuple(r) for r in rows] == [(None, ""), (marko, "Marko's question")]
    assert (await asked.outcome_counts())["declined"] == 2
    assert await asked.count_of_user(ana) == 0
