"""The registrations table: search in either script, filters, sorting, pages and exports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from openpyxl import load_workbook

from bot.app import App
from bot.core.i18n import I18n
from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.registration import export
from bot.registration.fields import CONSENT_VERSION
from bot.registration.municipalities import search
from bot.storage.registrations import Registration
from bot.web.pages.registration_table import everything
from tests.chat import Person
from tests.web.desk import COORDINATOR, Desk, desk

CACAK = search("Čačak")[0].code
KRALJEVO = search("Kraljevo")[0].code
BEOGRAD = search("Beograd")[0].code


async def register(
    app: App, ident: str, name: str, municipality: str, *, areas: tuple[str, ...] = ("economy",),
    stage: str = "looking", announcements: bool = True, position: str = "mayor",
    email: str = "", messenger: str = "telegram",
) -> None:  # fmt: skip
    services = app.services
    user = await services.users.seen(UserRef(messenger, ident), name)
    await services.users.set_subscribed(user.id, announcements)
    registration = Registration(
        municipality=municipality, name=name, position=position, position_other="",
        email=email or f"person{ident}@example.rs", phone="+381321234567", areas=areas,
        stage=stage, announcements=announcements, consent_version=CONSENT_VERSION,
        locale="sr-Cyrl",
    )  # fmt: skip
    await services.registrations.save(user.id, registration)


async def three(app: App) -> None:
    await register(app, "1", "Милица Јовановић", CACAK, areas=("eu",), stage="has_partner")
    await register(
        app, "2", "Đorđe Petrović", KRALJEVO, areas=("economy", "social"), announcements=False,
        position="assistant", messenger="viber",
    )  # fmt: skip
    await register(app, "3", "Ana Kovač", BEOGRAD, stage="exploring", email="ana@beograd.gov.rs")


@asynccontextmanager
async def signed_in(db_path: Path, i18n: I18n) -> AsyncIterator[tuple[App, Desk]]:
    async with desk(db_path, i18n) as (app, _, browser):
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))
        yield app, browser


def names(html: str, label: str = "Name") -> list[str]:
    """The names in the table, top to bottom."""
    return re.findall(rf'<td data-label="{label}">([^<]*)</td>', html)


async def test_the_table_in_three_locales(db_path: Path, i18n: I18n) -> None:
    async with signed_in(db_path, i18n) as (app, browser):
        await three(app)
        html = await browser.get("/registrations")
        assert browser.status == 200
        assert "<h1>Registrations</h1>" in html and "Showing 1–3 of 3" in html
        assert "Čačak" in html and "Moravički okrug" in html and "Assistant mayor" in html
        assert "Viber" in html and "Telegram" in html and "We are looking for a partner" in html
        assert "+381 32 123 4567" in html and "European integration" not in html

        await browser.post("/language", {"locale": "sr-Cyrl", "back": "/registrations"})
        assert "<h1>Пријаве</h1>" in browser.html
        assert "Чачак" in browser.html and "Моравички округ" in browser.html
        assert "Вајбер" in browser.html and "Приказ: 1–3 од 3" in browser.html

        await browser.post("/language", {"locale": "sr-Latn", "back": "/registrations"})
        assert "<h1>Prijave</h1>" in browser.html
        assert "Čačak" in browser.html and "Moravički okrug" in browser.html


async def test_search_in_either_script_without_diacritics(db_path: Path, i18n: I18n) -> None:
    async with signed_in(db_path, i18n) as (app, browser):
        await three(app)
        for q in ("cacak", "чачак", "Čačak", "ЧАЧАК", "  Cacak "):
            assert names(await browser.get("/registrations", q=q)) == ["Милица Јовановић"], q
        for q in ("ђорђе", "djordje", "dorde", "Đorđe petrovic", "краљево"):
            assert names(await browser.get("/registrations", q=q)) == ["Đorđe Petrović"], q
        # the e-mail address, the position in any language, the name written in the other script
        assert names(await browser.get("/registrations", q="beograd.gov")) == ["Ana Kovač"]
        assert names(await browser.get("/registrations", q="pomoćnik")) == ["Đorđe Petrović"]
        assert names(await browser.get("/registrations", q="assistant")) == ["Đorđe Petrović"]
        assert names(await browser.get("/registrations", q="milica jovanovic")) == [
            "Милица Јовановић"
        ]
        await browser.get("/registrations", q="Subotica")
        assert names(browser.html) == []
        assert "No registration matches the search and filters." in browser.html
        # what was searched stays in the box, escaped
        await browser.get("/registrations", q='<b>"x')
        assert 'value="&lt;b&gt;&#34;x"' in browser.html


async def test_filters(db_path: Path, i18n: I18n) -> None:
    async with signed_in(db_path, i18n) as (app, browser):
        await three(app)
        assert names(await browser.get("/registrations", area="social")) == ["Đorđe Petrović"]
        assert names(await browser.get("/registrations", area="eu")) == ["Милица Јовановић"]
        assert names(await browser.get("/registrations", stage="exploring")) == ["Ana Kovač"]
        assert names(await browser.get("/registrations", announcements="no")) == ["Đorđe Petrović"]
        assert sorted(names(await browser.get("/registrations", announcements="yes"))) == [
            "Ana Kovač", "Милица Јовановић",
        ]  # fmt: skip
        assert len(names(await browser.get("/registrations", announcements="any"))) == 3
        assert names(await browser.get("/registrations", district="Raški okrug")) == [
            "Đorđe Petrović"
        ]
        html = await browser.get("/registrations", district="Grad Beograd", area="economy")
        assert names(html) == ["Ana Kovač"]
        # the form shows what is chosen
        assert '<option value="Grad Beograd" selected>' in html
        assert '<option value="economy" selected>' in html
        assert names(await browser.get("/registrations", district="Grad Beograd", q="cacak")) == []


async def test_sorting_by_a_column_in_the_readers_alphabet(db_path: Path, i18n: I18n) -> None:
    async with signed_in(db_path, i18n) as (app, browser):
        await three(app)
        # newest first unless asked otherwise
        assert names(await browser.get("/registrations")) == [
            "Ana Kovač", "Đorđe Petrović", "Милица Јовановић",
        ]  # fmt: skip
        assert names(await browser.get("/registrations", dir="asc")) == [
            "Милица Јовановић", "Đorđe Petrović", "Ana Kovač",
        ]  # fmt: skip
        html = await browser.get("/registrations", sort="municipality", dir="asc")
        assert names(html, "City or municipality") == ["Beograd", "Čačak", "Kraljevo"]
        # the header of the sorted column turns the order round; the others start ascending
        assert 'href="/registrations?sort=municipality">' in html  # descending is the default
        assert 'href="/registrations?sort=name&amp;dir=asc">' in html
        assert 'aria-sort="ascending"' in html
        html = await browser.get("/registrations", sort="municipality", dir="desc")
        assert names(html, "City or municipality") == ["Kraljevo", "Čačak", "Beograd"]
        html = await browser.get("/registrations", sort="stage", dir="asc")
        assert names(html) == ["Милица Јовановић", "Đorđe Petrović", "Ana Kovač"]
        html = await browser.get("/registrations", sort="district", dir="asc")
        assert names(html, "District") == ["Grad Beograd", "Moravički okrug", "Raški okrug"]

        await browser.post("/language", {"locale": "sr-Cyrl", "back": "/registrations"})
        # азбука: Б, К, Ч — not the Latin order
        html = await browser.get("/registrations", sort="municipality", dir="asc")
        assert names(html, "Град или општина") == ["Београд", "Краљево", "Чачак"]
        html = await browser.get("/registrations", sort="name", dir="asc")
        assert names(html, "Име") == ["Ana Kovač", "Đorđe Petrović", "Милица Јовановић"]


async def test_230_registrations_on_three_pages(db_path: Path, i18n: I18n) -> None:
    async with signed_in(db_path, i18n) as (app, browser):
        async with app.services.db.transaction():  # type: ignore[attr-defined]
            for i in range(230):
                await register(app, str(1000 + i), f"Person {i:03}", BEOGRAD)
        html = await browser.get("/registrations", sort="name", dir="asc")
        assert "Showing 1–100 of 230" in html and "Page 1 of 3" in html
        assert names(html)[0] == "Person 000" and len(names(html)) == 100
        assert "« Previous" not in html and "?sort=name&amp;dir=asc&amp;p=2" in html
        html = await browser.get("/registrations", sort="name", dir="asc", p="3")
        assert "Showing 201–230 of 230" in html and "Page 3 of 3" in html
        assert names(html)[0] == "Person 200" and len(names(html)) == 30
        assert "Next »" not in html and "?sort=name&amp;dir=asc&amp;p=2" in html
        await browser.get("/registrations", p="4")
        assert browser.status == 400


async def download(browser: Desk, path: str, **params: str) -> tuple[int, bytes, str]:
    async with browser.client.get(browser.base + path, params=params) as resp:
        return resp.status, await resp.read(), resp.headers.get("Content-Disposition", "")


async def test_the_csv_export_is_what_is_shown(db_path: Path, i18n: I18n) -> None:
    async with signed_in(db_path, i18n) as (app, browser):
        await three(app)
        html = await browser.get("/registrations", announcements="yes", sort="name", dir="asc")
        assert "Nobody has downloaded the registrations yet." in html
        assert "/registrations/export.csv?announcements=yes&amp;sort=name&amp;dir=asc" in html
        status, body, disposition = await download(
            browser, "/registrations/export.csv", announcements="yes", sort="name", dir="asc"
        )
        assert status == 200
        assert re.fullmatch(
            r'attachment; filename="registrations-\d{4}-\d\d-\d\d\.csv"', disposition
        )
        lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        en, zone = i18n[Locale.EN], app.services.settings.timezone
        # the chat's /export headers, and the rows shown, in the order shown
        assert lines[0] == export.table([], en, zone)[0]
        assert [line[3] for line in lines[1:]] == ["Ana Kovač", "Милица Јовановић"]
        by_name = {s.registration.name: s for s in await app.services.registrations.all()}
        shown = [by_name["Ana Kovač"], by_name["Милица Јовановић"]]
        assert body == export.render(shown, en, zone, "csv")

        entries = await app.services.audit.latest(1)
        assert (entries[0].actor, entries[0].action, entries[0].subject) == (
            str(COORDINATOR), "export", "csv 2",
        )  # fmt: skip
        html = await browser.get("/registrations")
        assert "Latest exports" in html and "Ana: exported the registrations" in html
        assert "csv 2" in html


async def test_the_excel_export_opens(db_path: Path, i18n: I18n) -> None:
    async with signed_in(db_path, i18n) as (app, browser):
        await three(app)
        status, body, disposition = await download(browser, "/registrations/export.xlsx", q="cacak")
        assert status == 200 and disposition.endswith('.xlsx"')
        sheet = load_workbook(io.BytesIO(body)).active
        assert sheet is not None
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert len(values) == 2 and values[1][3] == "Милица Јовановић"
        assert (await app.services.audit.latest(1))[0].subject == "xlsx 1"


async def test_bad_values_are_refused(db_path: Path, i18n: I18n) -> None:
    async with signed_in(db_path, i18n) as (app, browser):
        await three(app)
        for params in (
            {"sort": "email"}, {"dir": "up"}, {"district": "Nowhere"}, {"area": "sport"},
            {"stage": "done"}, {"announcements": "maybe"}, {"p": "0"}, {"p": "x"},
            {"p": "9" * 40},
        ):  # fmt: skip
            await browser.get("/registrations", **params)
            assert browser.status == 400, params
            assert "Something in the form is not right" in browser.html
            assert "Čačak" not in browser.html
            status, _, _ = await download(browser, "/registrations/export.csv", **params)
            assert status == 400, params
        # nothing was exported
        assert "export" not in [e.action for e in await app.services.audit.latest(20)]


async def test_nothing_without_a_session(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await three(app)
        await browser.get("/registrations")
        assert browser.status == 401 and "Čačak" not in browser.html
        status, body, _ = await download(browser, "/registrations/export.csv")
        assert status == 401 and "Čačak".encode() not in body
        assert not await app.services.audit.latest(5)


async def test_an_empty_table_says_so(db_path: Path, i18n: I18n) -> None:
    async with signed_in(db_path, i18n) as (_, browser):
        html = await browser.get("/registrations")
        assert "No registrations yet." in html and "<table" not in html


async def test_the_table_reads_what_the_storage_has(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, _browser):
        await three(app)
        services = app.services
        assert sorted(await everything(services), key=lambda s: s.id) == (
            await services.registrations.all()
        )
        # a change of subscription alone (no new registration) shows at once
        user = await services.users.get(UserRef("telegram", "1"))
        assert user is not None
        await services.users.set_subscribed(user.id, False)
        assert sorted(await everything(services), key=lambda s: s.id) == (
            await services.registrations.all()
        )
