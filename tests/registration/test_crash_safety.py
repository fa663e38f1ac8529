"""Saving and telling are one: a registration, the end of its form and the coordinators'
notices are written together or not at all."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import App
from bot.core.messages import UserRef
from tests.chat import Person
from tests.registration.test_form import FLOWS


async def _to_summary(p: Person) -> None:
    flow = FLOWS["English"]
    await p.say("/register")
    await p.say(str(flow["town"]))
    await p.press(str(flow["pick"]))
    await p.say(str(flow["name"]))
    await p.press(str(flow["position"]))
    await p.say("ime@opstina.rs")
    await p.say("064 123 4567")
    for area in flow["areas"]:
        await p.press(area)
    await p.press("Done")
    await p.press("Just exploring")
    await p.press("I agree")
    await p.press("Yes")
    assert "Confirm" in p.labels()


async def test_a_failure_while_saving_leaves_nothing_half_done(
    app: App, person: Callable[..., Person], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = person("5", hint="en")
    await p.choose_language("English")
    await _to_summary(p)

    async def broken(*_: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(app.services.notices, "add", broken)
    await p.press("Confirm")
    assert "went wrong" in p.text
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT COUNT(*) FROM registrations").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM notices").fetchone() == (0,)
    monkeypatch.undo()
    # the form is where it was: Confirm again saves it, as new, and the coordinator hears so
    await p.say("/menu")
    await p.press("Continue")
    await p.press("Confirm")
    assert "Registered: Lazarevac" in p.text
    [note] = p.others
    assert note.to == UserRef("console", "99") and "Нова пријава" in note.reply.text
