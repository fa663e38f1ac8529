"""The Bot API double, driven by the real python-telegram-bot Application over loopback HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.telegram_double import BotApiDouble, UploadedFile

App = Application[Any, Any, Any, Any, Any, Any]
Ctx = ContextTypes.DEFAULT_TYPE
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Da", callback_data="yes")]])


@pytest.fixture
async def double() -> AsyncIterator[BotApiDouble]:
    async with BotApiDouble() as api:
        yield api


def build(api: BotApiDouble) -> App:
    return ApplicationBuilder().token(api.token).base_url(api.base_url).build()


@asynccontextmanager
async def polling(app: App) -> AsyncIterator[App]:
    # A 10 s long poll: replies arriving quickly prove that a pushed update wakes getUpdates.
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=10)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def start(update: Update, context: Ctx) -> None:
    assert update.effective_message and update.effective_user
    lang = update.effective_user.language_code
    await update.effective_message.reply_text(f"hi {lang}", reply_markup=KEYBOARD)


async def echo(update: Update, context: Ctx) -> None:
    assert update.effective_message and update.effective_message.text
    await update.effective_message.reply_text(update.effective_message.text)


async def pressed(update: Update, context: Ctx) -> None:
    query = update.callback_query
    assert query and isinstance(query.message, Message) and query.data
    assert query.message.reply_markup == KEYBOARD  # the pressed message comes with its keyboard
    await query.answer("ok")
    await query.edit_message_text(f"chose {query.data}")


async def test_echo_and_command_over_long_polling(double: BotApiDouble) -> None:
    app = build(double)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    began = time.monotonic()
    async with polling(app):
        double.user_text(42, "/start")
        double.user_text(42, "123")  # digits must stay a str, not become a JSON number
        last_id = double.user_text(7, "zdravo", language_code=None)
        first, second = await double.wait_for_sent(42, 2)
        (other,) = await double.wait_for_sent(7, 1)
    assert time.monotonic() - began < 5, "pushing an update must end the 10 s long poll at once"
    assert (first.text, first.buttons, first.edited) == ("hi sr", [[("Da", "yes")]], False)
    assert (second.text, second.buttons) == ("123", [])
    assert (first.message_id, second.message_id) == (3, 4)  # user and bot share a counter
    assert other.text == "zdravo"
    methods = [c.method for c in double.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    cleanup = double.calls[-1]  # PTB confirms what it fetched with a last, non-blocking poll
    assert cleanup.method == "getUpdates"
    assert cleanup.params["offset"] == last_id + 1 and cleanup.params["timeout"] == 0


async def test_callback_query_round_trip(double: BotApiDouble) -> None:
    app = build(double)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with polling(app):
        double.user_text(42, "/start")
        (menu,) = await double.wait_for_sent(42, 1)
        update_id = double.user_press(42, "yes")
        answer = await double.wait_for_call(
            "answerCallbackQuery", lambda c: c.params["callback_query_id"] == str(update_id)
        )
        _, edited = await double.wait_for_sent(42, 2)
    assert answer.params["text"] == "ok"
    assert (edited.message_id, edited.text, edited.edited) == (menu.message_id, "chose yes", True)
    assert edited.buttons == []


async def test_other_update_kinds_reach_ptb(double: BotApiDouble) -> None:
    seen: list[str] = []
    done = asyncio.Event()

    async def note(update: Update, context: Ctx) -> None:
        msg = update.effective_message
        assert msg is not None
        kind = "sticker" if msg.sticker else "photo" if msg.photo else "edit"
        seen.append(f"{kind}:{msg.sticker.emoji if msg.sticker else msg.caption or msg.text}")
        if len(seen) == 3:
            done.set()

    app = build(double)
    app.add_handler(MessageHandler(filters.ALL, note))
    async with polling(app):
        double.user_sticker(42)
        double.user_photo(42, caption="pogled")
        double.user_edit(42, 1, "ispravka")
        await asyncio.wait_for(done.wait(), 5)
    assert seen == ["sticker:👍", "photo:pogled", "edit:ispravka"]


async def test_commands_documents_and_edits(double: BotApiDouble) -> None:
    async with build(double) as app:
        bot = app.bot
        sr = [BotCommand("start", "Почетак"), BotCommand("help", "Помоћ")]
        assert await bot.set_my_commands(sr, language_code="sr")
        await bot.set_my_commands([BotCommand("menu", "Menu")], BotCommandScopeAllPrivateChats())
        assert double.commands("sr") == [("start", "Почетак"), ("help", "Помоћ")]
        assert double.commands(scope_type="all_private_chats") == [("menu", "Menu")]
        assert double.commands() == []
        assert await bot.get_my_commands(language_code="sr") == tuple(sr)
        await bot.delete_my_commands(language_code="sr")
        assert double.commands("sr") == []

        doc = await bot.send_document(42, b"a,b\n1,2\n", filename="report.csv", caption="CSV")
        assert doc.document and doc.document.file_name == "report.csv" and doc.caption == "CSV"
        upload = (await double.wait_for_call("sendDocument")).params["document"]
        assert upload == UploadedFile("report.csv", b"a,b\n1,2\n", "text/csv")

        msg = await bot.send_message(42, "prvi", reply_markup=KEYBOARD)
        assert msg.reply_markup == KEYBOARD and msg.from_user and msg.from_user.is_bot
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("prvi", 42, msg.message_id, reply_markup=KEYBOARD)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", 42, 999)
        edited = await bot.edit_message_reply_markup(42, msg.message_id)
        assert not isinstance(edited, bool) and edited.reply_markup is None


# RetryAfter.__init__ itself trips 22.8's "retry_after becomes a timedelta" deprecation warning.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_failure_injection(double: BotApiDouble) -> None:
    async with build(double) as app:
        double.blocked_users.add(13)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await app.bot.send_message(13, "hello")
        double.rate_limit = 2  # a burst of 2, then 429 with retry_after >= 1
        await app.bot.send_message(42, "1")
        await app.bot.send_message(42, "2")
        with pytest.raises(RetryAfter, match=r"Retry in (1 seconds|0:00:01)$"):
            await app.bot.send_message(42, "3")
        assert double.count_429 == 1
    assert [m.text for m in double.sent(42)] == ["1", "2"]


async def test_raw_http_errors(double: BotApiDouble) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{double.base_url}{double.token}/noSuchMethod") as resp:
            assert resp.status == 404
            assert await resp.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.get(f"{double.base_url}1:WRONG/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {
                "ok": False,
                "error_code": 401,
                "description": "Unauthorized",
            }
        url = f"{double.base_url}{double.token}/sendMessage"
        async with http.post(url, json={"chat_id": "5", "text": "007"}) as resp:
            result = (await resp.json())["result"]
            assert (result["chat"]["id"], result["text"]) == (5, "007")
        async with http.get(f"{double.base_url}{double.token}/getUpdates?timeout=0") as resp:
            assert await resp.json() == {"ok": True, "result": []}
