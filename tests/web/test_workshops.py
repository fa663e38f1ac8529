"""Workshops at a desk: created, changed and cancelled in the browser, and what people in the
chat see and are told, as when a coordinator uses the chat."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App
from bot.core.i18n import I18n
from bot.core.messages import UserRef
from bot.web.pages.workshop_form import local_value
from tests.chat import Person
from tests.delivery.test_outbound import Messenger
from tests.web.desk import COORDINATOR, Desk, desk

ANA = UserRef("test", "1")
BOB = UserRef("test", "2")
_HIDDEN = re.compile(r'name="(form_id|version)" value="([^"]*)"')


def hidden(browser: Desk) -> dict[str, str]:
    """What the last form carries besides its fields: its one-time id, the edited version."""
    return dict(_HIDDEN.findall(browser.html))


def local(app: App, days: float) -> str:
    """A moment `days` ahead as <input type="datetime-local"> sends it, in the bot's zone."""
    moment = datetime.now(UTC) + timedelta(days=days)
    return f"{moment.astimezone(app.services.settings.timezone):%Y-%m-%dT%H:00}"


def form(app: App, **changes: str) -> dict[str, str]:
    fields = {
        "title": "Partnerstva u praksi", "title_en": "", "starts": local(app, 10),
        "minutes": "90", "place": "Sala 3, Kraljevo", "place_en": "", "link": "",
        "description": "Kako do partnera u Švedskoj", "description_en": "", "deadline": "",
        "capacity": "30", "remind_day": "yes", "action": "save",
    }  # fmt: skip
    fields.update(changes)
    return {k: v for k, v in fields.items() if v != "-"}


async def signed_in(app: App, browser: Desk) -> None:
    await browser.sign_in(Person(app, COORDINATOR, name="Milica", hint="en"))


async def saved(app: App, **more: object) -> int:
    start = (datetime.now(UTC) + timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    values: dict[str, object] = {"description_sr": "Опис", "description_en": "About"}
    values.update(more)
    return await app.services.workshops.add(
        "Партнерства у пракси", "Partnerships in practice", start, "Сала 3", "Room 3", **values
    )


async def attending(app: App, ref: UserRef, wid: int) -> Person:
    """Someone who pressed "I'll attend" under the workshop in the chat."""
    p = Person(app, ref, hint="en")
    await p.choose_language("English")
    await p.press("Workshops")
    await p.press_payload(f"w:show:{wid}")
    await p.press("I'll attend")
    return p


async def delivered(app: App) -> None:
    """Until what the broadcaster and the notifier started is out."""
    await app.broadcaster.tick()
    for _ in range(300):
        if not app.broadcaster.running():
            break
        await asyncio.sleep(0.01)
    await app.notifier.join()
    await app.outbound.join()


def announcements(db_path: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(db_path)
    return db.execute("SELECT kind, workshop_id, force, status FROM announcements").fetchall()


async def test_a_workshop_typed_in_latin_is_saved_in_cyrillic_and_people_see_it(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await signed_in(app, browser)
        await browser.get("/workshops")
        assert browser.status == 200 and "No workshop is coming up." in browser.html
        await browser.get("/workshops/new")
        assert 'type="datetime-local"' in browser.html and "Europe/Belgrade" in browser.html
        await browser.post("/workshops/new", form(app))
        assert browser.status == 200, browser.html
        assert "Saved: “Partnerstva u praksi”" in browser.html
        [w] = await app.services.workshops.upcoming(10)
        assert (w.title_sr, w.place_sr, w.description_sr) == (
            "Партнерства у пракси", "Сала 3, Краљево", "Како до партнера у Шведској",
        )  # fmt: skip
        assert (w.capacity, w.minutes, w.reminders, w.link) == (30, 90, (1440,), "")
        assert local_value(w.starts_at, app.services.settings.timezone) == form(app)["starts"]
        assert "0 of 30" in browser.html and "Only the day before" in browser.html
        assert "Milica" in browser.html and f"added workshop #{w.id}" in browser.html

        ana = Person(app, ANA, hint="en")
        await ana.choose_language("English")
        await ana.press("Workshops")
        assert "Partnerstva u praksi" in ana.text
        await ana.choose_language("Ћирилица")
        await ana.press("Радионице")
        assert "Партнерства у пракси" in ana.text


async def test_the_preview_shows_each_locale_s_card_and_saves_nothing(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await signed_in(app, browser)
        await browser.get("/workshops/new")
        fields = form(app, title_en="Partnerships in practice", action="preview")
        await browser.post("/workshops/new", fields)
        assert browser.status == 200
        html = browser.html
        assert "— Serbian, Cyrillic —" in html and "„Партнерства у пракси“" in html
        assert "— Serbian, Latin —" in html and "„Partnerstva u praksi“" in html
        assert "— English —" in html and "“Partnerships in practice”" in html
        assert "Places: 30" in html
        assert 'value="Partnerstva u praksi"' in html, "the form keeps what was typed"
        assert await app.services.workshops.upcoming(10) == []


async def test_bad_input_shows_the_form_again_and_saves_nothing(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await signed_in(app, browser)
        await browser.get("/workshops/new")
        cases = {
            "starts": (local(app, -1), "That moment has already passed."),
            "link": ("ftp://files.example.org/x", "full address of the online meeting"),
            "capacity": ("0", "whole number of places from 1 to 10000"),
        }
        more = [
            ("link", "javascript:alert(1)", "full address of the online meeting"),
            ("capacity", "10001", "whole number of places"),
            ("capacity", "lots", "whole number of places"),
            ("starts", "", "the date and time when the workshop starts"),
            ("starts", "2026-02-31T10:00", "does not exist"),
            ("deadline", local(app, 11), "The sign-up deadline must be before the start"),
            ("title", "…", "There are no words in that."),
            ("title_en", "Партнерства", "That is written in Cyrillic."),
            ("minutes", "0", "whole number of minutes"),
            # more digits than int() reads, and digits that are not ASCII
            ("capacity", "9" * 5000, "whole number of places"),
            ("minutes", "١٢٠", "whole number of minutes"),
        ]
        tries = [(name, value, text) for name, (value, text) in cases.items()] + more
        for name, value, text in tries:
            await browser.post("/workshops/new", form(app, **{name: value}))
            assert browser.status == 400, (name, value)
            assert text in browser.html, (name, value)
            assert "Nothing was saved: 1 field needs correcting" in browser.html
            assert 'aria-invalid="true"' in browser.html
        # no place and no link: one or the other is needed
        await browser.post("/workshops/new", form(app, place=""))
        assert browser.status == 400 and "a place, an online link, or both" in browser.html
        assert await app.services.workshops.upcoming(10) == []
        assert await app.services.workshops.past(10) == []
        assert await app.services.audit.latest_of(["workshop_add"]) == []


async def test_a_new_time_is_told_to_those_coming(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        messenger = Messenger()
        app.add_transport("test", messenger)
        wid = await saved(app)
        ana = await attending(app, ANA, wid)
        assert "You are signed up" in ana.text
        await signed_in(app, browser)

        await browser.get(f"/workshops/{wid}/edit")
        assert browser.status == 200
        assert 'value="Партнерства у пракси"' in browser.html
        assert "1 person is coming" in browser.html
        # a new English title is no news to those coming
        w = await app.services.workshops.get(wid)
        assert w is not None
        fields = {
            "title": "Партнерства у пракси", "title_en": "Partnerships at work",
            "starts": local_value(w.starts_at, app.services.settings.timezone), "minutes": "120",
            "place": "Сала 3", "place_en": "Room 3", "description": "Опис",
            "description_en": "About", "remind_day": "yes", "remind_hour": "yes",
        }  # fmt: skip
        await browser.post(f"/workshops/{wid}/edit", {**fields, **hidden(browser)})
        assert browser.status == 200
        assert "The changes are saved: “Partnerships at work”" in browser.html
        assert "told of the change" not in browser.html
        assert announcements(db_path) == []

        await browser.get(f"/workshops/{wid}/edit")
        edited = {**fields, "starts": local(app, 12), **hidden(browser)}
        await browser.post(f"/workshops/{wid}/edit", edited)
        assert browser.status == 200
        assert "1 person signed up is told of the change at once." in browser.html
        assert announcements(db_path) == [("change", wid, 1, "scheduled")]
        assert "changed workshop #" in browser.html and "Milica" in browser.html
        await delivered(app)
        [told] = messenger.texts(ANA)
        assert "“Partnerships at work” has a new time or place" in told


async def test_more_places_move_the_waiting_list_up_and_tell_them(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        messenger = Messenger()
        app.add_transport("test", messenger)
        wid = await saved(app, capacity=1)
        await attending(app, ANA, wid)
        bob = await attending(app, BOB, wid)
        assert "All places are taken" in bob.text
        await signed_in(app, browser)
        await browser.get("/workshops")
        assert "1 of 1" in browser.html
        await browser.get(f"/workshops/{wid}/edit")
        w = await app.services.workshops.get(wid)
        assert w is not None
        # only the number of places changes: no news of a time or place
        fields = {
            "title": "Партнерства у пракси", "title_en": "Partnerships in practice",
            "starts": local_value(w.starts_at, app.services.settings.timezone),
            "place": "Сала 3", "place_en": "Room 3", "description": "Опис",
            "description_en": "About", "capacity": "2", **hidden(browser),
        }  # fmt: skip
        await browser.post(f"/workshops/{wid}/edit", fields)
        assert browser.status == 200, browser.html
        assert await app.services.attendance.counts(wid) == (2, 0)
        await delivered(app)
        [notice] = messenger.texts(BOB)
        assert notice.startswith("A place opened: you are now signed up for")
        assert announcements(db_path) == []


async def test_cancelling_needs_the_confirmation_then_tells_everyone_signed_up(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        messenger = Messenger()
        app.add_transport("test", messenger)
        wid = await saved(app)
        await attending(app, ANA, wid)
        await signed_in(app, browser)
        await browser.get("/workshops")
        assert "Yes, cancel “Partnerships in practice” and tell the 1 person" in browser.html

        await browser.post(f"/workshops/{wid}/cancel", {})
        assert browser.status == 400
        assert "please tick the box that confirms it first" in browser.html
        w = await app.services.workshops.get(wid)
        assert w is not None and not w.cancelled
        assert announcements(db_path) == []

        await browser.post(f"/workshops/{wid}/cancel", {"confirm": "yes"})
        assert browser.status == 200
        assert "“Partnerships in practice” is cancelled. 1 person signed up is told" in browser.html
        w = await app.services.workshops.get(wid)
        assert w is not None and w.cancelled
        assert announcements(db_path) == [("cancelled", wid, 1, "scheduled")]
        assert "Over or cancelled" in browser.html and "Cancelled" in browser.html
        assert f"cancelled workshop #{wid}" in browser.html
        await delivered(app)
        [told] = messenger.texts(ANA)
        assert "has been cancelled" in told

        # nothing more to change: the same notice does not go out twice
        await browser.post(f"/workshops/{wid}/cancel", {"confirm": "yes"})
        assert browser.status == 400 and "is cancelled; it can no longer be changed" in browser.html
        await browser.get(f"/workshops/{wid}/edit")
        assert browser.status == 400
        assert len(announcements(db_path)) == 1


async def test_unknown_workshops_get_a_clear_page(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await signed_in(app, browser)
        for path in ("/workshops/999/edit", "/workshops/abc/edit", "/workshops/999/attendees.csv"):
            await browser.get(path)
            assert browser.status == 404, path
            assert "There is no workshop at this address." in browser.html
        await browser.post("/workshops/999/cancel", {"confirm": "yes"})
        assert browser.status == 404
        await browser.get("/workshops/1/edit")
        await browser.post("/workshops/999/edit", form(app))
        assert browser.status == 404
        assert await app.services.workshops.upcoming(10) == []


async def test_the_attendees_export(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        wid = await saved(app)
        await attending(app, ANA, wid)
        await signed_in(app, browser)
        async with browser.client.get(f"{browser.base}/workshops/{wid}/attendees.csv") as resp:
            assert resp.status == 200
            assert resp.headers["Content-Disposition"].startswith("attachment;")
            content = await resp.read()
        assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM for Excel"
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert rows[0][0] == "Name" and rows[1][:2] == ["Ana", "test:1"]
        async with browser.client.get(f"{browser.base}/workshops/{wid}/attendees.xlsx") as resp:
            assert resp.status == 200 and (await resp.read()).startswith(b"PK")
        done = await app.services.audit.latest_of(["export_attendees"])
        assert [e.subject for e in done] == [f"{wid} xlsx 1", f"{wid} csv 1"]


async def test_the_list_in_three_locales(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await saved(app)
        await signed_in(app, browser)
        await browser.get("/workshops")
        assert "<h1>Workshops</h1>" in browser.html
        assert "Partnerships in practice" in browser.html and "Room 3" in browser.html
        await browser.post("/language", {"locale": "sr-Latn", "back": "/workshops"})
        assert "<h1>Radionice</h1>" in browser.html
        assert "Partnerstva u praksi" in browser.html and "Sala 3" in browser.html
        assert "0 od" not in browser.html and "0 (bez ograničenja)" in browser.html
        await browser.post("/language", {"locale": "sr-Cyrl", "back": "/workshops"})
        assert "<h1>Радионице</h1>" in browser.html
        assert "Партнерства у пракси" in browser.html and "Предстојеће" in browser.html
        await browser.get("/workshops/new")
        assert "Наслов на српском" in browser.html


async def test_without_a_session_nothing_is_shown(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        wid = await saved(app)
        for path in ("/workshops", "/workshops/new", f"/workshops/{wid}/edit"):
            await browser.get(path)
            assert browser.status == 401, path
        async with browser.client.post(
            f"{browser.base}/workshops/{wid}/cancel", data={"confirm": "yes"}
        ) as resp:
            assert resp.status == 401
        w = await app.services.workshops.get(wid)
        assert w is not None and not w.cancelled


async def test_a_double_click_or_a_reload_saves_once(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        messenger = Messenger()
        app.add_transport("test", messenger)
        await signed_in(app, browser)
        await browser.get("/workshops/new")
        fields = {**form(app), **hidden(browser)}
        await browser.post("/workshops/new", {**fields, "action": "preview"})
        assert hidden(browser)["form_id"] == fields["form_id"], "the preview keeps the form's id"
        pages = []
        for _ in range(2):
            await browser.post("/workshops/new", fields)
            assert browser.status == 200
            pages.append(browser.text)
        [w] = await app.services.workshops.upcoming(10)
        assert len(await app.services.audit.latest_of(["workshop_add"])) == 1
        for page in pages:
            assert "Saved: “Partnerstva u praksi”" in page and f"(workshop no. {w.id})" in page

        # a change sent twice: saved and told once, the same confirmation both times
        await attending(app, ANA, w.id)
        await browser.get(f"/workshops/{w.id}/edit")
        edited = {**form(app, starts=local(app, 12)), **hidden(browser)}
        for _ in range(2):
            await browser.post(f"/workshops/{w.id}/edit", edited)
            assert browser.status == 200, browser.text
            assert "1 person signed up is told of the change at once." in browser.text
        assert announcements(db_path) == [("change", w.id, 1, "scheduled")]
        assert len(await app.services.audit.latest_of(["workshop_edit"])) == 1


async def test_saving_over_a_colleague_s_change_is_refused(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        messenger = Messenger()
        app.add_transport("test", messenger)
        wid = await saved(app)
        await attending(app, ANA, wid)
        await signed_in(app, browser)
        await browser.get(f"/workshops/{wid}/edit")
        mine = {**form(app, starts=local(app, 12)), **hidden(browser)}
        # the preview keeps the version the form was filled from
        await browser.post(f"/workshops/{wid}/edit", {**mine, "action": "preview"})
        assert hidden(browser)["version"] == mine["version"]
        # meanwhile a colleague moves it to another room, in the chat or another browser
        w = await app.services.workshops.get(wid)
        assert w is not None
        await app.services.workshops.update(wid, place_sr="Сала 5")
        await browser.post(f"/workshops/{wid}/edit", mine)
        assert browser.status == 409
        assert "A colleague changed this workshop while you were editing it" in browser.text
        assert 'value="Сала 5"' in browser.html, "the form shows the workshop as it is now"
        now = await app.services.workshops.get(wid)
        assert now is not None and (now.starts_at, now.place_sr) == (w.starts_at, "Сала 5")
        assert announcements(db_path) == []
        assert await app.services.audit.latest_of(["workshop_edit"]) == []
        await delivered(app)
        assert messenger.texts(ANA) == []
        # made again on the workshop as it is, the change is saved
        again = {**form(app, starts=local(app, 12), place="Сала 5"), **hidden(browser)}
        await browser.post(f"/workshops/{wid}/edit", again)
        assert browser.status == 200, browser.text
        assert "The changes are saved" in browser.text
        assert announcements(db_path) == [("change", wid, 1, "scheduled")]


async def test_the_confirmation_counts_from_the_database(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        wid = await saved(app)
        await attending(app, ANA, wid)
        await signed_in(app, browser)
        news = await app.services.announcements.add(
            kind="news", audience="all", at=datetime.now(UTC), created_by="cli", body_sr="Вест"
        )
        for notice in ("", str(news), "999"):
            await browser.get("/workshops", done="edited", w=str(wid), told="999", notice=notice)
            assert "The changes are saved" in browser.text
            assert "told of the change" not in browser.text, notice
        # not cancelled: no word of a cancellation, whatever the address says
        await browser.get("/workshops", done="cancelled", w=str(wid), told="999")
        assert "is cancelled" not in browser.text
        await browser.post(f"/workshops/{wid}/cancel", {"confirm": "yes"})
        assert "1 person signed up is told at once" in browser.text
        await browser.get("/workshops", done="cancelled", w=str(wid), told="999")
        assert "1 person signed up is told at once" in browser.text
        assert "999 people" not in browser.text
