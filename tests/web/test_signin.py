"""Signing in to the console with a link from the chat; sessions; CSRF."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from yarl import URL

from bot.app import App
from bot.core.i18n import I18n
from bot.core.messages import UserRef
from bot.storage.web import WebSessions
from bot.web.console import COOKIE, end_removed
from tests.chat import Person
from tests.web.desk import COORDINATOR, desk


async def _sessions(app: App) -> int:
    [(count,)] = await app.services.db.execute_fetchall("SELECT COUNT(*) FROM web_sessions")
    return int(count)


async def test_a_coordinator_signs_in_with_the_link_from_the_chat(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        coordinator = Person(app, COORDINATOR, hint="en")
        await browser.sign_in(coordinator)
        assert "Overview" in browser.html and "Sign out" in browser.html
        # the link worked once
        link = await browser.link(coordinator)
        await browser.post(link.removeprefix(browser.base), csrf=False)
        assert browser.status == 200


async def test_a_link_is_not_used_by_opening_it_only_by_signing_in(
    db_path: Path, i18n: I18n
) -> None:
    # messengers and mail scanners fetch links to preview them: a GET must not spend it
    async with desk(db_path, i18n) as (app, _, browser):
        link = (await browser.link(Person(app, COORDINATOR, hint="en"))).removeprefix(browser.base)
        for _ in range(3):
            await browser.get(link)
            assert browser.status == 200 and "Sign in" in browser.html
        await browser.post(link, csrf=False)
        assert "Overview" in browser.html
        await browser.get(link)
        assert browser.status == 410 and "already been used" in browser.html
        assert "/web" in browser.html


async def test_used_expired_and_made_up_links_get_a_clear_page(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        coordinator = Person(app, COORDINATOR, hint="en")
        link = (await browser.link(coordinator)).removeprefix(browser.base)
        await app.services.db.execute(
            "UPDATE web_links SET expires_at = '2020-01-01T00:00:00+00:00'"
        )
        await browser.post(link, csrf=False)
        assert browser.status == 410 and "expired" in browser.html
        assert "Sign out" not in browser.html  # no session was opened
        await browser.post("/signin/made-up-secret", csrf=False)
        assert browser.status == 404 and "not valid" in browser.html
        await browser.get("/")
        assert browser.status == 401 and "/web" in browser.html


async def test_only_coordinators_get_a_link_and_a_removed_one_loses_the_console(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        stranger = Person(app, UserRef("telegram", "555"), hint="en")
        await stranger.say("/web")
        assert "/signin/" not in stranger.text and "coordinators only" in stranger.text

        coordinator = Person(app, COORDINATOR, hint="en")
        await browser.sign_in(coordinator)
        link = (await browser.link(coordinator)).removeprefix(browser.base)
        # PARTNERBOT_COORDINATORS no longer lists them
        removed = replace(app.services.settings, coordinators=frozenset())
        object.__setattr__(app.services, "settings", removed)
        await browser.get("/")
        assert browser.status == 403 and "not among the programme's coordinators" in browser.text
        assert await _sessions(app) == 0
        # a link they were given before does not open a session either
        await browser.post(link, csrf=False)
        assert browser.status == 403
        assert await _sessions(app) == 0


async def test_at_start_the_sessions_of_former_coordinators_end(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))
        cookie = browser.client.cookie_jar.filter_cookies(URL(browser.base))[COOKIE].value
        assert await WebSessions(app.services.db).get(cookie) is not None
    async with desk(db_path, i18n, coordinators=frozenset()) as (app, _, _browser):
        await end_removed(app)
        assert await WebSessions(app.services.db).get(cookie) is None


async def test_a_forged_or_expired_cookie_opens_nothing(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))
        jar = browser.client.cookie_jar
        real = jar.filter_cookies(URL(browser.base))[COOKIE].value
        jar.update_cookies({COOKIE: real[:-2] + "xx"}, URL(browser.base))
        await browser.get("/")
        assert browser.status == 401
        jar.update_cookies({COOKIE: real}, URL(browser.base))
        await browser.get("/")
        assert browser.status == 200
        # a working day later
        await app.services.db.execute(
            "UPDATE web_sessions SET expires_at = '2020-01-01T00:00:00+00:00'"
        )
        await browser.get("/")
        assert browser.status == 401 and "session has ended" in browser.html


async def test_a_form_without_its_csrf_token_changes_nothing(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))
        await browser.post("/language", {"locale": "sr-Cyrl", "back": "/"}, csrf=False)
        assert browser.status == 403 and "nothing was changed" in browser.html
        await browser.post("/language", {"locale": "sr-Cyrl", "back": "/", "csrf": "forged"})
        assert browser.status == 403
        await browser.get("/")
        assert "Overview" in browser.html  # still English
        await browser.post("/language", {"locale": "sr-Cyrl", "back": "/"})
        assert "Преглед" in browser.html and 'lang="sr-Cyrl"' in browser.html


async def test_language_switch_never_sends_the_browser_to_another_site(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))
        csrf = browser.csrf
        for back in (
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "/\t/evil.example",
            "/x\r\nSet-Cookie: a=b",
            "javascript:alert(1)",
        ):
            async with browser.client.post(
                browser.base + "/language",
                data={"locale": "en", "back": back, "csrf": csrf},
                allow_redirects=False,
            ) as resp:
                assert resp.headers["Location"] == "/"
        await browser.post("/language", {"locale": "xx", "back": "/"})
        assert browser.status == 400


async def test_cookie_and_headers_keep_the_session_to_this_site(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        link = (await browser.link(Person(app, COORDINATOR, hint="en"))).removeprefix(browser.base)
        async with browser.client.post(browser.base + link, allow_redirects=False) as resp:
            assert resp.status == 303
            cookie = resp.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert "Secure" not in cookie  # plain http on loopback: a Secure cookie would not return
        async with browser.client.get(browser.base + "/") as resp:
            assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
            assert resp.headers["Referrer-Policy"] == "same-origin"
            assert resp.headers["Cache-Control"] == "no-store"


async def test_behind_https_the_cookie_is_secure_and_links_use_the_public_address(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n, web_url="https://bot.example.org/console") as (
        app, console, browser,
    ):  # fmt: skip
        coordinator = Person(app, COORDINATOR, hint="en")
        await coordinator.say("/web")
        assert "https://bot.example.org/console/signin/" in coordinator.text
        assert console.secure
        secret = coordinator.text.split("/signin/")[1].split()[0]
        async with browser.client.post(
            f"{browser.base}/console/signin/{secret}", allow_redirects=False
        ) as resp:
            assert "Secure" in resp.headers["Set-Cookie"]
            assert resp.headers["Location"] == "/console/"


async def test_signing_out_ends_the_session(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))
        await browser.post("/signout")
        assert "signed out" in browser.html
        await browser.get("/")
        assert browser.status == 401


async def test_the_console_can_be_turned_off(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n, web_console=False) as (app, _, _browser):
        coordinator = Person(app, COORDINATOR, hint="sr")
        await coordinator.say("/web")
        assert "искључена" in coordinator.text and "/signin/" not in coordinator.text


async def test_another_site_cannot_sign_a_browser_in(db_path: Path, i18n: I18n) -> None:
    # a page elsewhere posting a coordinator's link into someone else's browser
    async with desk(db_path, i18n) as (app, _, browser):
        link = (await browser.link(Person(app, COORDINATOR, hint="en"))).removeprefix(browser.base)
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            async with browser.client.post(browser.base + link, headers=headers) as resp:
                assert resp.status == 403
        assert await _sessions(app) == 0
        async with browser.client.post(
            browser.base + link,
            headers={"Origin": browser.base, "Sec-Fetch-Site": "same-origin"},
        ) as resp:
            assert resp.status == 200 and "Overview" in await resp.text()
        assert await _sessions(app) == 1


async def test_a_browser_gets_the_console_s_page_for_errors(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))
        html = {"Accept": "text/html", "Accept-Language": "sr"}
        async with browser.client.get(browser.base + "/no-such-page", headers=html) as resp:
            assert resp.status == 404 and "Нема такве странице" in await resp.text()
        # a form larger than the server takes: a clear page, nothing changed
        huge = {"locale": "sr-Cyrl", "back": "/", "csrf": browser.csrf, "x": "ж" * 40_000}
        async with browser.client.post(browser.base + "/language", data=huge, headers=html) as r:
            assert r.status == 413 and "предугачак" in await r.text()
        await browser.get("/")
        assert "Overview" in browser.html
        # webhooks and other clients keep aiohttp's plain answers
        async with browser.client.get(browser.base + "/no-such-page") as resp:
            assert resp.status == 404 and "<html" not in await resp.text()


async def test_a_failure_inside_a_page_is_a_page_not_a_traceback(
    db_path: Path, i18n: I18n, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))

        async def broken(*args: object) -> dict[str, int]:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(app.services.asked, "outcome_counts", broken)
        async with browser.client.get(browser.base + "/", headers={"Accept": "text/html"}) as r:
            body = await r.text()
        assert r.status == 500 and "Something went wrong" in body
        assert "disk on fire" not in body and "Traceback" not in body
