"""Asking a coordinator over Telegram, both sides through the loopback Bot API double."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.core.i18n import I18n
from bot.core.messages import UserRef
from tests.chat import settings, shared_faq
from tests.e2e.conftest import COORDINATOR
from tests.e2e.test_telegram import payload
from tests.telegram_double import BotApiDouble


async def test_question_and_answer_over_telegram(api: BotApiDouble, telegram_bot: App) -> None:
    api.user_text(COORDINATOR, "/start", language_code="en")
    welcome = (await api.wait_for_sent(COORDINATOR, 1))[-1]
    api.user_press(COORDINATOR, payload(welcome, "English"), language_code="en")
    await api.wait_for_sent(COORDINATOR, 2)

    api.user_text(801, "/ask", first_name="Марија", language_code="sr")
    await api.wait_for_sent(801, 1)
    api.user_text(801, "Када је следећи позив за пројекте?", first_name="Марија")
    sent = (await api.wait_for_sent(801, 2))[-1]
    assert "Послато" in sent.text

    note = (await api.wait_for_sent(COORDINATOR, 3))[-1]
    assert "Question #1 from Марија (telegram:801)" in note.text
    api.user_press(COORDINATOR, payload(note, "Reply"), language_code="en")
    await api.wait_for_sent(COORDINATOR, 4)
    api.user_text(COORDINATOR, "Рокови су на icld.se; пишите ако треба помоћ.")
    done = (await api.wait_for_sent(COORDINATOR, 5))[-1]
    assert "Sent: Марија has your reply." in done.text

    answer = (await api.wait_for_sent(801, 3))[-1]
    assert "Координатор је одговорио на Ваше питање" in answer.text
    assert "„Рокови су на icld.se; пишите ако треба помоћ.“" in answer.text
    assert payload(answer, "Одговор координатору").startswith("q:back:")


async def test_a_coordinator_id_without_a_chat_is_one_line_each_time_not_a_traceback(
    db_path: Path, i18n: I18n, caplog: pytest.LogCaptureFixture
) -> None:
    async with BotApiDouble() as api:
        api.unknown_chats.add(COORDINATOR)
        app = await App.open(
            settings(db_path, coordinators=frozenset({UserRef("telegram", str(COORDINATOR))})),
            i18n,
            faq=shared_faq(),
        )
        channel = TelegramChannel(app, api.token, api.base_url)
        try:
            with caplog.at_level(logging.INFO):
                await channel.start()
                api.user_text(802, "/ask", language_code="en")
                await api.wait_for_sent(802, 1)
                api.user_text(802, "When is the next call?")
                sent = (await api.wait_for_sent(802, 2))[-1]
                assert "Sent" in sent.text
                await app.notifier.join()
        finally:
            await channel.stop()
            await app.close()
    about = [r for r in caplog.records if str(COORDINATOR) in r.getMessage()]
    assert [r.levelname for r in about] == ["WARNING", "INFO"], [r.getMessage() for r in about]
    assert not any(r.exc_info for r in caplog.records)
    assert "not delivered: unreachable (Chat not found)" in about[1].getMessage()
