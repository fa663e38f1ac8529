"""A coordinator at a desk: the real console on a loopback port, an HTTP client with cookies,
and a sign-in through a link the bot sends in the chat."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.core.i18n import I18n
from bot.core.messages import UserRef
from bot.web.console import Console, install
from bot.web.server import WebServer
from tests.chat import Person, settings, shared_faq
from tests.telegram_double import BotApiDouble

COORDINATOR = UserRef("telegram", "900")
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_LINK = re.compile(r"https?://\S+/signin/\S+")


@dataclass
class Desk:
    """One browser: `get`/`post` keep its cookies; `html` is the last page."""

    app: App
    base: str
    client: aiohttp.ClientSession
    html: str = ""
    status: int = 0
    history: list[str] = field(default_factory=list)

    async def get(self, path: str, **params: str) -> str:
        async with self.client.get(self.base + path, params=params) as resp:
            self.status, self.html = resp.status, await resp.text()
        return self.html

    async def post(self, path: str, data: dict[str, str] | None = None, csrf: bool = True) -> str:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf", self.csrf)
        async with self.client.post(self.base + path, data=form) as resp:
            self.status, self.html = resp.status, await resp.text()
        return self.html

    @property
    def text(self) -> str:
        """The last page as a person reads it: tags kept, entities (&#39;, &amp;) decoded."""
        return html.unescape(self.html)

    @property
    def csrf(self) -> str:
        found = _CSRF.search(self.html)
        assert found, "no form on the last page"
        return found.group(1)

    async def link(self, who: Person) -> str:
        """The sign-in link the bot sends `who` for /web, on this test server's address."""
        await who.say("/web")
        found = _LINK.search(who.text)
        assert found, who.text
        return self.base + urlsplit(found.group()).path

    async def sign_in(self, who: Person) -> None:
        link = await self.link(who)
        await self.get(link.removeprefix(self.base))
        assert self.status == 200, self.html
        await self.post(link.removeprefix(self.base), csrf=False)
        assert self.status == 200, self.html


async def link_in_chat(
    api: BotApiDouble,
    chat: int,
    timeout: float = 5.0,  # noqa: ASYNC109 - wait_for_sent's
) -> str:
    """The sign-in link the bot sent to a Telegram chat (after /web there), as it wrote it;
    a notice of a question may come before or after it."""
    for count in range(1, 6):
        for message in await api.wait_for_sent(chat, count, timeout):
            if found := _LINK.search(message.text):
                return found.group()
    raise AssertionError(f"no sign-in link in {[m.text for m in api.sent(chat)]}")


@asynccontextmanager
async def desk(
    db_path: Path,
    i18n: I18n,
    coordinators: frozenset[UserRef] = frozenset({COORDINATOR}),
    **changes: object,
) -> AsyncIterator[tuple[App, Console, Desk]]:
    app = await App.open(
        settings(db_path, coordinators=coordinators, listen=("127.0.0.1", 0), **changes),
        i18n,
        shared_faq(),
    )
    server = WebServer(("127.0.0.1", 0))
    console = install(app, server)
    await server.start()
    # cookies for 127.0.0.1: aiohttp takes them from IP addresses only when told to
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as client:
        try:
            yield app, console, Desk(app, f"http://127.0.0.1:{server.port}", client)
        finally:
            await server.stop()
            await app.close()


@asynccontextmanager
async def telegram_desk(
    db_path: Path,
    i18n: I18n,
    api: BotApiDouble,
    coordinators: frozenset[UserRef] = frozenset({COORDINATOR}),
    **changes: object,
) -> AsyncIterator[tuple[App, Console, Desk]]:
    """`desk`, with the bot also long-polling the Bot API double as it would Telegram: what
    the console makes the bot send arrives in the double's chats."""
    async with desk(db_path, i18n, coordinators, **changes) as (app, console, browser):
        channel = TelegramChannel(app, api.token, api.base_url)
        await channel.start()
        try:
            yield app, console, browser
        finally:
            await channel.stop()
