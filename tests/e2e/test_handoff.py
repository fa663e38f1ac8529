"""Asking a coordinator over Telegram, both sides through the loopback Bot API double."""

from __future__ import annotations

from bot.app import App
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
