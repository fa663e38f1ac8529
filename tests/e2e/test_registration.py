"""An official registers on Telegram with buttons; the coordinator gets the Excel file."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.app import App
from tests.e2e.conftest import COORDINATOR
from tests.e2e.test_telegram import payload
from tests.telegram_double import BotApiDouble, UploadedFile


async def test_registration_over_telegram_mostly_by_buttons(
    api: BotApiDouble, telegram_bot: App
) -> None:
    user = 1001
    count = 0

    async def say(text: str) -> str:
        nonlocal count
        api.user_text(user, text, first_name="Милица", language_code="sr")
        count += 1
        return (await api.wait_for_sent(user, count))[-1].text

    async def press(label: str) -> str:
        nonlocal count
        last = api.sent(user)[-1]
        api.user_press(user, payload(last, label), language_code="sr")
        count += 1
        return (await api.wait_for_sent(user, count))[-1].text

    api.user_text(user, "/register", first_name="Милица", language_code="sr")
    count = 2  # the introduction and the first question
    await api.wait_for_sent(user, count)
    await say("Ваљево")
    await press("Ваљево")
    await say("Милица Петровић")
    await press("Службеник за ЕУ интеграције")
    await say("milica@valjevo.rs")
    await press("Прескочи")
    await press("ЕУ интеграције")
    await press("Готово")
    await press("Тражимо партнера")
    await press("Слажем се")
    summary = await press("Да")
    assert "Имејл: milica@valjevo.rs" in summary
    api.user_press(user, payload(api.sent(user)[-1], "Потврди"), language_code="sr")
    sent = await api.wait_for_sent(user, count + 2)
    assert "Пријављено: Ваљево." in sent[-2].text

    note = (await api.wait_for_sent(COORDINATOR, 1))[-1]
    assert "Нова пријава" in note.text and "Милица Петровић" in note.text

    api.user_text(COORDINATOR, "/export", language_code="sr")
    call = await api.wait_for_call("sendDocument")
    document = call.params["document"]
    assert isinstance(document, UploadedFile)
    assert (document.filename or "").endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(document.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][2:4] == ["Ваљево", "Милица Петровић"]
