"""/mydata and /forget do what they say; coordinators count and export with Cyrillic intact."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

from bot.core.messages import UserRef
from tests.chat import Person
from tests.registration.test_form import FLOWS, complete

COORDINATOR = UserRef("console", "99")


async def _registered(person: Callable[..., Person], user: str, language: str) -> Person:
    p = person(user, hint="en")
    await p.say("/start")
    await p.press(language)
    await complete(p, FLOWS[language])
    return p


async def test_mydata_shows_everything_stored(person: Callable[..., Person]) -> None:
    p = await _registered(person, "1", "Latinica")
    await p.say("/ask")
    await p.say("Kada je sledeća radionica?")
    await p.say("/mydata")
    text = p.text
    assert "Nalog: console:1" in text
    assert "Jezik: srpski, latinica" in text
    assert "Ime: Marko Marković" in text
    assert "Telefon: +381 64 123 4567" in text
    assert "verzija saglasnosti 2026-11-27" in text
    assert "„Kada je sledeća radionica?“" in text


async def test_forget_removes_every_row_and_keeps_a_count(
    person: Callable[..., Person], db_path: Path
) -> None:
    p = await _registered(person, "1", "English")
    await p.say("/ask")
    await p.say("one question")
    other = await _registered(person, "2", "Latinica")

    db = sqlite3.connect(db_path)
    [(uid,)] = db.execute("SELECT id FROM users WHERE external_id = '1'").fetchall()
    await p.say("/register")
    await p.say("Kraljevo")  # a second registration, half-typed: erased too
    await p.say("/forget")
    await p.press("Cancel")
    assert "Nothing was deleted" in p.text
    await p.say("/forget")
    await p.press("Yes, delete everything")
    assert "the bot no longer stores anything about you" in p.text

    for table in ("registrations", "questions", "dialog_slots"):
        rows = db.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (uid,)).fetchone()
        assert rows == (0,), table
    assert db.execute("SELECT COUNT(*) FROM users WHERE external_id = '1'").fetchone() == (0,)
    assert db.execute("SELECT people, registrations, questions FROM forgotten").fetchone() == (
        1, 1, 1,
    )  # fmt: skip
    assert db.execute("SELECT COUNT(*) FROM registrations").fetchone() == (1,), other.ref


async def test_erased_data_is_gone_from_the_files_too(
    person: Callable[..., Person], db_path: Path
) -> None:
    # not only from the tables: the write-ahead log and freed pages held the e-mail until a
    # checkpoint, and SQLite's build decides whether deleted rows are overwritten
    p = person("1", hint="en")
    await p.say("/start")
    await p.press("English")
    await complete(p, FLOWS["English"], email="erase.me.please@opstina.rs")
    await p.say("/ask")
    await p.say("A question that names erase.me.please@opstina.rs")
    files = [db_path, db_path.with_name(db_path.name + "-wal")]
    assert any(b"erase.me.please" in f.read_bytes() for f in files if f.exists())
    await p.say("/forget")
    await p.press("Yes, delete everything")
    for f in files:
        if f.exists():
            assert b"erase.me.please" not in f.read_bytes(), f.name


async def test_coordinators_see_counts_and_can_mute_notifications(
    person: Callable[..., Person],
) -> None:
    boss = person("99", hint="en")
    await boss.choose_language("English")
    await boss.say("/registrations")
    assert "No registrations yet." in boss.text
    await _registered(person, "1", "Ћирилица")
    await _registered(person, "2", "English")
    await boss.say("/registrations")
    assert "2 registrations." in boss.text
    assert "Kraljevo: 1" in boss.text
    assert "Social services: 1" in boss.text
    assert "We already have a Swedish partner: 1" in boss.text

    await boss.say("/notifications")
    assert "No more notifications" in boss.text
    p = await _registered(person, "3", "Latinica")
    assert p.others == []
    eve = person("5", hint="en")
    await eve.say("/export")
    assert "coordinators only" in eve.text


async def test_export_in_chat_is_an_excel_file_with_cyrillic_intact(
    person: Callable[..., Person],
) -> None:
    await _registered(person, "1", "Ћирилица")
    boss = person("99", hint="sr")
    await boss.say("/export")
    [reply] = boss.last
    assert reply.attachment is not None and reply.attachment.filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(reply.attachment.content))
    sheet = book.active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["Последња измена", "Пријављено", "Општина", "Име"]
    assert rows[1][2:4] == ["Краљево", "Јелена Јовановић"]


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PARTNERBOT_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "export", "registrations", *args],
        capture_output=True, env=env, timeout=60,
    )  # fmt: skip


async def test_export_on_the_command_line_csv_and_xlsx(
    person: Callable[..., Person], db_path: Path, tmp_path: Path
) -> None:
    await _registered(person, "1", "Ћирилица")
    await _registered(person, "2", "English")

    result = _cli(db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM for Excel"
    lines = list(csv.reader(io.StringIO(result.stdout.decode("utf-8-sig"))))
    assert lines[0][2:4] == ["Општина", "Име"]
    assert lines[1][2:4] == ["Краљево", "Јелена Јовановић"]
    assert lines[2][2] == "Лазаревац (градска општина, Београд)"

    out = tmp_path / "regs.xlsx"
    result = _cli(db_path, "--format", "xlsx", "--output", str(out), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert f"2 registrations written to {out}" in result.stderr.decode()
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][2] == "Municipality"
    assert rows[1][2:4] == ["Kraljevo", "Јелена Јовановић"], "names stay exactly as typed"

    bad = _cli(db_path, "--format", "pdf")
    assert bad.returncode == 2 and len(bad.stderr.decode().strip().splitlines()) == 1


async def test_a_question_from_a_registered_official_names_the_municipality(
    person: Callable[..., Person],
) -> None:
    p = await _registered(person, "1", "English")
    await p.say("/ask")
    await p.say("Can we bring the youth council to Sweden?")
    [note] = p.others
    assert "Пријављен/а за: Лазаревац (градска општина, Београд)" in note.reply.text


async def test_one_switch_for_announcements_whatever_changed_it(
    person: Callable[..., Person], db_path: Path
) -> None:
    p = await _registered(person, "1", "English")  # answered "Yes"
    await p.say("/unsubscribe")
    await p.say("/mydata")
    assert "Announcements: Yes" not in p.text
    assert p.text.count("Announcements: No") == 2, "the profile and the registration agree"
    out = db_path.parent / "one.csv"
    exported = _cli(db_path, "--format", "csv", "--lang", "en", "--output", str(out))
    assert f"1 registration written to {out}" in exported.stderr.decode()
    [row] = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert row["Announcements"] == "No"

    # answering "No" in the form switches off an earlier subscription
    await p.say("/subscribe")
    await complete(p, {**FLOWS["English"], "yes": "No"})
    await p.say("/mydata")
    assert p.text.count("Announcements: No") == 2
    assert sqlite3.connect(db_path).execute("SELECT subscribed FROM users").fetchall() == [(0,)]


async def test_mydata_shows_a_half_filled_form_and_forget_erases_it(
    person: Callable[..., Person], db_path: Path
) -> None:
    p = person("7", hint="en")
    await p.choose_language("English")
    await p.say("/register")
    await p.say("Kraljevo")
    await p.press("Kraljevo")
    await p.say("Jelena Jović")
    await p.press("Mayor")
    await p.say("jelena@kraljevo.rs")
    await p.say("/mydata")
    text = p.text
    assert "An unfinished registration form" in text
    assert "Name: Jelena Jović" in text and "E-mail: jelena@kraljevo.rs" in text
    assert "Stage" not in text, "only what was typed"
    await p.say("/forget")
    await p.press("Yes, delete everything")
    await p.say("/mydata")
    assert "Jelena" not in p.text and "unfinished" not in p.text
    rows = sqlite3.connect(db_path).execute("SELECT data FROM dialog_slots").fetchall()
    assert not any("Jelena" in str(r) for r in rows)
