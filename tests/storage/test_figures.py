"""The console's weekly counts: local weeks, empty ones too, rows outside left out."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.storage.clock import stamp
from bot.storage.db import open_db
from bot.storage.figures import people_by_week

BELGRADE = ZoneInfo("Europe/Belgrade")


async def test_people_are_counted_in_the_week_of_belgrade(tmp_path: Path) -> None:
    conn = await open_db(tmp_path / "bot.sqlite3")
    try:
        now = datetime(2026, 12, 2, 12, 0, tzinfo=BELGRADE)  # Wednesday of 2026-W49
        moments = [
            # Monday 00:30 in Belgrade is still Sunday in UTC: Belgrade's week counts
            ("a", "telegram", "en", datetime(2026, 11, 30, 0, 30, tzinfo=BELGRADE)),
            ("b", "telegram", "en", datetime(2026, 11, 29, 23, 30, tzinfo=BELGRADE)),
            ("c", "viber", "sr-Cyrl", datetime(2026, 11, 29, 23, 30, tzinfo=BELGRADE)),
            ("d", "telegram", "en", datetime(2026, 11, 8, 12, 0, tzinfo=BELGRADE)),  # too old
        ]
        for ident, messenger, locale, at in moments:
            await conn.execute(
                "INSERT INTO users (messenger, external_id, locale, first_seen, last_seen) "
                "VALUES (?, ?, ?, ?, ?)",
                (messenger, ident, locale, stamp(at), stamp(at)),
            )
        labels, series = await people_by_week(conn, 4, now, BELGRADE)
        assert labels == ["2026-W46", "2026-W47", "2026-W48", "2026-W49"]
        assert series == {("telegram", "en"): [0, 0, 1, 1], ("viber", "sr-Cyrl"): [0, 0, 1, 0]}
        # across a new year, ISO weeks belong to the ISO year
        labels, _ = await people_by_week(conn, 3, datetime(2027, 1, 1, tzinfo=BELGRADE), BELGRADE)
        assert labels == ["2026-W51", "2026-W52", "2026-W53"]
    finally:
        await conn.close()
