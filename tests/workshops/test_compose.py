"""A coordinator creates and changes a workshop on a phone, in Cyrillic, Latin and English."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.core.messages import UserRef
from bot.core.script import is_latin_serbian, to_cyrillic, to_latin
from bot.storage.workshops import Workshop
from tests.chat import Person

BELGRADE = ZoneInfo("Europe/Belgrade")


@pytest.fixture
def coordinator(app: App, person: Callable[..., Person]) -> Callable[[str], Person]:
    """The coordinator (console:99), chatting in the given language button's locale."""

    def make(language: str) -> Person:
        return person("99", hint={"Ћирилица": "sr", "Latinica": "sr-Latn"}.get(language, "en"))

    return make


def next_december_5(hour: int) -> datetime:
    """The next 5 December at `hour` in Belgrade, as a date without a year means."""
    now = datetime.now(BELGRADE)
    moment = datetime(now.year, 12, 5, hour, tzinfo=BELGRADE)
    return moment if moment > now else moment.replace(year=now.year + 1)


async def only_workshop(app: App) -> Workshop:
    [w] = await app.services.workshops.upcoming(10)
    return w


# -- Cyrillic --------------------------------------------------------------------------------


async def test_a_workshop_typed_in_cyrillic_previewed_in_each_locale_then_saved(
    app: App, coordinator: Callable[[str], Person]
) -> None:
    c = coordinator("Ћирилица")
    await c.choose_language("Ћирилица")
    await c.say("/workshop")
    assert "Нова радионица" in c.text
    assert "Како се радионица зове?" in c.text
    await c.say("Партнерства у пракси")
    assert "Наслов на енглеском?" in c.text
    await c.press("Прескочи")
    assert "Када почиње?" in c.text
    await c.say("5. децембар у 10")
    assert "Где?" in c.text
    await c.say("Сала 3, Скупштина града Краљева")
    assert "Место на енглеском?" in c.text
    await c.press("Прескочи")
    await c.say("Партнерства са шведским општинама и подршка ICLD-а")
    await c.press("Прескочи")
    assert "рок за пријаву" in c.text
    await c.press("Без рока")
    await c.say("30")
    assert "Подсетници онима који долазе:" in c.text
    assert "☑ Дан пре и сат пре" in c.labels(), "both reminders are on by default"
    await c.press("Само дан пре")

    preview = c.text
    assert "— Српски, ћирилица —\n„Партнерства у пракси“" in preview
    assert "— Српски, латиница —\n„Partnerstva u praksi“" in preview
    assert "Gde: Sala 3, Skupština grada Kraljeva" in preview
    assert "— Енглески —\n“Partnerstva u praksi”" in preview
    assert "Where: Sala 3, Skupština grada Kraljeva" in preview
    assert "читаоци на енглеском добијају српски текст латиницом" in preview
    assert "Број места: 30" in preview
    assert "Подсетници: Само дан пре" in preview
    assert await app.services.workshops.upcoming(10) == [], "nothing is saved before Save"

    await c.press("Сачувај")
    assert "Сачувано: „Партнерства у пракси“" in c.text
    assert "Објави" in c.labels()
    assert c.button("Објави").payload.startswith("an:ws:")
    w = await only_workshop(app)
    assert (w.title_sr, w.title_en) == ("Партнерства у пракси", "")
    assert w.place_sr == "Сала 3, Скупштина града Краљева"
    assert w.starts_at == next_december_5(10).astimezone(UTC)
    assert (w.capacity, w.reminders, w.signup_until) == (30, (1440,), None)
    assert w.created_by == "console:99"
    assert c.button("Објави").payload == f"an:ws:{w.id}"


async def test_quick_day_and_time_buttons(app: App, coordinator: Callable[[str], Person]) -> None:
    c = coordinator("Ћирилица")
    await c.choose_language("Ћирилица")
    await c.say("/workshop")
    await c.say("Радионица")
    await c.press("Прескочи")
    tomorrow = datetime.now(BELGRADE).date() + timedelta(days=1)
    day_label = f"{tomorrow.day}. "
    assert any(label.startswith(day_label) for label in c.labels()), c.labels()
    day = next(label for label in c.labels() if label.startswith(day_label))
    await c.press(day)
    assert f"{day}: у колико сати почиње?" in c.text
    await c.press("14:00")
    assert "Где?" in c.text
    await c.say("https://meet.example.org/abc")
    assert "Кратак опис" in c.text, "an online workshop has no place to translate"
    await c.say("Опис")
    await c.press("Прескочи")
    await c.press("Без рока")
    await c.press("Без ограничења")
    await c.press("Дан пре и сат пре")
    assert "Онлајн: https://meet.example.org/abc" in c.text
    assert "Број места: без ограничења" in c.text
    await c.press("Сачувај")
    w = await only_workshop(app)
    local = w.starts_at.astimezone(BELGRADE)
    assert (local.date(), local.hour, local.minute) == (tomorrow, 14, 0)
    assert (w.link, w.place_sr) == ("https://meet.example.org/abc", "")


# -- Latin -----------------------------------------------------------------------------------


async def test_latin_is_offered_in_cyrillic_to_accept_or_to_type(
    app: App, coordinator: Callable[[str], Person]
) -> None:
    c = coordinator("Latinica")
    await c.choose_language("Latinica")
    await c.say("/workshop")
    assert "Kako se radionica zove?" in c.text
    await c.say("Partnerstva u praksi")
    assert "Партнерства у пракси" in c.text, "the Cyrillic it would store"
    await c.press("Prihvati")
    assert "Naslov na engleskom?" in c.text
    await c.say("Partnerships in practice")
    await c.say("5. 12. u 10")
    await c.say("Gradska kuća, Niš")
    assert "Градска кућа, Ниш" in c.text
    await c.say("Градска кућа у Нишу")  # typed in Cyrillic instead
    assert "Mesto na engleskom?" in c.text
    await c.say("City Hall, Niš")
    await c.say("Radionica o džemu i pravljenju kolača za ICLD")
    assert "Радионица о џему и прављењу колача за ICLD" in c.text
    await c.press("Prihvati")
    await c.say("A workshop about jam")
    await c.say(f"1.12.{next_december_5(10).year}")
    await c.press("Bez ograničenja")
    await c.press("Dan pre i sat pre")

    preview = c.text
    assert "“Partnerships in practice”" in preview
    assert "Where: City Hall, Niš" in preview
    assert "„Partnerstva u praksi“" in preview and "„Партнерства у пракси“" in preview
    assert "Prijave do: 1. decembra" in preview
    assert "latinicom" not in preview, "everything has its English: no note"
    await c.press("Sačuvaj")
    assert "Sačuvano: „Partnerstva u praksi“" in c.text
    w = await only_workshop(app)
    assert w.title_sr == "Партнерства у пракси"
    assert w.place_sr == "Градска кућа у Нишу"
    assert w.description_sr == "Радионица о џему и прављењу колача за ICLD"
    assert (w.title_en, w.place_en) == ("Partnerships in practice", "City Hall, Niš")
    assert w.starts_at == next_december_5(10).astimezone(UTC)
    assert w.signup_until is not None
    deadline = w.signup_until.astimezone(BELGRADE)
    assert (deadline.month, deadline.day, deadline.hour, deadline.minute) == (12, 1, 23, 59)


async def test_a_form_left_for_another_command_is_resumed(
    app: App, coordinator: Callable[[str], Person]
) -> None:
    c = coordinator("Latinica")
    await c.choose_language("Latinica")
    await c.say("/workshop")
    await c.say("Partnerstva")
    await c.say("/workshops")
    assert "Nema predstojećih radionica." in c.text
    await c.say("/workshop")
    assert "Imate otvoren obrazac radionice" in c.text
    await c.press("Nastavi")
    assert "Партнерства" in c.text, "the offered Cyrillic is asked again"
    await c.press("Prihvati")
    assert "Naslov na engleskom?" in c.text


# -- English, and what is refused -------------------------------------------------------------


async def test_english_dates_and_bad_input_ask_the_same_step_again(
    app: App, coordinator: Callable[[str], Person]
) -> None:
    c = coordinator("English")
    await c.choose_language("English")
    await c.say("/workshop")
    await c.say("…")
    assert "There are no words in that." in c.text
    assert "What is the workshop called?" in c.text
    await c.say("x" * 151)
    assert "That is 151 characters; at most 150 characters fit here." in c.text
    await c.say("Partnerstva u praksi")
    await c.press("Accept")
    await c.say("Партнерства")
    assert "That is written in Cyrillic." in c.text
    assert "The title in English?" in c.text
    await c.say("Partnerships in practice")

    await c.say("1.1.2020 10:00")
    assert "That moment has already passed." in c.text
    assert "When does it start?" in c.text
    await c.say("31.2. at 10")
    assert "That date or time does not exist" in c.text
    assert "When does it start?" in c.text
    await c.say("some day soon")
    assert "I cannot read that date." in c.text
    await c.say("December 5")
    assert "Please add the time too" in c.text
    await c.say("December 5 10:00")
    assert "Where?" in c.text

    await c.say("Kraljevo")
    await c.press("Accept")
    await c.press("Skip")
    await c.say("Opis radionice")
    await c.press("Accept")
    await c.press("Skip")
    await c.say(f"6.12.{next_december_5(10).year} 10:00")
    assert "The sign-up deadline must be before the start" in c.text
    await c.press("No deadline")
    await c.say("many")
    assert "Please write a whole number of places from 1 to 10000" in c.text
    await c.say("0")
    assert "Please write a whole number" in c.text
    await c.say("25")
    await c.say("hello")
    assert "Please answer with the buttons." in c.text
    await c.press("No reminders")
    assert "Reminders: No reminders" in c.text
    assert "English readers get the Serbian Latin text" in c.text
    assert "“Partnerships in practice”" in c.text

    await c.press("Change something")
    await c.press("Date and time")
    await c.say("December 5 11:30")
    assert "This is how the workshop will read." in c.text, "back to the preview"
    await c.press("Save")
    w = await only_workshop(app)
    assert w.starts_at == (next_december_5(11) + timedelta(minutes=30)).astimezone(UTC)
    assert (w.capacity, w.reminders, w.place_sr) == (25, (), "Краљево")


async def test_back_and_cancel(app: App, coordinator: Callable[[str], Person]) -> None:
    c = coordinator("English")
    await c.choose_language("English")
    await c.say("/workshop")
    assert "« Back" not in c.labels(), "nothing before the first question"
    await c.say("Радионица")
    await c.press("« Back")
    assert "What is the workshop called?" in c.text
    await c.say("Радионица")
    old = c.button("Skip").payload
    await c.press("Skip")
    await c.press_payload(old)
    assert "That button belongs to an earlier step." in c.text
    assert "When does it start?" in c.text
    await c.press("Cancel")
    assert "The workshop form is closed: nothing was saved." in c.text
    assert await app.services.workshops.upcoming(10) == []


async def test_a_person_who_is_no_coordinator_cannot_open_the_form(
    app: App, coordinator: Callable[[str], Person], person: Callable[..., Person]
) -> None:
    coordinator("English")
    eve = person("5", hint="en")
    await eve.say("/workshop")
    assert "Sorry, /workshop is for the programme's coordinators only." in eve.text
    assert "What is the workshop called?" not in eve.text
    await eve.press_payload("wc:new")
    assert "coordinators only" in eve.text
    assert await app.services.dialogs.form(1) is None


# -- changing a saved workshop -----------------------------------------------------------------


async def _saved(app: App, *, place: str = "Сала 3") -> int:
    start = datetime.now(UTC) + timedelta(days=20)
    return await app.services.workshops.add(
        "Партнерства у пракси", "Partnerships in practice", start.replace(microsecond=0),
        place, "Room 3", description_sr="Опис", description_en="About",
    )  # fmt: skip


async def test_a_new_time_is_announced_to_attendees_at_once(
    app: App, coordinator: Callable[[str], Person], person: Callable[..., Person], db_path: Path
) -> None:
    wid = await _saved(app)
    ana = person("1", hint="en")
    await ana.say("/start")
    user = await app.services.users.seen(ana.ref, "Ana")
    await app.services.attendance.join(wid, user.id)

    c = coordinator("English")
    await c.choose_language("English")
    await c.say("/workshops")
    assert "1 workshop coming up:" in c.text
    assert f"Workshop no. {wid}" in c.text
    assert "Attending: 1 · Waiting list: 0" in c.text
    await c.press("Change")
    assert "What would you like to change?" in c.text
    await c.press("Title in English")
    await c.say("Partnerships at work")
    assert "“Partnerships at work”" in c.text
    await c.press("Save the changes")
    assert "The changes are saved: “Partnerships at work”" in c.text
    assert "told of the change" not in c.text, "a new title is no news to attendees"
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT COUNT(*) FROM announcements").fetchone() == (0,)

    await c.say("/workshops")
    await c.press("Change")
    await c.press("Date and time")
    await c.say("December 5 10:00")
    await c.press("Save the changes")
    assert "1 person signed up is told of the change at once." in c.text
    rows = db.execute(
        "SELECT kind, audience, workshop_id, force, status, created_by FROM announcements"
    ).fetchall()
    assert rows == [("change", f"workshop:{wid}", wid, 1, "scheduled", "console:99")]
    w = await app.services.workshops.get(wid)
    assert w is not None and w.starts_at == next_december_5(10).astimezone(UTC)
    assert w.title_en == "Partnerships at work"


async def test_a_new_place_is_announced_too(
    app: App, coordinator: Callable[[str], Person], db_path: Path
) -> None:
    wid = await _saved(app)
    c = coordinator("Ћирилица")
    await c.choose_language("Ћирилица")
    await c.press_payload(f"wc:edit:{wid}")
    await c.press("Место или линк")
    await c.say("https://meet.example.org/x")
    await c.press("Сачувај измене")
    assert "0 пријављених особа сада добија обавештење о промени." in c.text
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT kind FROM announcements").fetchall() == [("change",)]
    w = await app.services.workshops.get(wid)
    assert w is not None
    assert (w.place_sr, w.place_en, w.link) == ("", "", "https://meet.example.org/x")


async def test_a_forged_edit_button_changes_nothing(
    app: App, coordinator: Callable[[str], Person], person: Callable[..., Person]
) -> None:
    wid = await _saved(app)
    coordinator("English")
    eve = person("5", hint="en")
    for payload in (f"wc:edit:{wid}", "wc:edit:999", "wc:edit:abc", "wc:whatever"):
        await eve.press_payload(payload)
        assert "Sorry, /workshops is for the programme's coordinators only." in eve.text
    assert await app.services.dialogs.form(1) is None


# -- Latin → Cyrillic --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Ljubljana i Njegoš", "Љубљана и Његош"),
        ("džem, Džep, DŽ", "џем, Џеп, DŽ"),
        ("Đorđe i Djordje", "Ђорђе и Дјордје"),
        ("Radionica ICLD-a u Nišu", "Радионица ICLD-а у Нишу"),
        ("U Beogradu, 5. decembra u 10", "У Београду, 5. децембра у 10"),
        ("Čačak, Užice, Šabac, Žabalj", "Чачак, Ужице, Шабац, Жабаљ"),
        ("Pišite na ime@opstina.rs", "Пишите на ime@opstina.rs"),
        ("Link: https://zoom.us/j/1?pwd=abc", "Линк: https://zoom.us/j/1?pwd=abc"),
        ("Sastanak u Wien-u, Quebec, Xbox", "Састанак у Wien-у, Quebec, Xbox"),
        ("EU i SKGO", "EU и SKGO"),
    ],
)
def test_to_cyrillic(latin: str, cyrillic: str) -> None:
    assert to_cyrillic(latin) == cyrillic


def test_to_cyrillic_round_trips_and_knows_what_to_offer() -> None:
    text = "Ljubljana, Njegoš, džem, Đorđe, Čačak, Užice, Šabac"
    assert to_latin(to_cyrillic(text)) == text
    # a combining caron (typed on some keyboards) is the same letter
    assert to_cyrillic("Nis\u030c") == "Ниш"
    assert is_latin_serbian("Partnerstva u praksi")
    assert not is_latin_serbian("Партнерства")
    assert not is_latin_serbian("ICLD 2026")
    assert not is_latin_serbian("https://meet.example.org")


async def test_more_places_move_the_waiting_list_up_and_tell_them(
    app: App, coordinator: Callable[[str], Person], person: Callable[..., Person]
) -> None:
    wid = await _saved(app)
    await app.services.workshops.update(wid, capacity=1)
    ids = []
    for n, hint in (("1", "en"), ("2", "sr"), ("3", "en")):
        p = person(n, hint=hint)
        await p.say("/start")
        ids.append((await app.services.users.seen(p.ref, "X")).id)
    attendance = app.services.attendance
    assert [await attendance.join(wid, uid) for uid in ids] == ["going", "waiting", "waiting"]
    c = coordinator("English")
    await c.choose_language("English")
    await c.press_payload(f"wc:edit:{wid}")
    await c.press("Number of places")
    await c.say("2")
    await c.press("Save the changes")
    # the first waiting moves up and is told, in their language; the second still waits
    assert [await attendance.status(wid, uid) for uid in ids] == ["going", "going", "waiting"]
    [notice] = c.others
    assert notice.to == UserRef("console", "2") and notice.reply.text.startswith("Ослободило")
