"""The console in a real browser: the system's Chromium, driven by Playwright, signs in with the
link the bot sent in Telegram (through the Bot API double), answers a question waiting in the
inbox and schedules an announcement, on a laptop; then the same pages on a phone.

Where /usr/bin/chromium is missing the test is skipped and says why; with CI=true it fails
instead (.ci/run installs Chromium). PARTNERBOT_SCREENSHOT=path saves the overview as seen at
1280×800 (the README's picture)."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    async_playwright,
    expect,
)  # fmt: skip

from bot.app import App
from bot.core.i18n import I18n
from tests.telegram_double import BotApiDouble
from tests.web.desk import COORDINATOR, link_in_chat, telegram_desk
from tests.web.seed import Sizes, seed

CHROMIUM = Path("/usr/bin/chromium")
INSTALLED = CHROMIUM.exists()
MISSING = "Chromium is not installed: apt-get install chromium (CI installs it)"
IN_CI = os.environ.get("CI", "").lower() in ("true", "1")
# no first-run pages, updates, sync or QUIC: without these Chromium reaches for the network
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync"]  # fmt: skip
LAPTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=360, height=740)
PAGES = (
    "/", "/registrations", "/inbox", "/workshops", "/workshops/new", "/announcements",
    "/announcements/new", "/asked",
)  # fmt: skip
ASKER = 801
# asked too, and answered from the phone
ON_THE_GO = (802, "Is the workshop in Niš also online?", "Yes, the link comes a day before.")
ON_THE_GO_ANNOUNCEMENT = "Подсетник: пријаве за радионицу у Нишу до петка."
QUESTION = "Can two municipalities share one Swedish partner?"
ANSWER = "Yes, if each of them signs its own agreement."
ANNOUNCEMENT = "Позив за нова партнерства отвара се у понедељак."
LATIN = "Poziv za nova partnerstva otvara se u ponedeljak."

pytestmark = pytest.mark.skipif(not INSTALLED and not IN_CI, reason=MISSING)


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    if not INSTALLED:
        pytest.fail(f"{MISSING}; CI=true, so the browser test must run")
    async with async_playwright() as playwright:
        # the system's browser: Playwright's own download cannot work without the internet
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


async def open_page(page: Page, base: str, path: str) -> None:
    response = await page.goto(base + path)
    status = response.status if response else None
    assert status == 200, f"{path}: HTTP {status}"


async def main_text(page: Page) -> str:
    return await page.locator("main").inner_text()


async def sign_in_by_keyboard(page: Page) -> None:
    """Tab to the Sign-in button and press Enter: no mouse needed."""
    for _ in range(6):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.tagName") == "BUTTON":
            break
    assert await page.evaluate("document.activeElement.textContent.trim()") == "Sign in"
    async with page.expect_navigation():
        await page.keyboard.press("Enter")


async def test_a_coordinator_signs_in_answers_and_schedules_in_a_browser(
    chromium: Browser, db_path: Path, i18n: I18n
) -> None:
    # a bot with a history, so that the overview has something to draw; every earlier question
    # is answered: the inbox holds the one asked below
    await seed(db_path, Sizes(people=400, registrations=80, questions=30, open_questions=0))
    async with BotApiDouble() as api, telegram_desk(db_path, i18n, api) as (app, _, http):
        api.user_text(ASKER, "/ask", first_name="Milica", language_code="en")
        await api.wait_for_sent(ASKER, 1)
        api.user_text(ASKER, QUESTION, first_name="Milica", language_code="en")
        await api.wait_for_sent(ASKER, 2)
        asker, question, _ = ON_THE_GO
        api.user_text(asker, "/ask", first_name="Jovan", language_code="en")
        await api.wait_for_sent(asker, 1)
        api.user_text(asker, question, first_name="Jovan", language_code="en")
        await api.wait_for_sent(asker, 2)
        coordinator = int(COORDINATOR.id)
        api.user_text(coordinator, "/web", first_name="Vesna", language_code="en")
        # the link names the bot's configured address; this test's server has its own port
        signin = urlsplit(await link_in_chat(api, coordinator)).path

        laptop = await chromium.new_context(viewport=LAPTOP, locale="en-GB")
        page = await laptop.new_page()
        page.set_default_timeout(5000)
        await open_page(page, http.base, signin)
        await sign_in_by_keyboard(page)
        await _at_a_desk(page, app, api)
        await _on_a_phone(chromium, laptop, http.base, app, api)
        await laptop.close()


async def _at_a_desk(page: Page, app: App, api: BotApiDouble) -> None:
    assert urlsplit(page.url).path == "/"
    assert await page.title() == "Overview · partnerbot"
    assert await page.locator("h1").inner_text() == "Overview"
    assert await page.locator("svg[role=img]").count() >= 1, "the overview draws its charts"
    if shot := os.environ.get("PARTNERBOT_SCREENSHOT"):
        await page.screenshot(path=shot)

    await page.get_by_role("link", name="Registrations").click()
    assert await page.locator("h1").inner_text() == "Registrations"
    [(name, email)] = await app.services.db.execute_fetchall(
        "SELECT name, email FROM registrations ORDER BY updated_at DESC LIMIT 1"
    )
    shown = await main_text(page)
    assert str(name) in shown and str(email) in shown, "the latest registration is listed"

    await page.get_by_role("link", name="Inbox").click()
    card = page.locator("article", has_text=QUESTION)
    await card.locator("textarea[name=answer]").fill(ANSWER)
    async with page.expect_navigation():
        await card.locator("form", has=page.locator("textarea")).locator("button").click()
    assert QUESTION not in await main_text(page), "answered, so no longer waiting"
    # the answer reaches the person in their chat
    answer = (await api.wait_for_sent(ASKER, 3))[-1]
    assert ANSWER in answer.text

    await page.get_by_role("link", name="Announcements").click()
    await page.get_by_role("link", name="New announcement").click()
    # the number of recipients follows the audience as it is chosen
    count = page.locator("#audience-count")
    await expect(count).to_have_text(re.compile(r"^Reaches \d+ (person|people) now\.$"))
    everyone = await count.inner_text()
    await page.get_by_label("By language").check()
    await page.get_by_label("language", exact=True).select_option("en")
    await expect(count).not_to_have_text(everyone)
    await page.get_by_label("All subscribers").check()
    await expect(count).to_have_text(everyone)
    await page.locator("textarea[name=body_sr]").fill(ANNOUNCEMENT)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Preview", exact=True).click()
    # as a reader of the Latin script will get it
    assert LATIN in await page.locator(".preview").all_inner_texts()
    async with page.expect_navigation():
        await page.get_by_role("button", name="Schedule", exact=True).click()
    assert "Scheduled: announcement no." in await main_text(page)
    rows = await app.services.db.execute_fetchall(
        "SELECT status FROM announcements WHERE body_sr = ?", (ANNOUNCEMENT,)
    )
    assert [tuple(r) for r in rows] == [("scheduled",)]


async def _on_a_phone(
    chromium: Browser, laptop: BrowserContext, base: str, app: App, api: BotApiDouble
) -> None:
    # the same session, on a small screen
    phone = await chromium.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="en-GB",
        storage_state=await laptop.storage_state(),
    )  # fmt: skip
    page = await phone.new_page()
    page.set_default_timeout(5000)
    for path in PAGES:
        await open_page(page, base, path)
        # against the phone's width, not window.innerWidth: a phone's browser widens its
        # layout viewport to whatever overflows (and zooms out)
        fits = await page.evaluate(
            "w => document.documentElement.scrollWidth <= w && [...document.querySelectorAll("
            "'body *')].every(e => e.getBoundingClientRect().right <= w + 1)",
            PHONE["width"],
        )
        assert fits, f"{path} scrolls sideways on a phone"
        if shots := os.environ.get("PARTNERBOT_PHONE_SHOTS"):  # to look at them by eye
            name = path.strip("/").replace("/", "-") or "overview"
            await page.screenshot(path=f"{shots}/{name}.png", full_page=True, timeout=60_000)

    # the work itself, by touch: an answer and an announcement
    asker, question, answer = ON_THE_GO
    await open_page(page, base, "/inbox")
    card = page.locator("article", has_text=question)
    await card.locator("textarea[name=answer]").fill(answer)
    async with page.expect_navigation():
        await card.locator("form", has=page.locator("textarea")).locator("button").tap()
    assert question not in await main_text(page)
    assert answer in (await api.wait_for_sent(asker, 3))[-1].text
    await open_page(page, base, "/announcements/new")
    await page.locator("textarea[name=body_sr]").fill(ON_THE_GO_ANNOUNCEMENT)
    async with page.expect_navigation():
        await page.get_by_role("button", name="Schedule", exact=True).tap()
    assert "Scheduled: announcement no." in await main_text(page)
    rows = await app.services.db.execute_fetchall(
        "SELECT status FROM announcements WHERE body_sr = ?", (ON_THE_GO_ANNOUNCEMENT,)
    )
    assert [tuple(r) for r in rows] == [("scheduled",)]
    await phone.close()
