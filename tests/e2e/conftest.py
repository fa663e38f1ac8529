from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.core.i18n import I18n
from bot.core.messages import UserRef
from tests.chat import settings, shared_faq
from tests.telegram_double import BotApiDouble

COORDINATOR = 900


@pytest.fixture
async def api() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble() as double:
        yield double


@pytest.fixture
async def telegram_bot(api: BotApiDouble, db_path: Path, i18n: I18n) -> AsyncIterator[App]:
    """The real application, long-polling the loopback Bot API double."""
    app = await App.open(
        settings(db_path, coordinators=frozenset({UserRef("telegram", str(COORDINATOR))})),
        i18n,
        faq=shared_faq(),
    )
    channel = TelegramChannel(app, api.token, api.base_url)
    await channel.start()
    yield app
    await channel.stop()
    await app.close()
