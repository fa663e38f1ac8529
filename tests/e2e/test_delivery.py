"""Every reply arrives, once and in order, through the Bot API double's faults and limits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.core.i18n import I18n
from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.delivery.outbound import Limits
from tests.chat import settings, shared_faq
from tests.e2e.conftest import COORDINATOR
from tests.telegram_double import BotApiDouble

HELP = "I help Serbian cities"
MENU = "Main menu"
INTRO = "Registering your municipality"
FIRST_STEP = "1/8 Which city"
TELEGRAM_LIKE = Limits(overall=30, per_chat=1, chat_burst=3)


@pytest.fixture
async def telegram_paced(api: BotApiDouble, db_path: Path, i18n: I18n) -> AsyncIterator[App]:
    """The real application pacing itself as in production (Telegram's limits)."""
    app = await App.open(
        settings(db_path, coordinators=frozenset({UserRef("telegram", str(COORDINATOR))})),
        i18n,
        faq=shared_faq(),
    )
    channel = TelegramChannel(app, api.token, api.base_url, TELEGRAM_LIKE)
    await channel.start()
    yield app
    await channel.stop()
    await app.close()


def kinds(texts: list[str]) -> list[str]:
    names = {HELP: "help", MENU: "menu", INTRO: "intro", FIRST_STEP: "step1"}
    return [next((n for k, n in names.items() if t.startswith(k)), t[:30]) for t in texts]


async def settle(api: BotApiDouble, seconds: float = 0.5) -> None:
    """Waits until the bot has sent nothing new for `seconds` (late duplicates would show)."""
    count = -1
    while count != len(api.calls):
        count = len(api.calls)
        await asyncio.sleep(seconds)


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info]


async def test_back_to_back_messages_are_answered_in_their_order(
    api: BotApiDouble, telegram_bot: App
) -> None:
    people = range(1101, 1111)
    for person in people:
        api.user_text(person, "/register", language_code="en")
        api.user_text(person, "/help", language_code="en")
    for person in people:
        sent = await api.wait_for_sent(person, 3, timeout=20)
        assert kinds([m.text for m in sent]) == ["intro", "step1", "help"]
    await settle(api)
    assert all(len(api.sent(p)) == 3 for p in people)


async def test_every_reply_arrives_once_and_in_order_through_server_errors(
    api: BotApiDouble, telegram_bot: App, caplog: pytest.LogCaptureFixture
) -> None:
    api.fault_rate = 0.3
    people = range(1201, 1205)
    for person in people:
        for i in range(6):
            api.user_text(person, "/help" if i % 2 == 0 else "/menu", language_code="en")
    for person in people:
        sent = await api.wait_for_sent(person, 6, timeout=60)
        assert kinds([m.text for m in sent]) == ["help", "menu"] * 3
    await settle(api)
    assert api.count_5xx > 5, "the double should have failed some sends"
    assert all(len(api.sent(p)) == 6 for p in people)
    assert tracebacks(caplog) == []


async def test_a_slow_api_loses_nothing(api: BotApiDouble, telegram_bot: App) -> None:
    api.latency = 2.0
    for person in (1301, 1302, 1303):
        api.user_text(person, "/help", language_code="en")
        api.user_text(person, "/menu", language_code="en")
    for person in (1301, 1302, 1303):
        sent = await api.wait_for_sent(person, 2, timeout=30)
        assert kinds([m.text for m in sent]) == ["help", "menu"]


async def open_questions(app: App, count: int) -> None:
    for n in range(count):
        user = await app.services.users.seen(UserRef("telegram", str(1400 + n)), f"Asker {n}")
        await app.services.questions.add(user.id, f"Question number {n}?", Locale.EN)


async def test_a_long_inbox_arrives_whole_without_hitting_telegrams_limits(
    api: BotApiDouble, telegram_paced: App
) -> None:
    api.per_chat_rate, api.per_chat_burst = 1.0, 3
    await open_questions(telegram_paced, 8)
    api.user_text(COORDINATOR, "/inbox", language_code="en")
    sent = await api.wait_for_sent(COORDINATOR, 9, timeout=30)
    assert sum("Question number" in m.text for m in sent) == 8
    assert api.count_429 == 0, "the bot should pace itself under the chat's limit"
    await settle(api)
    assert len(api.sent(COORDINATOR)) == 9


async def test_an_unpaced_bot_still_delivers_everything_by_waiting_as_told(
    api: BotApiDouble, telegram_bot: App
) -> None:
    api.per_chat_rate, api.per_chat_burst = 1.0, 3
    await open_questions(telegram_bot, 6)
    api.user_text(COORDINATOR, "/inbox", language_code="en")
    sent = await api.wait_for_sent(COORDINATOR, 7, timeout=40)
    assert sum("Question number" in m.text for m in sent) == 6
    assert api.count_429 > 0, "this bot does not pace itself: the double must have refused"
    await settle(api)
    assert len(api.sent(COORDINATOR)) == 7


async def test_polling_survives_server_errors_with_one_line_each(
    api: BotApiDouble, telegram_bot: App, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_next(3, 502, method="getUpdates")
    api.fail_next(1, 429, method="getUpdates")
    with caplog.at_level(logging.WARNING):
        api.user_text(1501, "/help", language_code="en")
        [reply] = await api.wait_for_sent(1501, 1, timeout=30)
    assert reply.text.startswith(HELP)
    assert api.faults >= 4
    assert tracebacks(caplog) == []
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) <= api.faults


async def test_a_blocked_person_is_one_log_line_and_marked(
    api: BotApiDouble, telegram_bot: App, caplog: pytest.LogCaptureFixture
) -> None:
    api.user_text(1601, "/help", language_code="en")
    await api.wait_for_sent(1601, 1)
    api.blocked_users.add(1601)
    with caplog.at_level(logging.INFO):
        api.user_text(1601, "/menu", language_code="en")
        await settle(api)
    user = await telegram_bot.services.users.get(UserRef("telegram", "1601"))
    assert user is not None and user.blocked
    lines = [r.getMessage() for r in caplog.records if "1601" in r.getMessage()]
    assert len(lines) == 1 and "unreachable" in lines[0]
    assert tracebacks(caplog) == []
