"""Coordinators list workshops, see who comes, export the list and cancel; nobody else can."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.app import App
from tests.chat import Person
from tests.registration.test_form import FLOWS, complete


@pytest.fixture
def boss(app: App, person: Callable[..., Person]) -> Person:
    return person("99", hint="en")


async def _workshop(app: App, *, capacity: int | None = None, days: int = 10) -> int:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    return await app.services.workshops.add(
        "Партнерства у пракси", "", start, "Сала 3", "", description_sr="Опис",
        capacity=capacity,
    )  # fmt: skip


async def _attend(app: App, p: Person, wid: int) -> str:
    user = await app.services.users.seen(p.ref, p.name)
    return await app.services.attendance.join(wid, user.id)


async def _people(app: App, person: Callable[..., Person], wid: int) -> None:
    """Јелена (registered, Kraljevo) attends; Marko takes the last place; Ana waits."""
    jelena = person("1", hint="sr", name="Jelena")
    await jelena.say("/start")
    await jelena.press("Ћирилица")
    await complete(jelena, FLOWS["Ћирилица"])
    assert await _attend(app, jelena, wid) == "going"
    assert await _attend(app, person("2", name="Marko"), wid) == "going"
    assert await _attend(app, person("3", name="Ana"), wid) == "waiting"


async def test_the_list_shows_every_upcoming_workshop_with_its_numbers(
    app: App, boss: Person, person: Callable[..., Person]
) -> None:
    await boss.say("/workshops")
    assert "No workshop is coming up. /workshop creates one." in boss.text
    await boss.press("New workshop")
    assert "What is the workshop called?" in boss.text
    await boss.press("Cancel")

    later = await _workshop(app, days=20)
    wid = await _workshop(app, capacity=2)
    await _people(app, person, wid)
    await boss.say("/workshops")
    assert "2 workshops coming up:" in boss.text
    first, second = boss.last[1:3]
    assert first.text.startswith(f"Workshop no. {wid}\n“Partnerstva u praksi”")
    assert "All places are taken" in first.text
    assert "Attending: 2 · Waiting list: 1" in first.text
    assert second.text.startswith(f"Workshop no. {later}")
    assert "Attending: 0 · Waiting list: 0" in second.text


async def test_attendees_and_their_exports(
    app: App, boss: Person, person: Callable[..., Person]
) -> None:
    wid = await _workshop(app, capacity=2)
    await boss.press_payload(f"wc:att:{wid}")
    assert "Nobody has signed up yet." in boss.text
    await _people(app, person, wid)

    await boss.say("/workshops")
    await boss.press("Who is coming")
    text = boss.text
    assert "Attending (2):\n1. Jelena, Kraljevo\n2. Marko" in text
    assert "Waiting list (1):\n1. Ana" in text

    await boss.press("CSV")
    [reply] = boss.last
    assert reply.text == "3 people signed up for “Partnerstva u praksi”."
    assert reply.attachment is not None and reply.attachment.filename.endswith(".csv")
    content = reply.attachment.content
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM for Excel"
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Name", "Messenger account", "Municipality", "Position", "E-mail", "Phone", "Status",
        "Signed up",
    ]  # fmt: skip
    assert rows[1][:7] == [
        "Jelena", "console:1", "Kraljevo", "Local administration", "ime@opstina.rs",
        "+381641234567", "attending",
    ]  # fmt: skip
    assert [r[0] for r in rows[1:]] == ["Jelena", "Marko", "Ana"]
    assert [r[6] for r in rows[1:]] == ["attending", "attending", "waiting list"]
    assert rows[2][2:6] == ["", "", "", ""], "Marko never registered"

    await boss.press_payload(f"wc:xlsx:{wid}")
    [reply] = boss.last
    assert reply.attachment is not None and reply.attachment.filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(reply.attachment.content))
    sheet = book.active
    assert sheet is not None and sheet.title == "Attendees"
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [r[0] for r in cells] == ["Name", "Jelena", "Marko", "Ana"]


async def test_the_export_reads_in_cyrillic_for_a_cyrillic_coordinator(
    app: App, boss: Person, person: Callable[..., Person]
) -> None:
    wid = await _workshop(app, capacity=2)
    await _people(app, person, wid)
    await boss.choose_language("Ћирилица")
    await boss.press_payload(f"wc:csv:{wid}")
    [reply] = boss.last
    assert reply.text == "3 пријављене особе за „Партнерства у пракси“."
    assert reply.attachment is not None
    rows = list(csv.reader(io.StringIO(reply.attachment.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Име", "Налог у апликацији", "Општина"]
    assert rows[1][2] == "Краљево" and rows[3][6] == "листа чекања"


async def test_cancelling_asks_first_then_announces_once(
    app: App, boss: Person, person: Callable[..., Person], db_path: Path
) -> None:
    wid = await _workshop(app, capacity=2)
    await _people(app, person, wid)
    soon = datetime.now(UTC) + timedelta(days=5)
    await app.services.announcements.add(
        kind="reminder", audience=f"workshop:{wid}", at=soon, created_by="bot", workshop_id=wid
    )
    await boss.say("/workshops")
    await boss.press("Cancel the workshop")
    assert "Cancel “Partnerstva u praksi”" in boss.text
    # the notice goes to the two coming and to Ana, who waits
    assert "The 3 people signed up are told at once." in boss.text
    await boss.press("No, keep it")
    kept = await app.services.workshops.get(wid)
    assert kept is not None and not kept.cancelled

    await boss.press_payload(f"wc:cancel:{wid}")
    drop = boss.button("Yes, cancel it").payload
    await boss.press_payload(drop)
    assert "“Partnerstva u praksi” is cancelled. 3 people signed up are told at once." in boss.text
    db = sqlite3.connect(db_path)
    rows = db.execute(
        "SELECT kind, audience, workshop_id, force, status, created_by FROM announcements "
        "ORDER BY id"
    ).fetchall()
    assert rows == [
        ("reminder", f"workshop:{wid}", wid, 0, "cancelled", "bot"),
        ("cancelled", f"workshop:{wid}", wid, 1, "scheduled", "console:99"),
    ]
    assert await app.services.workshops.upcoming(10) == []

    await boss.press_payload(drop)  # a double tap, or a colleague's copy of the message
    assert "“Partnerstva u praksi” is cancelled; it can no longer be changed." in boss.text
    assert db.execute("SELECT COUNT(*) FROM announcements").fetchone() == (2,)
    await boss.press_payload(f"wc:edit:{wid}")
    assert "it can no longer be changed" in boss.text
    assert await app.services.dialogs.form(1) is None


async def test_unknown_ids_get_one_clear_line(app: App, boss: Person) -> None:
    for payload in ("wc:att:999", "wc:drop:999", "wc:edit:999", "wc:csv:x"):
        await boss.press_payload(payload)
        assert boss.text.startswith("There is no workshop number"), payload
        assert "/workshops lists the upcoming ones." in boss.text
    await boss.press_payload("wc:fly:1")
    assert "This button has expired." in boss.text


async def test_a_person_who_is_no_coordinator_changes_nothing(
    app: App, boss: Person, person: Callable[..., Person], db_path: Path
) -> None:
    wid = await _workshop(app)
    eve = person("5", hint="en")
    await eve.say("/workshops")
    assert "Sorry, /workshops is for the programme's coordinators only." in eve.text
    answers = set()
    for action in ("att", "csv", "xlsx", "edit", "cancel", "drop"):
        for number in (str(wid), "999", "abc"):
            await eve.press_payload(f"wc:{action}:{number}")
            assert [r.attachment for r in eve.last] == [None]
            answers.add(eve.text)
    assert answers == {
        "Sorry, /workshops is for the programme's coordinators only. /help lists what you can do."
    }, "the same answer whatever the id"
    w = await app.services.workshops.get(wid)
    assert w is not None and not w.cancelled
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT COUNT(*) FROM announcements").fetchone() == (0,)


# -- the command line -----------------------------------------------------------------------------


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PARTNERBOT_DB": str(db)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", "export", "attendees", *args],
        capture_output=True, env=env, timeout=60,
    )  # fmt: skip


async def test_export_attendees_on_the_command_line(
    app: App, person: Callable[..., Person], db_path: Path, tmp_path: Path
) -> None:
    wid = await _workshop(app, capacity=2)
    await _people(app, person, wid)

    result = _cli(db_path, str(wid))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(result.stdout.decode("utf-8-sig"))))
    assert rows[0][0] == "Име"
    assert [r[0] for r in rows[1:]] == ["Jelena", "Marko", "Ana"]
    assert rows[1][2] == "Краљево"

    out = tmp_path / "attendees.xlsx"
    result = _cli(db_path, str(wid), "--format", "xlsx", "--output", str(out), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert f"3 attendees written to {out}" in result.stderr.decode()
    sheet = load_workbook(out).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:3] == ["Name", "Messenger account", "Municipality"]
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["Jelena", "Marko", "Ana"]

    for bad, fragment in ((["999"], "there is no workshop 999"), (["abc"], "invalid int")):
        result = _cli(db_path, *bad)
        assert result.returncode == 2
        lines = result.stderr.decode().strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0], result.stderr
        assert result.stdout == b""
