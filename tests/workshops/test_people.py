"""Workshops as people see them: the list, attending, the waiting list, the calendar file, and
buttons pressed long after the message that carried them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from icalendar.prop import vDDDTypes

from bot.app import App
from tests.chat import Person

BELGRADE = ZoneInfo("Europe/Belgrade")


def _fifth_of_december() -> datetime:
    """The next 5 December still a few days ahead: the dates in the texts stay winter ones."""
    now = datetime.now(BELGRADE)
    year = now.year if now < datetime(now.year, 12, 2, tzinfo=BELGRADE) else now.year + 1
    return datetime(year, 12, 5, 10, 0, tzinfo=BELGRADE)


START = _fifth_of_december()
Y = START.year


@dataclass(frozen=True)
class Lang:
    choose: str
    workshops: str
    when: str
    title: str
    attend: str
    leave: str
    calendar: str
    signed_up: str
    already: str
    waiting: str
    left: str
    moved_up: str


CYRL = Lang(
    choose="Ћирилица", workshops="Радионице", when=f"5. децембра {Y}. у 10:00",
    title="Општинска партнерства", attend="Долазим", leave="Откажи долазак",
    calendar="Додај у календар",
    signed_up=f"Пријављени сте за радионицу „Општинска партнерства“ која почиње 5. децембра {Y}.",
    already="Већ сте пријављени за радионицу „Општинска партнерства“",
    waiting="Сва места су попуњена: на листи чекања сте",
    left="Ваш долазак на „Општинска партнерства“ је отказан.",
    moved_up="Ослободило се место: сада сте пријављени за радионицу „Општинска партнерства“",
)  # fmt: skip
LATN = Lang(
    choose="Latinica", workshops="Radionice", when=f"5. decembra {Y}. u 10:00",
    title="Opštinska partnerstva", attend="Dolazim", leave="Otkaži dolazak",
    calendar="Dodaj u kalendar",
    signed_up=f"Prijavljeni ste za radionicu „Opštinska partnerstva“ koja počinje 5. decembra {Y}.",
    already="Već ste prijavljeni za radionicu „Opštinska partnerstva“",
    waiting="Sva mesta su popunjena: na listi čekanja ste",
    left="Vaš dolazak na „Opštinska partnerstva“ je otkazan.",
    moved_up="Oslobodilo se mesto: sada ste prijavljeni za radionicu „Opštinska partnerstva“",
)  # fmt: skip
EN = Lang(
    choose="English", workshops="Workshops", when=f"5 December {Y}, 10:00",
    title="Municipal partnerships", attend="I'll attend", leave="Cancel my attendance",
    calendar="Add to calendar",
    signed_up=f"You are signed up for “Municipal partnerships” on 5 December {Y}, 10:00.",
    already="You are already signed up for “Municipal partnerships”",
    waiting="All places are taken: you are on the waiting list",
    left="Your attendance at “Municipal partnerships” is cancelled.",
    moved_up="A place opened: you are now signed up for “Municipal partnerships”",
)  # fmt: skip
LANGS = pytest.mark.parametrize("lang", [CYRL, LATN, EN], ids=["sr-Cyrl", "sr-Latn", "en"])


@pytest.fixture
def app_with_people(app: App) -> App:
    return app  # the app installs the people's side itself


async def add_workshop(app: App, start: datetime = START, **more: object) -> int:
    return await app.services.workshops.add(
        "Општинска партнерства", "Municipal partnerships", start, "Београд, Палата општина",
        "Belgrade, Palace of Municipalities", **more,
    )  # fmt: skip


async def speaking(person: Callable[..., Person], lang: Lang, user_id: str = "1") -> Person:
    p = person(user_id)
    await p.choose_language(lang.choose)
    return p


async def user_id(app: App, p: Person) -> int:
    user = await app.services.users.get(p.ref)
    assert user is not None
    return user.id


def payloads(p: Person) -> list[str]:
    return [b.payload for r in p.last for b in r.flat_buttons]


@LANGS
async def test_the_menu_lists_upcoming_workshops_with_the_date_in_the_reader_s_locale(
    app_with_people: App, person: Callable[..., Person], lang: Lang
) -> None:
    wid = await add_workshop(app_with_people)
    p = await speaking(person, lang)
    await p.press(lang.workshops)
    assert f"{lang.title}: {lang.when}" in p.text
    assert f"w:show:{wid}" in payloads(p)
    await p.press(lang.title)  # the details button
    assert lang.when in p.text
    assert lang.attend in p.labels() and lang.calendar in p.labels()


async def test_the_menu_lists_five_workshops_at_most(
    app_with_people: App, person: Callable[..., Person]
) -> None:
    for day in range(7):
        await add_workshop(app_with_people, START + timedelta(days=day))
    p = await speaking(person, EN)
    await p.press("Workshops")
    assert sum(x.startswith("w:show:") for x in payloads(p)) == 5


async def test_with_no_workshop_the_menu_still_offers_the_announcements(
    app_with_people: App, person: Callable[..., Person]
) -> None:
    p = await speaking(person, LATN)
    await p.press("Radionice")
    assert "Trenutno nije zakazana nijedna radionica" in p.text
    assert "sub:on" in payloads(p)


@LANGS
async def test_attending_and_pressing_again(
    app_with_people: App, person: Callable[..., Person], lang: Lang
) -> None:
    wid = await add_workshop(app_with_people)
    p = await speaking(person, lang)
    await p.press_payload(f"w:show:{wid}")
    await p.press(lang.attend)
    assert lang.signed_up in p.text
    assert lang.leave in p.labels(), "the reply offers to take it back"
    going = await app_with_people.services.attendance.status(wid, await user_id(app_with_people, p))
    assert going == "going"

    # the same button again, from the announcement it came with
    await p.press_payload(f"w:go:{wid}")
    assert lang.already in p.text
    assert await app_with_people.services.attendance.counts(wid) == (1, 0)


@pytest.mark.parametrize(
    ("first", "second"),
    [(CYRL, EN), (EN, LATN), (LATN, CYRL)],
    ids=["cyrl-en", "en-latn", "latn-cyrl"],
)
async def test_a_place_given_up_goes_to_the_waiting_list_in_its_own_language(
    app_with_people: App, person: Callable[..., Person], first: Lang, second: Lang
) -> None:
    wid = await add_workshop(app_with_people, capacity=1)
    ana = await speaking(person, first, "1")
    ben = await speaking(person, second, "2")
    await ana.press_payload(f"w:go:{wid}")
    assert first.signed_up in ana.text
    await ben.press_payload(f"w:go:{wid}")
    assert second.waiting in ben.text
    await ben.press_payload(f"w:go:{wid}")
    assert second.waiting not in ben.text, "pressed again: already on the list, not a new place"

    await ana.press(first.leave)
    assert first.left in ana.text
    [notice] = ana.others
    assert notice.to == ben.ref
    assert notice.kind == "notice"
    assert second.moved_up in notice.reply.text
    assert second.when in notice.reply.text
    assert f"w:leave:{wid}" in [b.payload for b in notice.reply.flat_buttons]
    ben_id = await user_id(app_with_people, ben)
    assert await app_with_people.services.attendance.status(wid, ben_id) == "going"


async def test_leaving_the_waiting_list_moves_nobody_up(
    app_with_people: App, person: Callable[..., Person]
) -> None:
    wid = await add_workshop(app_with_people, capacity=1)
    ana, ben = await speaking(person, EN, "1"), await speaking(person, EN, "2")
    await ana.press_payload(f"w:go:{wid}")
    await ben.press_payload(f"w:go:{wid}")
    await ben.press_payload(f"w:leave:{wid}")
    assert "You are no longer on the waiting list" in ben.text
    assert not ben.others
    await ben.press_payload(f"w:leave:{wid}")
    assert "You were not signed up" in ben.text


async def test_after_the_sign_up_deadline_nobody_is_signed_up(
    app_with_people: App, person: Callable[..., Person]
) -> None:
    closed = datetime.now(UTC) - timedelta(hours=1)
    wid = await add_workshop(app_with_people, signup_until=closed)
    p = await speaking(person, CYRL)
    await p.press_payload(f"w:show:{wid}")
    assert f"w:go:{wid}" not in payloads(p), "no button that can only say no"
    await p.press_payload(f"w:go:{wid}")
    assert "Пријаве за „Општинска партнерства“ су се затвориле" in p.text
    status = await app_with_people.services.attendance.status(
        wid, await user_id(app_with_people, p)
    )
    assert status is None


async def test_a_started_workshop_takes_no_one(
    app_with_people: App, person: Callable[..., Person]
) -> None:
    wid = await add_workshop(app_with_people, datetime.now(UTC) - timedelta(minutes=30))
    p = await speaking(person, EN)
    await p.press_payload(f"w:go:{wid}")
    assert "“Municipal partnerships” has already started" in p.text


async def test_a_cancelled_workshop_says_so(
    app_with_people: App, person: Callable[..., Person]
) -> None:
    wid = await add_workshop(app_with_people)
    await app_with_people.services.workshops.cancel(wid)
    p = await speaking(person, LATN)
    for action in ("go", "show", "ics", "leave"):
        await p.press_payload(f"w:{action}:{wid}")
        assert "Radionica „Opštinska partnerstva“ je otkazana." in p.text
        assert "menu" in payloads(p)
    assert p.last[0].attachment is None


@pytest.mark.parametrize("payload", ["w:go:abc", "w:go:", "w:go:-1", "w:go:٣", "w:fly:1", "w:"])
async def test_a_forged_button_is_an_expired_one(
    app_with_people: App, person: Callable[..., Person], payload: str
) -> None:
    await add_workshop(app_with_people)
    p = await speaking(person, EN)
    await p.press_payload(payload)
    assert "This button has expired" in p.text
    assert "m:workshops" in payloads(p), "the menu comes with it"


async def test_an_unknown_or_past_workshop_is_no_longer_open(
    app_with_people: App, person: Callable[..., Person]
) -> None:
    past = await add_workshop(app_with_people, datetime.now(UTC) - timedelta(days=2))
    p = await speaking(person, CYRL)
    for payload in ("w:go:99999", f"w:go:{past}", f"w:show:{past}", f"w:ics:{past}"):
        await p.press_payload(payload)
        assert "Ова радионица више није отворена" in p.text
        assert "menu" in payloads(p)


async def test_the_faq_answer_about_workshops_leads_to_each_one(
    app_with_people: App, person: Callable[..., Person]
) -> None:
    wid = await add_workshop(app_with_people)
    p = await speaking(person, CYRL)
    await p.press_payload("f:workshop.upcoming")
    assert f"Општинска партнерства: 5. децембра {Y}. у 10:00" in p.text
    await p.press("Детаљи: Општинска партнерства")
    assert f"w:go:{wid}" in payloads(p)


def _lines(raw: bytes) -> list[str]:
    """The content lines, unfolded as RFC 5545 says, read without the library."""
    assert raw.endswith(b"\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n"), "every line ends in CRLF"
    text = raw.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    return text.split("\r\n")[:-1]


@LANGS
async def test_the_calendar_file_has_the_local_time_and_its_time_zone(
    app_with_people: App, person: Callable[..., Person], lang: Lang
) -> None:
    wid = await add_workshop(app_with_people, link="https://meet.example/ws")
    p = await speaking(person, lang)
    await p.press_payload(f"w:show:{wid}")
    await p.press(lang.calendar)
    [reply] = p.last
    assert reply.attachment is not None
    assert reply.attachment.filename == f"workshop-{wid}.ics"
    raw = reply.attachment.content

    calendar = Calendar.from_ical(raw)
    [event] = calendar.events
    assert event.uid == f"workshop-{wid}@partnerbot"
    assert event.summary == lang.title
    dtstart = event["DTSTART"]
    assert isinstance(dtstart, vDDDTypes)
    assert dtstart.params["TZID"] == "Europe/Belgrade"
    assert event.start == START
    assert isinstance(event.start, datetime)
    assert isinstance(event.start.tzinfo, ZoneInfo)
    assert event.start.tzinfo.key == "Europe/Belgrade"
    assert (event.start.hour, event.start.minute) == (10, 0), "the local time, not UTC"
    assert event.end == START + timedelta(minutes=120)
    assert event.url == "https://meet.example/ws"
    assert "https://meet.example/ws" in (event.description or "")
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Belgrade"]

    lines = _lines(raw)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert {"VERSION:2.0", "METHOD:PUBLISH", "BEGIN:VTIMEZONE", "TZID:Europe/Belgrade"} <= set(
        lines
    )
    assert any(line.startswith("PRODID:") for line in lines)
    assert any(line.startswith("DTSTAMP:") and line.endswith("Z") for line in lines)
    assert f"DTSTART;TZID=Europe/Belgrade:{Y}1205T100000" in lines
    assert lines.index("BEGIN:VTIMEZONE") < lines.index("BEGIN:VEVENT"), "defined before use"
    stack: list[str] = []
    for line in lines:
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:]
    assert not stack


async def test_a_summer_workshop_is_on_summer_time(
    app_with_people: App, person: Callable[..., Person]
) -> None:
    summer = datetime(Y + 1, 7, 1, 18, 30, tzinfo=BELGRADE)
    wid = await add_workshop(app_with_people, summer, minutes=90)
    p = await speaking(person, EN)
    await p.press_payload(f"w:ics:{wid}")
    [reply] = p.last
    assert reply.attachment is not None
    raw = reply.attachment.content
    [event] = Calendar.from_ical(raw).events
    start = event.start
    assert isinstance(start, datetime)
    assert start.utcoffset() == timedelta(hours=2)
    assert (start.hour, start.minute) == (18, 30)
    assert event.end == summer + timedelta(minutes=90)
    assert event.location == "Belgrade, Palace of Municipalities"
    lines = _lines(raw)
    assert f"DTSTART;TZID=Europe/Belgrade:{Y + 1}0701T183000" in lines
    assert "TZOFFSETTO:+0200" in lines
    assert "LOCATION:Belgrade\\, Palace of Municipalities" in lines
