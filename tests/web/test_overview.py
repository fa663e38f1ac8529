"""The overview's charts: what they count, in the coordinator's language, escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from bot.app import App
from bot.core.i18n import I18n
from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.storage.registrations import Registration
from tests.chat import Person
from tests.web.desk import COORDINATOR, desk


def _registration(municipality: str, areas: tuple[str, ...]) -> Registration:
    return Registration(
        municipality=municipality, name="Ana Anić", position="mayor", position_other="",
        email="ana@example.rs", phone="", areas=areas, stage="looking", announcements=True,
        consent_version="1", locale="sr-Latn",
    )  # fmt: skip


async def _seed(app: App) -> None:
    users = app.services.users
    for i, (municipality, areas) in enumerate(
        [("cacak", ("economy", "eu")), ("cacak", ("economy",)), ("kraljevo", ("social",))]
    ):
        user = await users.seen(UserRef("telegram", str(10 + i)), f"Person <b>{i}</b>")
        await users.set_locale(user.id, Locale.SR_LATN)
        await app.services.registrations.save(user.id, _registration(municipality, areas))
    viber = await users.seen(UserRef("viber", "abc=="), "Viber person")
    await users.set_locale(viber.id, Locale.EN)


def _charts(html: str) -> list[ET.Element]:
    found = []
    start = 0
    while (i := html.find("<svg", start)) >= 0:
        end = html.index("</svg>", i) + len("</svg>")
        found.append(ET.fromstring(html[i:end]))
        start = end
    return found


def _desc(chart: ET.Element) -> str:
    return " ".join(e.text or "" for e in chart.iter() if e.tag.endswith("desc"))


async def test_the_overview_draws_what_the_bot_has_seen(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _seed(app)
        asker = Person(app, UserRef("telegram", "50"), hint="en")
        await asker.say("Who funds the programme?")  # answered outright
        await asker.say("Can you lend me a tractor for the weekend?")  # not known
        coordinator = Person(app, COORDINATOR, hint="en")
        await browser.sign_in(coordinator)
        charts = _charts(browser.html)
        assert len(charts) == 5
        assert all(c.get("role") == "img" for c in charts)
        people, weekly, districts, areas, questions = map(_desc, charts)
        assert "Telegram, Serbian, Latin: 3" in people and "Viber, English: 1" in people
        assert ": 3" in weekly
        assert "Moravički okrug: 2" in districts and "Raški okrug: 1" in districts
        assert "Local economic development: 2" in areas and "EU integration: 1" in areas
        assert "answered outright: 1" in questions and "not known to the bot: 1" in questions

        await browser.post("/language", {"locale": "sr-Cyrl", "back": "/"})
        assert "Преглед" in browser.html
        districts = _desc(_charts(browser.html)[2])
        assert "Моравички округ: 2" in districts
        await browser.post("/language", {"locale": "sr-Latn", "back": "/"})
        assert "Pregled" in browser.html and "Moravički okrug: 2" in browser.html


async def test_an_empty_bot_says_there_is_no_data_yet(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))
        assert browser.html.count("No data yet") >= 4
