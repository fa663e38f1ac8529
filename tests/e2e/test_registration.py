"""Officials register on Telegram with buttons, in each locale; coordinators get the file."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from bot.app import App
from tests.e2e.conftest import COORDINATOR
from tests.e2e.test_telegram import payload
from tests.telegram_double import BotApiDouble, UploadedFile

# (language button, typed and pressed answers, what the summary and the confirmation say)
CASES = {
    "Ћирилица": (
        [("text", "Ваљево"), ("press", "Ваљево"), ("text", "Милица Петровић"),
         ("press", "Службеник за ЕУ интеграције"), ("text", "milica@valjevo.rs"),
         ("press", "Прескочи"), ("press", "ЕУ интеграције"), ("press", "Готово"),
         ("press", "Тражимо партнера"), ("press", "Слажем се"), ("press", "Да"),
         ("press", "Потврди")],
        "Адреса е-поште: milica@valjevo.rs", "Пријављено: Ваљево.", "Милица Петровић",
    ),
    "Latinica": (
        [("text", "kladovo"), ("press", "Kladovo"), ("text", "Đorđe Ilić"),
         ("press", "Lokalna uprava"), ("text", "djordje@kladovo.rs"), ("text", "019 801 234"),
         ("press", "Lokalni ekonomski razvoj"), ("press", "Gotovo"),
         ("press", "Već imamo švedskog partnera"), ("press", "Slažem se"), ("press", "Ne"),
         ("press", "Potvrdi")],
        "Telefon: +381 19 801 234", "Prijavljeno: Kladovo.", "Đorđe Ilić",
    ),
    "English": (
        [("text", "Kraljevo"), ("press", "Kraljevo"), ("text", "Ana Smith"),
         ("press", "Mayor"), ("text", "ana@kraljevo.rs"), ("press", "Skip"),
         ("press", "Social services"), ("press", "Done"), ("press", "Just exploring"),
         ("press", "I agree"), ("press", "Yes"), ("press", "Confirm")],
        "Stage: Just exploring", "Registered: Kraljevo.", "Ana Smith",
    ),
}  # fmt: skip


@pytest.mark.parametrize("language", list(CASES))
async def test_registration_over_telegram_mostly_by_buttons(
    api: BotApiDouble, telegram_bot: App, language: str
) -> None:
    steps, in_summary, registered, name = CASES[language]
    user = 1001
    api.user_text(user, "/start", first_name="Ana", language_code="sr")
    await api.wait_for_sent(user, 1)
    api.user_press(user, payload(api.sent(user)[-1], language))
    await api.wait_for_sent(user, 2)
    api.user_text(user, "/register")
    count = 4  # the introduction and the first question
    await api.wait_for_sent(user, count)
    texts = []
    for kind, value in steps:
        if kind == "text":
            api.user_text(user, value)
        else:
            api.user_press(user, payload(api.sent(user)[-1], value))
        count += 1
        texts.append((await api.wait_for_sent(user, count))[-1].text)
    assert any(in_summary in t for t in texts), "the summary shows the answers"
    sent = await api.wait_for_sent(user, count + 1)
    assert registered in sent[-2].text
    note = (await api.wait_for_sent(COORDINATOR, 1))[-1]
    assert "Нова пријава" in note.text and name in note.text


async def test_the_coordinator_gets_the_export_as_a_file(
    api: BotApiDouble, telegram_bot: App
) -> None:
    await test_registration_over_telegram_mostly_by_buttons(api, telegram_bot, "Ћирилица")
    api.user_text(COORDINATOR, "/export", language_code="sr")
    call = await api.wait_for_call("sendDocument")
    document = call.params["document"]
    assert isinstance(document, UploadedFile)
    assert (document.filename or "").endswith(".xlsx")
    assert call.params["caption"] == "1 пријава."
    sheet = load_workbook(io.BytesIO(document.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][2:4] == ["Ваљево", "Милица Петровић"]


async def test_forget_deletes_the_notices_coordinators_got_about_the_person(
    api: BotApiDouble, telegram_bot: App
) -> None:
    await test_registration_over_telegram_mostly_by_buttons(api, telegram_bot, "Ћирилица")
    note = (await api.wait_for_sent(COORDINATOR, 1))[-1]
    user = 1001
    api.user_text(user, "/forget")
    ask = (await api.wait_for_sent(user, len(api.sent(user)) + 1))[-1]
    api.user_press(user, payload(ask, "Да, обриши све"))
    done = (await api.wait_for_sent(user, len(api.sent(user)) + 1))[-1]
    assert "48 сати" in done.text
    call = await api.wait_for_call("deleteMessage")
    assert (call.params["chat_id"], call.params["message_id"]) == (COORDINATOR, note.message_id)
    assert api.deleted == [(COORDINATOR, note.message_id)]
    # nothing of the notice is left in the database either
    rows = await telegram_bot.services.db.execute_fetchall("SELECT * FROM notices")
    assert list(rows) == []
