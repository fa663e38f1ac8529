"""Announcements end to end: a coordinator on Telegram, or the command line beside a running
bot process, and subscribers who each get it once in their own script."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.announcements.engine import Broadcaster
from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.core.i18n import I18n
from bot.core.messages import UserRef
from tests.chat import settings, shared_faq
from tests.e2e.conftest import COORDINATOR
from tests.telegram_double import BotApiDouble, SentMessage


@pytest.fixture
async def telegram_bot(api: BotApiDouble, db_path: Path, i18n: I18n) -> AsyncIterator[App]:
    """The real application on the loopback double, without quiet hours (the test may run at
    night; quiet hours have tests of their own)."""
    coordinators = frozenset({UserRef("telegram", str(COORDINATOR))})
    app = await App.open(
        settings(db_path, coordinators=coordinators, quiet_hours=None), i18n, faq=shared_faq()
    )
    channel = TelegramChannel(app, api.token, api.base_url)
    await channel.start()
    yield app
    await channel.stop()
    await app.close()


async def _subscribe(api: BotApiDouble, chat: int, language: str, sent: int) -> None:
    """A person who chose a language and subscribed: `sent` messages so far after it."""
    api.user_text(chat, "/language")
    [picker] = (await api.wait_for_sent(chat, 1, timeout=20))[-1:]
    choice = next(data for row in picker.buttons for text, data in row if language in text)
    api.user_press(chat, choice or "")
    await api.wait_for_sent(chat, 2)
    api.user_text(chat, "/subscribe")
    await api.wait_for_sent(chat, 3)
    assert sent == 3


def _press(api: BotApiDouble, chat: int, message: SentMessage, label: str) -> None:
    data = next(d for row in message.buttons for text, d in row if label in text)
    api.user_press(chat, data or "")


async def test_a_coordinator_composes_on_telegram_and_subscribers_get_it_in_their_script(
    api: BotApiDouble, telegram_bot: App
) -> None:
    for chat, language in ((1, "Ћирилица"), (2, "Latinica"), (3, "English")):
        await _subscribe(api, chat, language, 3)
    engine = Broadcaster(telegram_bot.services, telegram_bot.outbound)
    coordinator = COORDINATOR
    api.user_text(coordinator, "/announce")
    n = 1
    ask = (await api.wait_for_sent(coordinator, n, timeout=10))[-1]
    assert "текст најаве" in ask.text or "announcement's text" in ask.text
    # formatting the coordinator used (bold) is kept
    api.user_text(
        coordinator, "Радионица у Чачку у уторак. Пријаве у Скупштини града?",
        entities=[{"type": "bold", "offset": 0, "length": 9}],
    )  # fmt: skip
    n += 1
    english = (await api.wait_for_sent(coordinator, n))[-1]
    _press(api, coordinator, english, "Skip" if "Skip" in str(english.buttons) else "Прескочи")
    n += 1
    audience = (await api.wait_for_sent(coordinator, n))[-1]
    _press(api, coordinator, audience, "Сви претплатници" if "Сви" in str(audience.buttons)
           else "All subscribers")  # fmt: skip
    n += 1
    when = (await api.wait_for_sent(coordinator, n))[-1]
    assert "3" in when.text  # three recipients, said before anything is sent
    _press(api, coordinator, when, "Одмах" if "Одмах" in str(when.buttons) else "Now")
    n += 1
    preview = (await api.wait_for_sent(coordinator, n))[-1]
    assert preview.parse_mode == "HTML"
    assert "<b>Радионица</b> у Чачку" in preview.text
    assert "<b>Radionica</b> u Čačku" in preview.text
    _press(api, coordinator, preview, "Потврди" if "Потврди" in str(preview.buttons) else "Confirm")
    n += 1
    await api.wait_for_sent(coordinator, n)
    await engine.tick()
    got = {}
    for chat in (1, 2, 3):
        got[chat] = (await api.wait_for_sent(chat, 4, timeout=20))[-1]
    assert got[1].text.startswith("<b>Радионица</b> у Чачку у уторак.")
    assert got[2].text.startswith("<b>Radionica</b> u Čačku u utorak.")
    assert got[3].text == got[2].text  # no English given: the Serbian Latin
    assert all(m.parse_mode == "HTML" for m in got.values())
    # the one Unsubscribe button works from the announcement
    _press(api, 1, got[1], "Не желим више најаве")
    await api.wait_for_sent(1, 5)
    user = await telegram_bot.services.users.get(UserRef("telegram", "1"))
    assert user is not None and not user.subscribed
    for _ in range(200):
        if not engine.running():
            break
        await asyncio.sleep(0.05)
    report = (await api.wait_for_sent(coordinator, n + 2, timeout=10))[-1]
    assert "3" in report.text and ("Испоручено" in report.text or "Delivered" in report.text)
    for chat in (1, 2, 3):
        assert sum(1 for m in api.sent(chat) if "Чачк" in m.text or "Čačk" in m.text) == 1


async def test_the_running_bot_sends_what_the_command_line_scheduled(
    api: BotApiDouble, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    db = tmp_path / "bot.sqlite3"
    env = {
        **os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
        "PARTNERBOT_DB": str(db), "PARTNERBOT_QUIET_HOURS": "",
    }  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        env=env, stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    processes.append(process)
    await _subscribe(api, 11, "Ћирилица", 3)
    await _subscribe(api, 12, "Latinica", 3)
    text = tmp_path / "news.txt"
    text.write_text("Позив за пријаву на радионицу у Нишу.\n", encoding="utf-8")
    cli = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "announce", "--text-file", str(text),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(cli.communicate(), 60)
    assert cli.returncode == 0, err.decode()
    assert out.decode().startswith("announcement 1: 2 recipients, now")
    # picked up within a few seconds, without a restart
    [cyrillic] = (await api.wait_for_sent(11, 4, timeout=15))[-1:]
    [latin] = (await api.wait_for_sent(12, 4, timeout=15))[-1:]
    assert cyrillic.text == "Позив за пријаву на радионицу у Нишу."
    assert latin.text == "Poziv za prijavu na radionicu u Nišu."
    listing = ""
    for _ in range(50):  # the last outcome is recorded just after the last send
        cli = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "announcements", "list", env=env,
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        listing = (await cli.communicate())[0].decode()
        if "\tdone\t" in listing:
            break
        await asyncio.sleep(0.2)
    assert listing.startswith("1\tdone\t") and "2/2 delivered" in listing
    process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()
    assert "announcement 1 done: 2 delivered" in stderr.decode()


async def test_a_broadcast_through_refusals_and_server_errors_reaches_everyone_once(
    api: BotApiDouble, telegram_bot: App
) -> None:
    people = list(range(21, 27))
    for chat in people:
        await _subscribe(api, chat, "Latinica", 3)
    number = await telegram_bot.services.announcements.add(
        kind="news", audience="all", at=datetime.now(UTC), created_by="cli",
        body_sr="Позив на радионицу.",
    )  # fmt: skip
    assert number is not None
    api.blocked_users.add(22)  # blocked the bot since subscribing: 403
    api.fail_next(2, 502)  # two server errors, then
    api.fail_next(1, 429)  # one "too many requests, retry after 1"
    engine = Broadcaster(telegram_bot.services, telegram_bot.outbound)
    await engine.tick()
    for _ in range(400):
        if not engine.running():
            break
        await asyncio.sleep(0.05)
    counts = {
        chat: sum(1 for m in api.sent(chat) if m.text == "Poziv na radionicu.") for chat in people
    }
    assert counts == {21: 1, 22: 0, 23: 1, 24: 1, 25: 1, 26: 1}
    report = await telegram_bot.services.announcements.report(number)
    assert (report.delivered, report.unreachable, report.failed) == (5, 1, 0)
    blocked = await telegram_bot.services.users.get(UserRef("telegram", "22"))
    assert blocked is not None and blocked.blocked
    assert api.count_5xx == 2 and api.count_429 == 1
