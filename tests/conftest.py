from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.app import App
from bot.core.i18n import I18n
from bot.core.messages import UserRef
from tests.chat import Person, settings, shared_faq

# the bot processes tests start serve no web console on the default port unless a test gives
# one: two of them at a time, or anything else on 8080, would collide
os.environ.setdefault("PARTNERBOT_WEB_LISTEN", "")


@pytest.fixture(scope="session")
def i18n() -> I18n:
    return I18n()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot.sqlite3"


@pytest.fixture
async def app(db_path: Path, i18n: I18n) -> AsyncIterator[App]:
    app = await App.open(
        settings(db_path, coordinators=frozenset({UserRef("console", "99")})),
        i18n,
        faq=shared_faq(),
    )
    yield app
    await app.close()


@pytest.fixture
def person(app: App) -> Callable[..., Person]:
    def make(user_id: str = "1", hint: str | None = None, name: str = "Ana") -> Person:
        return Person(app, UserRef("console", user_id), name=name, hint=hint)

    return make


@pytest.fixture
async def processes() -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """Bot processes a test starts; any still running when it ends (a failed assertion
    before the test stopped it) is killed, so no bot outlives its test."""
    started: list[asyncio.subprocess.Process] = []
    yield started
    for process in started:
        if process.returncode is None:
            process.kill()
            await process.wait()
