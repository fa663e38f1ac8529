"""Counts for the console's charts, aggregated by SQLite: a page reads a few hundred rows at
most, however many people use the bot."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, tzinfo

import aiosqlite

from bot.registration.municipalities import all_municipalities
from bot.storage.clock import stamp


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weeks(count: int, now: datetime, zone: tzinfo) -> tuple[date, list[str]]:
    """The first day and the labels of the last `count` ISO weeks up to now's."""
    today = now.astimezone(zone).date()
    first = today - timedelta(days=today.weekday(), weeks=count - 1)
    return first, [week_label(first + timedelta(weeks=i)) for i in range(count)]


def _bounds(count: int, now: datetime, zone: tzinfo) -> tuple[list[str], list[str]]:
    """Week labels, and each week's local Monday midnight as a stored (UTC) timestamp, plus
    the end of the last week: SQLite puts rows into weeks by comparing text."""
    first, labels = weeks(count, now, zone)
    starts = []
    for i in range(count + 1):
        day = first + timedelta(weeks=i)
        starts.append(stamp(datetime(day.year, day.month, day.day, tzinfo=zone)))
    return labels, starts


def _week_of(column: str, starts: list[str]) -> tuple[str, list[str]]:
    """A SQL expression giving the week index of `column`, and its parameters."""
    cases = " ".join(f"WHEN {column} < ? THEN {i}" for i in range(len(starts) - 1))
    return f"CASE {cases} END", starts[1:]


async def people_by_week(
    conn: aiosqlite.Connection, count: int, now: datetime, zone: tzinfo
) -> tuple[list[str], dict[tuple[str, str], list[int]]]:
    """New people per week, by (messenger, locale or ''), for the last `count` weeks."""
    labels, starts = _bounds(count, now, zone)
    week, params = _week_of("first_seen", starts)
    rows = await conn.execute_fetchall(
        f"SELECT {week} AS w, messenger, COALESCE(locale, last_locale, '') AS loc, COUNT(*) "
        "FROM users WHERE first_seen >= ? AND first_seen < ? GROUP BY w, messenger, loc",
        (*params, starts[0], starts[-1]),
    )
    series: dict[tuple[str, str], list[int]] = {}
    for index, messenger, locale, n in rows:
        series.setdefault((str(messenger), str(locale)), [0] * count)[int(index)] += int(n)
    return labels, dict(sorted(series.items()))


async def registrations_by_week(
    conn: aiosqlite.Connection, count: int, now: datetime, zone: tzinfo
) -> tuple[list[str], list[int]]:
    labels, starts = _bounds(count, now, zone)
    week, params = _week_of("created_at", starts)
    rows = await conn.execute_fetchall(
        f"SELECT {week} AS w, COUNT(*) FROM registrations "
        "WHERE created_at >= ? AND created_at < ? GROUP BY w",
        (*params, starts[0], starts[-1]),
    )
    counts = [0] * count
    for index, n in rows:
        counts[int(index)] += int(n)
    return labels, counts


async def registrations_by_district(conn: aiosqlite.Connection) -> Counter[str]:
    """District (as the statistical office writes it, Latin) → registrations."""
    rows = await conn.execute_fetchall(
        "SELECT municipality, COUNT(*) FROM registrations GROUP BY municipality"
    )
    places = all_municipalities()
    out: Counter[str] = Counter()
    for code, n in rows:
        place = places.get(str(code))
        out[place.district if place and place.district else ""] += int(n)
    return out


async def registrations_by_area(conn: aiosqlite.Connection) -> Counter[str]:
    rows = await conn.execute_fetchall(
        "SELECT j.value, COUNT(*) FROM registrations, json_each(registrations.areas) AS j "
        "GROUP BY j.value"
    )
    return Counter({str(area): int(n) for area, n in rows})


async def handed_over(conn: aiosqlite.Connection) -> int:
    """Questions sent to coordinators, those of people who erased themselves included."""
    rows = list(
        await conn.execute_fetchall(
            "SELECT (SELECT COUNT(*) FROM questions) + (SELECT questions FROM forgotten)"
        )
    )
    return int(rows[0][0])
