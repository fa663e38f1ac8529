"""A bot's history written straight into its database, for the console's pages to show:
people over half a year, registrations across the country, questions, what people asked,
workshops and announcements. The same seed gives the same rows (a fixed random generator);
moments are spread back from `now`, so the overview's charts have weeks to draw."""

from __future__ import annotations

import json
import math
import random
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.registration.fields import AREAS, CONSENT_VERSION, POSITIONS, STAGES
from bot.registration.municipalities import all_municipalities
from bot.storage.clock import stamp
from bot.storage.db import open_db

WEEKS = 26
COORDINATOR_REF = "telegram:900"
_FIRST = "Ана Марко Јелена Милош Ivana Nikola Dragana Stefan Milica Petar Sanja Jovan".split()
_LAST = "Петровић Јовановић Николић Marković Đorđević Stojanović Ilić Pavlović Savić".split()
_QUESTIONS = (
    "Када је следећи позив за пројекте?",
    "Da li opština može da ima dva partnera u Švedskoj?",
    "Who pays for the study visit?",
    "Колико траје партнерство?",
    "Kako da prijavimo novog koordinatora?",
    "Can a city municipality apply on its own?",
)
_ASKED = (
    ("declined", "", "Ima li para za biciklističke staze?"),
    ("declined", "", "Где се предаје завршни извештај?"),
    ("suggested", "application", "kako se prijaviti za partnerstvo"),
    ("suggested", "costs", "Who covers travel costs?"),
    ("answered", "icld", ""),
    ("answered", "application", ""),
    ("small_talk", "", ""),
)
_LOCALES = ("sr-Cyrl", "sr-Latn", "en")


@dataclass(frozen=True)
class Sizes:
    people: int = 60
    registrations: int = 24
    questions: int = 12
    open_questions: int = 4
    asked: int = 80
    workshops: int = 3
    announcements: int = 3


def _ago(now: datetime, rng: random.Random, weeks: float = WEEKS) -> datetime:
    # more recently than half a year ago (the bot grew): the density falls linearly with age
    age = 7 * weeks * (1 - math.sqrt(rng.random()))
    return now - timedelta(days=age, seconds=rng.randrange(86400))


def _people(rng: random.Random, now: datetime, n: int) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for i in range(n):
        first_seen = _ago(now, rng)
        locale = rng.choice((*_LOCALES, None))
        rows.append((
            "viber" if i % 3 == 2 else "telegram", str(10_000 + i),
            f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", locale, locale or rng.choice(_LOCALES),
            stamp(first_seen), stamp(first_seen + (now - first_seen) * rng.random()),
            int(rng.random() < 0.4),
        ))  # fmt: skip
    return rows


def _registrations(
    rng: random.Random, now: datetime, users: list[tuple[int, str]], n: int
) -> list[tuple[object, ...]]:
    codes = sorted(all_municipalities())
    rows: list[tuple[object, ...]] = []
    for user_id, first_seen in rng.sample(users, min(n, len(users))):
        start = datetime.fromisoformat(first_seen)
        created = start + (now - start) * rng.random()
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        areas = rng.sample(AREAS, rng.randint(1, 3))
        rows.append((
            user_id, rng.choice(codes), name, rng.choice(POSITIONS),
            f"user{user_id}@opstina.example.rs", f"+38160{user_id:07d}", json.dumps(areas),
            rng.choice(STAGES), CONSENT_VERSION, stamp(created), rng.choice(_LOCALES),
            stamp(created), stamp(created),
        ))  # fmt: skip
    return rows


def seed_rows(conn: sqlite3.Connection, sizes: Sizes, now: datetime, seed: int = 12) -> None:
    """Appends `sizes` worth of history to a migrated database, in one transaction."""
    rng = random.Random(seed)
    with conn:
        before = conn.execute("SELECT COALESCE(MAX(id), 0) FROM users").fetchone()[0]
        conn.executemany(
            "INSERT INTO users (messenger, external_id, name, locale, last_locale, first_seen,"
            " last_seen, subscribed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            _people(rng, now, sizes.people),
        )
        users = conn.execute(
            "SELECT id, first_seen FROM users WHERE id > ? ORDER BY id", (before,)
        ).fetchall()
        conn.executemany(
            "INSERT OR IGNORE INTO registrations (user_id, municipality, name, position, email,"
            " phone, areas, stage, consent_version, consent_at, locale, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _registrations(rng, now, users, sizes.registrations),
        )
        questions = []
        for i in range(sizes.questions):
            user_id, _ = rng.choice(users)
            asked_at = _ago(now, rng, 8 if i >= sizes.open_questions else 1)
            answered = i >= sizes.open_questions
            questions.append((
                user_id, rng.choice(_QUESTIONS), rng.choice(_LOCALES),
                "answered" if answered else "open", stamp(asked_at),
                "Погледајте упутство на сајту." if answered else None,
                COORDINATOR_REF if answered else None,
                stamp(asked_at + timedelta(hours=5)) if answered else None,
            ))  # fmt: skip
        conn.executemany(
            "INSERT INTO questions (user_id, text, locale, status, created_at, answer,"
            " answered_by, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            questions,
        )
        asked = []
        for _ in range(sizes.asked):
            outcome, topic, text = rng.choice(_ASKED)
            asked.append((rng.choice(users)[0], stamp(_ago(now, rng, 12)), outcome, topic,
                          rng.choice(_LOCALES), text))  # fmt: skip
        conn.executemany(
            "INSERT INTO asked (user_id, at, outcome, topic, locale, text)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            asked,
        )
        _workshops_and_announcements(conn, rng, now, sizes)


def _workshops_and_announcements(
    conn: sqlite3.Connection, rng: random.Random, now: datetime, sizes: Sizes
) -> None:
    for i in range(sizes.workshops):
        starts = now + timedelta(days=7 * (i - 1) + 3, hours=10 - now.hour)
        conn.execute(
            "INSERT INTO workshops (title_sr, title_en, place_sr, place_en, starts_at, created_at,"
            " capacity, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (f"Радионица {i + 1}: писање пројеката", f"Workshop {i + 1}: writing projects",
             "Београд, СКГО", "Belgrade, SKGO", stamp(starts), stamp(now - timedelta(days=20)),
             30, COORDINATOR_REF),
        )  # fmt: skip
    subscribed = [r[0] for r in conn.execute("SELECT id FROM users WHERE subscribed = 1")]
    for i in range(sizes.announcements):
        done = i < sizes.announcements - 1
        at = (
            now - timedelta(days=10 * (sizes.announcements - i))
            if done
            else now + timedelta(days=2)
        )
        cur = conn.execute(
            "INSERT INTO announcements (kind, body_sr, body_en, audience, at, status, created_by,"
            " created_at, started_at, finished_at) VALUES ('news', ?, ?, 'all', ?, ?, ?, ?, ?, ?)",
            (f"Нови позив за партнерства, број {i + 1}.", f"A new call, no. {i + 1}.",
             stamp(at), "done" if done else "scheduled", COORDINATOR_REF, stamp(at),
             stamp(at) if done else None, stamp(at + timedelta(minutes=3)) if done else None),
        )  # fmt: skip
        if done:
            conn.executemany(
                "INSERT INTO outbox (announcement_id, user_id, status) VALUES (?, ?, ?)",
                [(cur.lastrowid, u, "delivered" if rng.random() < 0.97 else "unreachable")
                 for u in subscribed],
            )  # fmt: skip


async def seed(db_path: Path, sizes: Sizes, now: datetime | None = None) -> None:
    """Creates the schema (as the bot does at start) and writes the history into it."""
    await (await open_db(db_path)).close()
    conn = sqlite3.connect(db_path)
    try:
        seed_rows(conn, sizes, now or datetime.now(UTC))
    finally:
        conn.close()
