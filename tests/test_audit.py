"""Coordinators' actions are recorded (who, what, when) and /audit shows the latest."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from bot.app import App
from tests.chat import Person


async def test_answers_exports_reloads_and_announcements_are_recorded(
    app: App, person: Callable[..., Person], db_path: Path
) -> None:
    ana = person("1", hint="sr")
    await ana.say("/ask")
    await ana.say("Када је рок за пријаве?")
    boss = person("99", hint="en")
    await boss.choose_language("English")
    await boss.press_payload("q:reply:1")
    await boss.say("The deadline is in March.")
    await boss.say("/export")
    await boss.say("/reload")
    await boss.say("/audit")
    text = boss.text
    assert text.startswith("The latest actions of coordinators")
    lines = text.splitlines()[1:]
    assert "console:99: reloaded the FAQ" in lines[0], "newest first"
    assert "console:99: exported the registrations (format and number: xlsx 0)" in lines[1]
    assert "console:99: answered question #1" in lines[2]
    # the record names objects by number: no question text, no asker
    rows = await app.services.db.execute_fetchall("SELECT * FROM audit")
    assert not any("рок" in str(tuple(r)) or "console:1" in str(tuple(r)) for r in rows)
    # people cannot read it
    await ana.say("/audit")
    assert "coordinators only" in ana.text or "координатор" in ana.text


async def test_the_command_line_is_recorded_too(app: App, db_path: Path) -> None:
    body = db_path.parent / "body.txt"
    body.write_text("Радионица у уторак.", encoding="utf-8")
    env = {"PARTNERBOT_DB": str(db_path), "PATH": "/usr/bin:/bin"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "announce", "--text-file", str(body),
        env=env, cwd=db_path.parent, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    [entry] = await app.services.audit.latest()
    assert (entry.actor, entry.action, entry.subject) == ("cli", "announce", "1")
