"""Announcements in the browser: a preview per locale with the audience's count, scheduling,
cancelling, delivery reports, and the running bot sending what was scheduled here."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.core.i18n import I18n
from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.storage.registrations import Registration
from tests.chat import Person
from tests.delivery.test_outbound import Messenger
from tests.web.desk import COORDINATOR, Desk, desk

BELGRADE = ZoneInfo("Europe/Belgrade")
TEXT = "Радионица у Чачку у уторак.\nПријаве у Скупштини града."
_FORM_ID = re.compile(r'name="form_id" value="([^"]+)"')


def _form_id(browser: Desk) -> str:
    found = _FORM_ID.search(browser.html)
    assert found, "no one-time id in the form"
    return found.group(1)


async def _workshop(app: App, days: float = 10, cancelled: bool = False) -> int:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(second=0, microsecond=0)
    wid = await app.services.workshops.add(
        "Партнерства у пракси", "Partnerships in practice", start, "Сала 3", "Room 3"
    )
    if cancelled:
        assert await app.services.workshops.cancel(wid)
    return wid


async def _coordinator(app: App, browser: Desk, ref: UserRef = COORDINATOR) -> Person:
    boss = Person(app, ref, name="Vesna Vasić", hint="en")
    await browser.sign_in(boss)
    return boss


async def _subscriber(
    app: App, ident: str, locale: Locale = Locale.SR_CYRL, messenger: str = "telegram"
) -> int:
    users = app.services.users
    user = await users.seen(UserRef(messenger, ident), f"Person {ident}")
    await users.set_locale(user.id, locale)
    await users.set_subscribed(user.id, True)
    return user.id


async def _registered(app: App, user_id: int, municipality: str) -> None:
    await app.services.registrations.save(
        user_id,
        Registration(
            municipality=municipality, name="Ана Петровић", position="mayor", position_other="",
            email="ana@example.rs", phone="", areas=("eu",), stage="looking", announcements=True,
            consent_version="1", locale="sr-Cyrl",
        ),
    )  # fmt: skip


def _tomorrow_at_ten() -> datetime:
    # far from the quiet hours (22:00-08:00) whenever the test runs
    return (datetime.now(BELGRADE) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )


def _form(**changes: str) -> dict[str, str]:
    values = {"body_sr": TEXT, "body_en": "", "audience_key": "all", "when": ""}
    values.update(changes)
    return values


def _page(browser: Desk) -> str:
    return html.unescape(browser.html)


async def _count(app: App) -> int:
    rows = await app.services.db.execute_fetchall("SELECT COUNT(*) FROM announcements")
    return int(next(iter(rows))[0])


async def test_the_preview_shows_each_locale_and_counts_the_audience(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n, quiet_hours=None) as (app, _, browser):
        await _coordinator(app, browser)
        for ident in ("1", "2", "3"):
            await _subscriber(app, ident)
        await app.services.users.seen(UserRef("telegram", "4"), "Not subscribed")
        await browser.get("/announcements/new")
        assert browser.status == 200 and "New announcement" in browser.html
        await browser.post("/announcements/preview", _form())
        page = _page(browser)
        assert browser.status == 200, page
        assert "Serbian (Cyrillic)" in page and "Serbian (Latin)" in page and "English" in page
        assert "Радионица у Чачку у уторак." in page
        assert "Radionica u Čačku u utorak." in page
        assert "There is no English text: English readers get the Serbian in Latin." in page
        assert "Recipients: All subscribers, 3 people in all. Sending: now." in page
        # the form comes back filled in, and nothing is scheduled by a preview
        assert f">{TEXT}</textarea>" in page
        assert await _count(app) == 0
        await browser.post("/announcements/preview", _form(body_en="A workshop in Čačak"))
        assert "A workshop in Čačak" in _page(browser)
        assert "There is no English text" not in _page(browser)


async def test_the_preview_names_the_shift_out_of_the_quiet_hours_and_viber_billing(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        uid = await _subscriber(app, "5", messenger="viber")
        await app.services.db.execute(
            "UPDATE users SET last_seen = '2020-01-01T00:00:00+00:00' WHERE id = ?", (uid,)
        )
        late = _tomorrow_at_ten().replace(hour=23)
        morning = i18n[Locale.EN].datetime((late + timedelta(days=1)).replace(hour=8), BELGRADE)
        await browser.post("/announcements/preview", _form(when=f"{late:%Y-%m-%dT%H:%M}"))
        page = _page(browser)
        assert f"the quiet hours; the announcement will go out on {morning}." in page
        assert f"Sending: {morning}." in page
        assert "On Viber, 1 of them has not written to the bot in the last 24 hours" in page
        await browser.post(
            "/announcements/preview", _form(when=f"{late:%Y-%m-%dT%H:%M}", force="1")
        )
        assert "quiet hours;" not in _page(browser)
        assert f"Sending: {i18n[Locale.EN].datetime(late, BELGRADE)}." in _page(browser)


async def test_scheduling_writes_the_announcement_and_records_who(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        await _registered(app, await _subscriber(app, "1"), "cacak")
        at = _tomorrow_at_ten()
        await browser.post(
            "/announcements/schedule",
            _form(
                audience_key="district", audience_district="Moravički okrug",
                body_en="A workshop in Čačak", when=f"{at:%Y-%m-%dT%H:%M}",
            ),
        )  # fmt: skip
        page = _page(browser)
        assert browser.status == 200, page
        when = i18n[Locale.EN].datetime(at, BELGRADE)
        assert f"Scheduled: announcement no. 1, to 1 person, on {when}." in page
        a = await app.services.announcements.get(1)
        assert a is not None
        assert (a.audience, a.at, a.status) == ("district:Moravički okrug", at, "scheduled")
        assert (a.body_sr, a.body_en, a.kind, a.force) == (TEXT, "A workshop in Čačak", "news",
                                                           False)  # fmt: skip
        assert a.created_by == str(COORDINATOR)
        [entry] = await app.services.audit.latest_of(["announce"])
        assert (entry.actor, entry.subject) == (str(COORDINATOR), "1")
        # the list shows it, and who scheduled it, by name
        assert "subscribers — district: Moravički okrug" in page
        assert "Vesna Vasić: scheduled announcement #1" in page
        assert "Cancel no. 1" in page


async def test_cancelling_works_once(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        at = _tomorrow_at_ten()
        await browser.post("/announcements/schedule", _form(when=f"{at:%Y-%m-%dT%H:%M}"))
        await browser.post("/announcements/cancel", {"number": "1"})
        page = _page(browser)
        assert browser.status == 200 and "Announcement no. 1 has been cancelled." in page
        assert "Vesna Vasić: cancelled announcement #1" in page and "Cancel no. 1" not in page
        a = await app.services.announcements.get(1)
        assert a is not None and a.status == "cancelled"
        await browser.post("/announcements/cancel", {"number": "1"})
        assert browser.status == 400
        assert "Announcement no. 1 has already been sent or cancelled." in _page(browser)
        await browser.post("/announcements/cancel", {"number": "77"})
        assert browser.status == 404 and "There is no announcement no. 77." in _page(browser)
        await browser.post("/announcements/cancel", {"number": "1; DROP"})
        assert browser.status == 400
        cancels = await app.services.audit.latest_of(["announce_cancel"])
        assert len(cancels) == 1


async def test_bad_input_schedules_nothing(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        past = datetime.now(BELGRADE) - timedelta(hours=2)
        cases = {
            "That moment has already passed": _form(when=f"{past:%Y-%m-%dT%H:%M}"),
            "Please write the announcement's text in Serbian.": _form(body_sr=" \r\n … "),
            "No district matches “Gotham”.": _form(
                audience_key="district", audience_district="Gotham"
            ),
            "There is no workshop no. 12.": _form(audience_key="workshop", audience_workshop="12"),
            "Please also choose which one": _form(audience_key="area", audience_area=""),
            "Please choose who the announcement is for.": _form(audience_key="everyone"),
            "more than a year ahead": _form(when="9999-12-31T23:59"),
            "Please give the date and time": _form(when="tomorrow"),
            "In one of the scripts the text has 4097 characters": _form(body_sr="а" * 4097),
        }
        for problem, form in cases.items():
            for path in ("/announcements/schedule", "/announcements/preview"):
                await browser.post(path, form)
                assert browser.status == 400, (problem, path)
                assert problem in _page(browser), (problem, _page(browser))
        assert await _count(app) == 0
        assert await app.services.audit.latest_of(["announce"]) == []


async def test_a_sent_announcement_shows_its_delivery_report(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        ids = [await _subscriber(app, str(i)) for i in range(1, 6)]
        store = app.services.announcements
        number = await store.add(
            kind="news", audience="all", at=datetime.now(UTC) - timedelta(hours=1),
            created_by="cli", body_sr="Позив на радионицу",
        )  # fmt: skip
        assert number is not None
        marks = ", ".join(str(i) for i in ids)
        assert await store.start(number, f"SELECT id FROM users WHERE id IN ({marks})", ())
        for uid, outcome in zip(ids, ("delivered", "delivered", "unreachable", "failed",
                                      "skipped"), strict=True):  # fmt: skip
            await store.record(number, uid, outcome, "")
        assert await store.finish(number)
        await browser.get("/announcements")
        page = _page(browser)
        assert "Delivered: 2 of 5" in page and "Unreachable (blocked the bot): 1" in page
        assert "Failed: 1" in page and "Skipped (unsubscribed meanwhile): 1" in page
        assert "Позив на радионицу" in page and "the command line" in page
        assert "Sent" in page and f"Cancel no. {number}" not in page


async def test_the_pages_in_three_locales(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        await browser.post(
            "/announcements/schedule", _form(when=f"{_tomorrow_at_ten():%Y-%m-%dT%H:%M}")
        )
        expected = {
            "sr-Cyrl": ("Најаве", "Заказана", "Сви претплатници", "Нова најава", "Преглед"),
            "sr-Latn": ("Najave", "Zakazana", "Svi pretplatnici", "Nova najava", "Pregled"),
            "en": ("Announcements", "Scheduled", "All subscribers", "New announcement", "Preview"),
        }
        for locale, (title, status, audience, new, preview) in expected.items():
            await browser.post("/language", {"locale": locale, "back": "/announcements"})
            page = _page(browser)
            assert f"<h1>{title}</h1>" in page and status in page and audience in page, locale
            await browser.post("/announcements/preview", _form())
            page = _page(browser)
            assert f"<h1>{new}</h1>" in page and preview in page, locale
            assert "Radionica u Čačku" in page and "Радионица у Чачку" in page


async def test_the_running_bot_sends_what_was_scheduled_in_the_browser(
    db_path: Path, i18n: I18n
) -> None:
    boss = UserRef("test", "900")
    async with desk(
        db_path, i18n, coordinators=frozenset({boss}), quiet_hours=None, broadcast_rate=500.0
    ) as (app, _, browser):
        messenger = Messenger()
        app.add_transport("test", messenger)
        await _coordinator(app, browser, boss)
        await _subscriber(app, "1", Locale.SR_LATN, messenger="test")
        await browser.post("/announcements/schedule", _form())
        assert "Scheduled: announcement no. 1, to 1 person" in _page(browser)
        await app.broadcaster.tick()
        for _ in range(200):
            if not app.broadcaster.running():
                break
            await asyncio.sleep(0.01)
        await app.outbound.join()
        assert messenger.texts(UserRef("test", "1")) == [
            "Radionica u Čačku u utorak.\nPrijave u Skupštini grada."
        ]
        await browser.get("/announcements")
        assert "Delivered: 1 of 1" in _page(browser)


async def test_a_double_click_or_a_reload_schedules_it_once(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        await browser.get("/announcements/new")
        form_id = _form_id(browser)
        at = f"{_tomorrow_at_ten():%Y-%m-%dT%H:%M}"
        # the preview keeps the form's id: it is the same form, sent once
        await browser.post("/announcements/preview", _form(when=at, form_id=form_id))
        assert _form_id(browser) == form_id
        pages = []
        for _ in range(2):
            await browser.post("/announcements/schedule", _form(when=at, form_id=form_id))
            assert browser.status == 200
            pages.append(_page(browser))
        assert await _count(app) == 1
        assert len(await app.services.audit.latest_of(["announce"])) == 1
        for page in pages:
            assert "Scheduled: announcement no. 1, to 0 people" in page
        # a new form is a new announcement
        await browser.get("/announcements/new")
        assert _form_id(browser) != form_id
        await browser.post("/announcements/schedule", _form(when=at, form_id=_form_id(browser)))
        assert await _count(app) == 2


async def test_scheduling_and_cancelling_are_recorded_or_not_done(
    db_path: Path, i18n: I18n, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        at = f"{_tomorrow_at_ten():%Y-%m-%dT%H:%M}"
        await browser.post("/announcements/schedule", _form(when=at))
        assert await _count(app) == 1

        async def broken(*_: object) -> None:
            raise RuntimeError("the audit table is locked")

        monkeypatch.setattr(app.services.audit, "record", broken)
        await browser.get("/announcements")
        await browser.post("/announcements/schedule", _form(when=at))
        assert browser.status == 500
        assert await _count(app) == 1, "scheduled without a record of who did it"
        await browser.get("/announcements")
        await browser.post("/announcements/cancel", {"number": "1"})
        assert browser.status == 500
        a = await app.services.announcements.get(1)
        assert a is not None and a.status == "scheduled", "cancelled without a record of who"


async def test_only_what_the_list_shows_can_be_cancelled(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        wid = await _workshop(app)
        store = app.services.announcements
        later = datetime.now(UTC) + timedelta(days=1)
        numbers = [
            await store.add(kind=kind, audience=f"workshop:{wid}", at=later, created_by="bot",
                            workshop_id=wid, once_key=f"{kind}-{wid}")
            for kind in ("reminder", "change", "cancelled")
        ]  # fmt: skip
        await browser.get("/announcements")
        for n in numbers:
            assert n is not None
            await browser.post("/announcements/cancel", {"number": str(n)})
            assert browser.status == 404
            assert f"There is no announcement no. {n}." in _page(browser)
            a = await store.get(n)
            assert a is not None and a.status == "scheduled"
        assert await app.services.audit.latest_of(["announce_cancel"]) == []


async def test_a_workshop_cancelled_or_begun_is_no_audience(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        upcoming = await _workshop(app)
        cancelled = await _workshop(app, cancelled=True)
        begun = await _workshop(app, days=-0.01)
        await browser.get("/announcements/new")
        assert f'<option value="{upcoming}"' in browser.html
        assert f'<option value="{cancelled}"' not in browser.html
        assert f'<option value="{begun}"' not in browser.html
        for wid in (cancelled, begun):
            for path in ("/announcements/preview", "/announcements/schedule"):
                await browser.post(path, _form(audience_key="workshop", audience_workshop=str(wid)))
                assert browser.status == 400, (wid, path)
                assert "That workshop is no longer scheduled." in _page(browser)
                await browser.post(path, _form(card=str(wid)))
                assert browser.status == 400, (wid, path)
                assert "That workshop is no longer scheduled." in _page(browser)
        assert await _count(app) == 0
        await browser.post(
            "/announcements/schedule",
            _form(audience_key="workshop", audience_workshop=str(upcoming)),
        )
        assert "Scheduled: announcement no. 1" in _page(browser)


async def test_the_confirmation_says_what_the_announcement_is_now(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        await browser.post(
            "/announcements/schedule", _form(when=f"{_tomorrow_at_ten():%Y-%m-%dT%H:%M}")
        )
        assert "Scheduled: announcement no. 1" in _page(browser)
        assert await app.services.announcements.cancel(1) == "scheduled"
        # the same address again (a reload, a bookmark): it is no longer scheduled
        await browser.get("/announcements", done="scheduled", number="1")
        page = _page(browser)
        assert "Scheduled: announcement no. 1" not in page
        assert "Announcement no. 1: Cancelled." in page
        # a number the list does not show confirms nothing
        wid = await _workshop(app)
        n = await app.services.announcements.add(
            kind="reminder", audience=f"workshop:{wid}", at=datetime.now(UTC) + timedelta(days=1),
            created_by="bot", workshop_id=wid,
        )  # fmt: skip
        await browser.get("/announcements", done="scheduled", number=str(n))
        assert f"announcement no. {n}" not in _page(browser).lower()


async def test_a_workshop_is_announced_with_its_card(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n, quiet_hours=None) as (app, _, browser):
        await _coordinator(app, browser)
        wid = await _workshop(app)
        # the workshops page offers to announce it, and the form comes with it chosen
        await browser.get("/workshops")
        assert f"/announcements/new?workshop={wid}" in browser.html
        await browser.get("/announcements/new", workshop=str(wid))
        assert f'<option value="{wid}" selected>' in browser.html
        await browser.post("/announcements/preview", _form(card=str(wid), body_sr=""))
        page = _page(browser)
        assert browser.status == 200, page
        assert "New workshop:" in page and "„Партнерства у пракси“" in page
        assert "“Partnerships in practice”" in page
        assert "There is no English text" not in page
        await browser.post("/announcements/schedule", _form(card=str(wid), body_sr="Дођите!"))
        assert "Scheduled: announcement no. 1" in _page(browser)
        a = await app.services.announcements.get(1)
        assert a is not None
        assert (a.kind, a.workshop_id, a.body_sr, a.audience) == ("workshop", wid, "Дођите!", "all")
        assert "Workshop:</span> Partnerships in practice · Дођите!" in _page(browser)
        # a note in English alone would leave Serbian readers without it
        await browser.post("/announcements/preview", _form(card=str(wid), body_sr="", body_en="Hi"))
        assert browser.status == 400
        assert "Please write the announcement's text in Serbian." in _page(browser)


async def test_the_form_counts_the_audience_as_it_is_chosen(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n, quiet_hours=None) as (app, _, browser):
        await _coordinator(app, browser)
        await _subscriber(app, "1", Locale.SR_LATN)
        await _subscriber(app, "2", Locale.EN)
        for query, said in (
            ({"audience_key": "all"}, "Reaches 2 people now."),
            ({"audience_key": "locale", "audience_locale": "en"}, "Reaches 1 person now."),
        ):
            async with browser.client.get(
                browser.base + "/announcements/audience", params=query
            ) as resp:
                assert resp.status == 200 and (await resp.json())["text"] == said
        async with browser.client.get(
            browser.base + "/announcements/audience",
            params={"audience_key": "district", "audience_district": "Nowhere"},
        ) as resp:
            assert resp.status == 400 and "Nowhere" in (await resp.json())["text"]
        browser.client.cookie_jar.clear()
        async with browser.client.get(browser.base + "/announcements/audience") as resp:
            assert resp.status == 401
