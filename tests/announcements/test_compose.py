"""/announce as a coordinator uses it on a phone, and as a stranger tries to misuse it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.core.i18n import I18n
from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.registration.fields import CONSENT_VERSION
from bot.storage.registrations import Registration
from tests.chat import Person, settings, shared_faq

COORDINATOR = UserRef("console", "99")


@pytest.fixture
async def app(db_path: Path, i18n: I18n) -> AsyncIterator[App]:
    # without quiet hours: the test may run at night (quiet hours have their own tests)
    app = await App.open(
        settings(db_path, coordinators=frozenset({COORDINATOR}), quiet_hours=None),
        i18n,
        faq=shared_faq(),
    )
    yield app
    await app.close()


@pytest.fixture
def person(app: App) -> Callable[..., Person]:
    def make(user_id: str = "1", name: str = "Ana") -> Person:
        return Person(app, UserRef("console", user_id), name=name)

    return make


async def subscriber(app: App, ident: str, municipality: str = "", area: str = "eu") -> None:
    users = app.services.users
    user = await users.seen(UserRef("console", ident), f"Person {ident}")
    await users.set_locale(user.id, Locale.SR_LATN)
    await users.set_subscribed(user.id, True)
    if municipality:
        await app.services.registrations.save(
            user.id,
            Registration(
                municipality=municipality, name="Ana Anić", position="mayor", position_other="",
                email="ana@opstina.rs", phone="", areas=(area,), stage="looking",
                announcements=True, consent_version=CONSENT_VERSION, locale="sr-Latn",
            ),
        )  # fmt: skip


async def test_a_scheduled_announcement_for_one_district(
    app: App, person: Callable[..., Person]
) -> None:
    await subscriber(app, "1", "nis")
    await subscriber(app, "2", "cacak")
    await subscriber(app, "3")
    c = person("99")
    await c.choose_language("Latinica")
    await c.say("/announce")
    assert "tekst najave" in c.text
    await c.say("Poziv na radionicu o EU fondovima.")
    await c.press("Preskoči")
    await c.press("Po okrugu")
    assert "Nišavski okrug" in c.labels() and "Zlatiborski okrug" in c.labels()
    await c.press("Nišavski okrug")
    assert "1 osoba" in c.text, "the count before anything is sent"
    await c.say("31.2.2027 u 10")
    assert "Taj datum ne postoji" in c.text or "ne postoji" in c.text
    await c.say("1.1.2020 u 10")
    assert "već prošao" in c.text
    await c.say("5. mart 2031. u 10:30")
    assert "Poziv na radionicu o EU fondovima." in c.text  # the preview
    assert "5. marta 2031. u 10:30" in c.text
    await c.press("Potvrdi i pošalji")
    assert "Zakazano: najava br. 1 odlazi 5. marta 2031. u 10:30. Primaoci: 1 osoba." in c.text
    a = await app.services.announcements.get(1)
    assert a is not None and a.audience == "district:Nišavski okrug" and a.status == "scheduled"
    assert a.at == datetime(2031, 3, 5, 9, 30, tzinfo=UTC)
    await c.say("/announcements")
    assert "Br. 1, zakazana za 5. marta 2031. u 10:30" in c.text
    await c.press("Otkaži")
    assert "Najava br. 1 je otkazana." in c.text
    assert (await app.services.announcements.status(1)) == "cancelled"


async def test_a_workshop_announced_to_an_area(app: App, person: Callable[..., Person]) -> None:
    await subscriber(app, "1", "nis", area="environment")
    await subscriber(app, "2", "nis", area="eu")
    start = datetime.now(UTC) + timedelta(days=5)
    wid = await app.services.workshops.add("Радионица о отпаду", "Waste workshop", start, "Ниш")
    c = person("99")
    await c.choose_language("English")
    await c.press_payload(f"an:ws:{wid}")
    assert "title, time, place" in c.text
    await c.say("Bring your project ideas!")
    await c.press("By area of cooperation")
    await c.press("Environmental protection")
    assert "1 person" in c.text
    await c.press("Now")
    # each locale's preview: the card and its attend button
    assert "„Radionica o otpadu“" in c.text and "“Waste workshop”" in c.text
    assert "„Радионица о отпаду“" in c.text
    await c.press("Confirm")
    assert "Announcement no. 1 is being sent. Recipients: 1 person." in c.text
    a = await app.services.announcements.get(1)
    assert a is not None and a.kind == "workshop" and a.workshop_id == wid
    assert a.audience == "area:environment"


async def test_a_too_long_text_and_a_question_mark_are_handled(
    app: App, person: Callable[..., Person]
) -> None:
    c = person("99")
    await c.choose_language("Ћирилица")
    await c.say("/announce")
    await c.say("љ" * 3000)  # 3000 in Cyrillic, 6000 in Latin: over the limit for Latin readers
    assert "6000 знакова" in c.text and "4096" in c.text
    # an announcement may end with a question mark: it is not taken as a question to the bot
    await c.say("Да ли сте спремни за нови позив?")
    assert "на енглеском" in c.text


async def test_strangers_cannot_use_it(app: App, person: Callable[..., Person]) -> None:
    await app.services.announcements.add(
        kind="news", audience="all", at=datetime.now(UTC) + timedelta(days=1), created_by="cli",
        body_sr="Текст",
    )  # fmt: skip
    stranger = person("5")
    await stranger.choose_language("English")
    await stranger.say("/announce")
    assert "only for coordinators" in stranger.text or "coordinators" in stranger.text
    for payload in ("an:cancel:1", "an:cancel:999", "an:report:1", "an:ws:1", "an:cancel:x"):
        await stranger.press_payload(payload)
        first = stranger.text
        assert "coordinators" in first, payload
    # the same answer whatever the number: nothing tells which ones exist
    await stranger.press_payload("an:cancel:1")
    one = stranger.text
    await stranger.press_payload("an:cancel:999")
    assert stranger.text == one
    assert (await app.services.announcements.status(1)) == "scheduled"


async def test_a_coordinator_dropped_from_the_list_cannot_confirm(
    app: App, person: Callable[..., Person], db_path: Path, i18n: I18n
) -> None:
    await subscriber(app, "1")
    c = person("99")
    await c.choose_language("English")
    await c.say("/announce")
    await c.say("News")
    await c.press("Skip")
    await c.press("All subscribers")
    await c.press("Now")
    confirm = c.button("Confirm").payload
    # the bot restarted without them among the coordinators
    again = await App.open(settings(db_path, quiet_hours=None), i18n, faq=shared_faq())
    try:
        former = Person(again, c.ref)
        await former.press_payload(confirm)
        assert "coordinators" in former.text
        assert await again.services.announcements.get(1) is None
    finally:
        await again.close()


async def test_now_in_the_quiet_hours_asks_first(db_path: Path, i18n: I18n) -> None:
    # quiet all day but the last minute, so the test sees them whenever it runs
    quiet = (time(0, 0), time(23, 59))
    app = await App.open(
        settings(db_path, coordinators=frozenset({COORDINATOR}), quiet_hours=quiet),
        i18n,
        faq=shared_faq(),
    )
    try:
        await subscriber(app, "1")
        c = Person(app, COORDINATOR)
        await c.choose_language("English")
        await c.say("/announce")
        await c.say("News")
        await c.press("Skip")
        await c.press("All subscribers")
        await c.press("Now")
        assert "quiet hours (until 23:59)" in c.text
        await c.press("Send in the morning")
        await c.press("Confirm")
        assert "Scheduled: announcement no. 1 goes out on" in c.text and "23:59" in c.text
        a = await app.services.announcements.get(1)
        assert a is not None and not a.force
        await c.say("/announce")
        await c.say("Urgent")
        await c.press("Skip")
        await c.press("All subscribers")
        await c.press("Now")
        await c.press("Send now anyway")
        await c.press("Confirm")
        assert "is being sent" in c.text
        forced = await app.services.announcements.get(2)
        assert forced is not None and forced.force
    finally:
        await app.close()
