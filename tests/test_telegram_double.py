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
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
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


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, api: BotApiDouble, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """One raw Bot API call: (HTTP status, JSON body), for what PTB's exceptions hide."""
    async with http.post(f"{api.base_url}{api.token}/{method}", json=params) as resp:
        return resp.status, await resp.json()


def error(code: int, description: str, **parameters: int) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    return body | ({"parameters": parameters} if parameters else {})


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


async def test_fault_rate_one_fails_every_send(
    double: BotApiDouble, http: aiohttp.ClientSession
) -> None:
    double.fault_rate = 1.0
    statuses = []
    for i in range(20):
        status, body = await call(http, double, "sendMessage", chat_id=42, text=str(i))
        assert body == error(status, {500: "Internal Server Error", 502: "Bad Gateway"}[status])
        statuses.append(status)
    assert set(statuses) == {500, 502}  # seed 0 picks both; the same every run
    assert (await call(http, double, "sendChatAction", chat_id=42, action="typing"))[0] == 200
    assert (await call(http, double, "getMe"))[0] == 200  # only chat-sending calls fail
    async with build(double) as app:
        with pytest.raises(NetworkError, match=r"^(Internal Server Error|Bad Gateway)$"):
            await app.bot.send_message(42, "ptb")
    assert double.sent() == []
    assert sum(c.method == "sendMessage" for c in double.calls) == 21  # attempts still recorded
    assert (double.count_5xx, double.faults) == (21, 21)


async def test_fault_rate_half_is_deterministic_for_a_seed(http: aiohttp.ClientSession) -> None:
    async def failures(seed: int) -> list[int]:
        async with BotApiDouble(seed=seed) as api:
            api.fault_rate = 0.5
            failed = []
            for i in range(100):
                status, _ = await call(http, api, "sendMessage", chat_id=42, text=str(i))
                if status != 200:
                    failed.append(i)
            assert [m.text for m in api.sent(42)] == [str(i) for i in range(100) if i not in failed]
            assert api.count_5xx == len(failed)
            return failed

    first = await failures(seed=7)
    assert 25 <= len(first) <= 75
    assert await failures(seed=7) == first
    assert await failures(seed=8) != first


# RetryAfter.__init__ itself trips 22.8's "retry_after becomes a timedelta" deprecation warning.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_send_message(double: BotApiDouble) -> None:
    async with build(double) as app:
        bot = app.bot
        expected: list[tuple[int, type[Exception], str]] = [
            (500, NetworkError, "^Internal Server Error$"),
            (502, NetworkError, "^Bad Gateway$"),
            (503, NetworkError, "^Service Unavailable$"),
            (429, RetryAfter, r"Retry in (1 seconds|0:00:01)$"),
            (401, InvalidToken, "^Unauthorized$"),
            (404, InvalidToken, "^Not Found$"),
        ]
        for code, exception, message in expected:
            double.fail_next(1, code)
            with pytest.raises(exception, match=message):
                await bot.send_message(42, f"lost {code}")
        await bot.send_message(42, "1")

        double.fail_next(2, 500)  # these queue up, in order
        double.fail_next(1)
        double.fail_next(1, 429, method="SENDMESSAGE")  # method names are case-insensitive
        await bot.send_chat_action(42, "typing")  # neither chat-sending nor named
        await bot.get_me()
        for exception in (NetworkError, NetworkError, NetworkError, RetryAfter):
            with pytest.raises(exception):
                await bot.send_message(42, "lost")
        await bot.send_message(42, "2")

        double.fail_next(1, 502, method="getMe")
        await bot.send_message(42, "3")  # a named fault leaves other methods alone
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.get_me()
        with pytest.raises(ValueError, match="403"):
            double.fail_next(1, 403)
    assert [m.text for m in double.sent(42)] == ["1", "2", "3"]
    assert (double.count_5xx, double.count_429, double.count_401, double.count_404) == (7, 2, 1, 1)
    assert double.faults == 11


async def test_fail_next_get_updates(double: BotApiDouble, http: aiohttp.ClientSession) -> None:
    double.push_raw({"message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}})
    expected = {
        500: error(500, "Internal Server Error"),
        502: error(502, "Bad Gateway"),
        429: error(429, "Too Many Requests: retry after 1", retry_after=1),
        401: error(401, "Unauthorized"),
        404: error(404, "Not Found"),
    }
    for code in expected:
        double.fail_next(1, code, method="getUpdates")
    for code, body in expected.items():
        assert (await call(http, double, "sendMessage", chat_id=5, text="ok"))[0] == 200
        assert await call(http, double, "getUpdates", timeout=0) == (code, body)
    status, body = await call(http, double, "getUpdates", timeout=0)
    assert (status, len(body["result"])) == (200, 1)  # the faults lost no update
    assert double.faults == 5


# RetryAfter.__init__ itself trips 22.8's "retry_after becomes a timedelta" deprecation warning.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_polling_rides_out_get_updates_faults(double: BotApiDouble) -> None:
    double.fail_next(1, 502, method="getUpdates")
    double.fail_next(1, 429, method="getUpdates")
    app = build(double)
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with polling(app):  # PTB waits 1 s after the 502, 1.5 s after the 429
        double.user_text(42, "opet")
        (reply,) = await double.wait_for_sent(42, 1, timeout=30)
    assert reply.text == "opet"
    assert sum(c.method == "getUpdates" for c in double.calls) >= 3
    assert (double.count_5xx, double.count_429) == (1, 1)


async def test_per_chat_rate(double: BotApiDouble, http: aiohttp.ClientSession) -> None:
    # 1 token/s: the 4th send is refused unless a whole second passes after the 1st, a wide
    # margin for four loopback calls even on a loaded machine.
    double.per_chat_rate, double.per_chat_burst = 1.0, 3
    for i in range(3):
        assert (await call(http, double, "sendMessage", chat_id=1, text=f"a{i}"))[0] == 200
    status, body = await call(http, double, "sendMessage", chat_id=1, text="refused")
    retry_after = body["parameters"]["retry_after"]
    assert status == 429 and retry_after >= 1
    assert body == error(429, f"Too Many Requests: retry after {retry_after}", **body["parameters"])
    for i in range(3):  # another chat has its own bucket
        assert (await call(http, double, "sendMessage", chat_id=2, text=f"b{i}"))[0] == 200
    assert (await call(http, double, "sendChatAction", chat_id=1, action="typing"))[0] == 200
    await asyncio.sleep(retry_after + 0.1)
    assert (await call(http, double, "sendMessage", chat_id=1, text="later"))[0] == 200
    assert [m.text for m in double.sent(1)] == ["a0", "a1", "a2", "later"]
    assert (double.count_429, double.faults) == (1, 1)


async def test_global_and_per_chat_buckets(
    double: BotApiDouble, http: aiohttp.ClientSession
) -> None:
    double.global_rate = 5
    assert double.rate_limit == 5
    double.rate_limit = None
    assert double.global_rate is None

    async def send(chat_id: int) -> int:
        return (await call(http, double, "sendMessage", chat_id=chat_id, text="x"))[0]

    # Both at 1 token/s, so every refusal below holds for a second: a wide margin.
    double.per_chat_rate, double.per_chat_burst = 1.0, 1
    assert await send(1) == 200  # chat 1's bucket is empty now
    double.global_rate = 1  # a full bucket of one
    assert await send(1) == 429  # refused by chat 1's bucket ...
    assert await send(2) == 200  # ... which left the global token for chat 2
    assert await send(3) == 429  # refused by the global bucket ...
    double.global_rate = None
    assert await send(3) == 200  # ... which left chat 3's token
    assert [len(double.sent(chat)) for chat in (1, 2, 3)] == [1, 1, 1]
    assert double.count_429 == 2


async def test_latency_delays_the_answer_not_the_message(double: BotApiDouble) -> None:
    async with build(double) as app:
        double.latency = 0.3
        began = time.monotonic()
        await app.bot.send_message(42, "slow")
        assert time.monotonic() - began >= 0.3
        double.latency = 60
        with pytest.raises(TimedOut):
            await app.bot.send_message(42, "late", read_timeout=2)
    assert [m.text for m in double.sent(42)] == ["slow", "late"]  # delivered all the same


async def test_unauthorized(double: BotApiDouble, http: aiohttp.ClientSession) -> None:
    async with build(double) as app:
        double.unauthorized = True
        unauthorized = (401, error(401, "Unauthorized"))
        assert await call(http, double, "getUpdates", timeout=0) == unauthorized
        with pytest.raises(InvalidToken, match="Unauthorized"):
            await app.bot.send_message(42, "x")
        with pytest.raises(InvalidToken):
            await app.bot.get_me()
        assert double.calls[-3].method == "getUpdates"  # refused calls are still recorded
        double.unauthorized = False
        await app.bot.send_message(42, "back")
    assert [m.text for m in double.sent(42)] == ["back"]
    assert (double.count_401, double.faults) == (3, 3)


async def test_fault_counters(double: BotApiDouble, http: aiohttp.ClientSession) -> None:
    # Errors the double answers on its own merits are not injected faults.
    double.blocked_users.add(13)
    assert (await call(http, double, "sendMessage", chat_id=13, text="x"))[0] == 403
    assert (await call(http, double, "noSuchMethod"))[0] == 404
    assert (await call(http, double, "sendMessage", chat_id=42, text=" "))[0] == 400
    assert double.faults == 0
    for code in (429, 500, 502, 401, 404, 429):
        double.fail_next(1, code)
    for _ in range(6):
        await call(http, double, "sendMessage", chat_id=42, text="x")
    double.rate_limit = 1
    await call(http, double, "sendMessage", chat_id=42, text="x")
    assert (await call(http, double, "sendMessage", chat_id=42, text="x"))[0] == 429
    counts = double.count_429, double.count_5xx, double.count_401, double.count_404
    assert (counts, double.faults) == ((3, 2, 1, 1), 7)
