"""Telegram through python-telegram-bot: long polling in, Bot API calls out."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import json
import logging
import os
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import httpx
from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler, filters
from telegram.request import HTTPXRequest

from bot.app import App
from bot.channels.text import split_text as text_pieces
from bot.channels.text import utf16_length
from bot.core.context import reader_locale
from bot.core.locales import Locale
from bot.core.messages import Button, IncomingMessage, Kind, Outgoing, Reply, UserRef
from bot.delivery.outbound import Limits, Step
from bot.delivery.outcome import DELIVERED, Attempt, Status
from bot.logs import shown_url
from bot.web.server import WebServer

log = logging.getLogger(__name__)

# python-telegram-bot's next major version gives durations as timedelta; opting in now silences
# a deprecation warning on every "too many requests" (both types are read below anyway)
os.environ.setdefault("PTB_TIMEDELTA", "1")

MESSENGER = "telegram"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
MAX_TEXT = 4096
MAX_CAPTION = 1024

# Telegram's command menus by the app's language: Serbian apps get Cyrillic, Croatian and
# Bosnian ones (people who read Latin) get Latin, everyone else English (the default).
COMMAND_LANGUAGES: tuple[tuple[str | None, Locale], ...] = (
    (None, Locale.EN),
    ("en", Locale.EN),
    ("sr", Locale.SR_CYRL),
    ("hr", Locale.SR_LATN),
    ("bs", Locale.SR_LATN),
)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    return text_pieces(text, limit, utf16=True)


def keyboard(reply: Reply) -> dict[str, object] | None:
    return _markup(reply.buttons) if reply.buttons else None


# The same menus go to everyone in a locale, and building python-telegram-bot's (immutable)
# objects is a visible part of a send's cost: built once, shared.
@lru_cache(maxsize=1024)
def _markup(rows: tuple[tuple[Button, ...], ...]) -> dict[str, object]:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.payload) for b in row] for row in rows]
    ).to_dict()


def addressed(text: str, username: str) -> bool:
    """In a group, a message meant for this bot: a command that names no other bot, or a
    mention of it. The rest of a group's talk is not the bot's business."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    if first.startswith("/"):
        _, at, bot = first.partition("@")
        return not at or bot.lower() == username.lower()
    return bool(username) and f"@{username.lower()}" in text.lower()


def to_message(update: Update, username: str = "") -> IncomingMessage | None:
    """The core's view of an update; None for updates the bot ignores (edits, joins, a
    group's talk that is not addressed to the bot)."""
    if update.callback_query is not None:
        query = update.callback_query
        user = query.from_user
        return IncomingMessage(
            UserRef(MESSENGER, str(user.id)), Kind.BUTTON, payload=query.data or "",
            name=user.full_name or "", language_hint=user.language_code,
        )  # fmt: skip
    message = update.message
    if message is None or message.from_user is None:
        return None
    user = message.from_user
    if message.chat.type != "private":
        # service messages (joins, pins, titles) have no text and want no answer
        if message.text is None or not addressed(message.text, username):
            return None
        return IncomingMessage(
            UserRef(MESSENGER, str(message.chat.id)), Kind.TEXT, text=message.text or "",
            language_hint=user.language_code, private=False,
        )  # fmt: skip
    ref = UserRef(MESSENGER, str(user.id))
    if message.text is None and filters.StatusUpdate.ALL.check_update(update):
        return None  # a pinned message, a timer changed: nothing the person said to the bot
    if message.text is None:
        return IncomingMessage(
            ref, Kind.UNSUPPORTED, name=user.full_name or "", language_hint=user.language_code
        )
    # the HTML only when there is formatting: building it costs, and most messages are plain
    marked = _html(message) if message.entities else ""
    return IncomingMessage(
        ref, Kind.TEXT, text=message.text, name=user.full_name or "",
        language_hint=user.language_code, html=marked,
    )  # fmt: skip


def _html(message: Message) -> str:
    """The text with its formatting as Telegram's HTML. python-telegram-bot puts a link's
    address into href="…" as it is: one with a quote in it would break the markup."""
    marked = message.text_html
    for entity in message.entities:
        url = entity.url
        if url and html.escape(url, quote=True) != url:
            marked = marked.replace(
                f'<a href="{url}">', f'<a href="{html.escape(url, quote=True)}">'
            )
    return marked


def attempt_of(exc: TelegramError) -> Attempt:
    """What a failed Bot API call means for the message."""
    reason = exc.message
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return Attempt(Status.RETRY_AFTER, seconds, reason)
    if isinstance(exc, Forbidden):
        return Attempt(Status.UNREACHABLE, reason=reason)
    if isinstance(exc, BadRequest):
        # a NetworkError to python-telegram-bot, but repeating it would be refused again
        unreachable = "chat not found" in exc.message.lower()
        return Attempt(Status.UNREACHABLE if unreachable else Status.FAILED, reason=reason)
    if isinstance(exc, TimedOut):
        # a pool or connect timeout sent nothing; a read or write timeout may have delivered
        sent_nothing = isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout)
        return Attempt(Status.TRANSIENT if sent_nothing else Status.UNCERTAIN, reason=reason)
    if isinstance(exc, NetworkError):
        # 5xx answers and connections that failed: Telegram did not take the message
        return Attempt(Status.TRANSIENT, reason=reason)
    return Attempt(Status.FAILED, reason=reason)


class _QuietRefusal(logging.Filter):
    """python-telegram-bot logs a refused token with a traceback as it stops polling; the
    channel says it in one line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


# once per process, not per channel: every channel a test starts would add another
logging.getLogger("telegram.ext").addFilter(_QuietRefusal())


class _Polling(HTTPXRequest):
    """python-telegram-bot's HTTP client, telling the channel when Telegram refuses the token:
    the updater would otherwise stop polling for good while the process lives on."""

    def __init__(self, on_refused: Callable[[int], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_refused = on_refused

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
        if code in (401, 404):
            self._on_refused(code)
        return code, payload


class TelegramChannel:
    messenger = MESSENGER
    edits = True  # editMessageText
    deletes = True  # deleteMessage, within 48 hours of sending

    def __init__(
        self, app: App, token: str, base_url: str | None = None, limits: Limits | None = None,
        webhook_url: str = "", server: WebServer | None = None,
    ) -> None:  # fmt: skip
        self.app = app
        # webhook mode: Telegram posts updates to this public address (served by `server`)
        # with a secret made at each start; polling otherwise
        self.webhook_url = webhook_url
        self._secret = secrets.token_urlsafe(32)
        self.server = server
        if webhook_url:
            self.server = server or WebServer(("127.0.0.1", 8080))
            path = urlsplit(webhook_url).path or "/"
            self.server.add("POST", path, self._webhook)
        self.limits = limits or Limits()
        # set when Telegram answers 401/404: the token was revoked; the process should end
        self.refused = asyncio.Event()
        # httpcore scans its whole pool twice per request, with two system calls per idle
        # connection: a pool that grew in a burst made every later send slower. Eight
        # connections still carry far more than Telegram's ~30 messages/s per bot; a burst
        # waits its turn for a connection instead of failing.
        builder = (
            ApplicationBuilder()
            .token(token)
            .concurrent_updates(True)
            .request(HTTPXRequest(connection_pool_size=8, pool_timeout=10.0))
            # only polling decides that the token is gone: one refused send could be a glitch
            .get_updates_request(_Polling(self._refused, connection_pool_size=1))
        )
        if base_url:
            builder = builder.base_url(base_url)
        self.application: Application = builder.build()  # type: ignore[type-arg]
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        app.add_transport(MESSENGER, self)

    def _refused(self, code: int) -> None:
        if not self.refused.is_set():
            log.error("Telegram refused the token (HTTP %d): it was revoked or is wrong", code)
            self.refused.set()

    async def start(self) -> None:
        await self.application.initialize()
        await self.register_commands()
        await self.application.start()
        if self.webhook_url:
            assert self.server is not None
            await self.server.start()
            await self.application.bot.set_webhook(
                self.webhook_url, secret_token=self._secret, allowed_updates=ALLOWED_UPDATES
            )
            log.info("Telegram: webhook set to %s as @%s", shown_url(self.webhook_url),
                     self.application.bot.username)  # fmt: skip
            return
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            allowed_updates=ALLOWED_UPDATES,
            error_callback=self._polling_failed,
        )
        log.info("Telegram: polling as @%s", self.application.bot.username)

    async def _webhook(self, request: web.Request) -> web.StreamResponse:
        """An update Telegram posted: the secret it was given at start, or nothing is done."""
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(given.encode(), self._secret.encode()):
            log.warning("Telegram webhook request refused: %s secret token from %s",
                        "a wrong" if given else "no", request.remote)  # fmt: skip
            return web.json_response({"error": "bad secret token"}, status=403)
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, self.application.bot)
        except (ValueError, TypeError, KeyError) as exc:
            return web.json_response({"error": f"not an update: {exc}"}, status=400)
        if update is None:
            return web.json_response({"error": "not an update"}, status=400)
        await self.application.update_queue.put(update)
        return web.json_response({})

    def _polling_failed(self, exc: TelegramError) -> None:
        # python-telegram-bot retries (with backoff) by itself; one line, not a traceback
        log.warning("Telegram: getting updates failed (%s: %s); retrying", type(exc).__name__, exc)

    async def stop_receiving(self) -> None:
        """No new updates; those being handled finish and queue their replies. A webhook
        stays set: Telegram keeps what comes meanwhile and posts it after the restart."""
        if self.webhook_url and self.server is not None:
            await self.server.stop()
        updater = self.application.updater
        if updater is not None and updater.running:
            with contextlib.suppress(InvalidToken):  # polling ended on it; said once already
                await updater.stop()
        if self.application.running:
            await self.application.stop()

    async def stop(self) -> None:
        await self.stop_receiving()
        await self.application.shutdown()

    async def register_commands(self) -> None:
        bot = self.application.bot
        dispatcher = self.app.dispatcher
        for language, locale in COMMAND_LANGUAGES:
            commands = [BotCommand(n, d) for n, d in dispatcher.command_list(locale, False)]
            await bot.set_my_commands(commands, language_code=language)
        for ref in self.app.services.settings.coordinators:
            if ref.messenger != MESSENGER:
                continue
            locale = reader_locale(await self.app.services.users.get(ref))
            commands = [BotCommand(n, d) for n, d in dispatcher.command_list(locale, True)]
            try:
                await bot.set_my_commands(commands, scope=BotCommandScopeChat(int(ref.id)))
            except BadRequest as exc:
                # a coordinator who never opened the chat: they get the menu after /start
                log.warning("coordinator commands for %s not set: %s", ref, exc.message)

    def steps(self, out: Outgoing) -> list[Step]:
        """One Bot API call per step: a file (with the text as its caption when it fits),
        then the text in pieces of at most 4096 characters, buttons with the last piece."""
        bot, chat_id = self.application.bot, int(out.to.id)
        if out.delete:
            gone = {"chat_id": chat_id, "message_id": int(out.delete)}
            return [_step(lambda: bot.do_api_request("deletemessage", gone), gone_is_done=True)]
        # formatted text is checked for length when it is composed: a cut could split a tag
        pieces = [out.reply.text] if out.reply.html else split_text(out.reply.text)
        calls: list[Callable[[], Awaitable[object]]] = []
        attachment = out.reply.attachment
        if attachment is not None:
            caption, pieces = (
                (pieces[0], pieces[1:]) if utf16_length(pieces[0]) <= MAX_CAPTION else ("", pieces)
            )
            # the buttons go with the file when no text follows it
            file_markup = keyboard(out.reply) if not any(pieces) else None
            calls.append(
                lambda: bot.send_document(
                    chat_id=chat_id,
                    document=InputFile(attachment.content, filename=attachment.filename),
                    caption=caption or None,
                    reply_markup=file_markup,
                )
            )
        texts = [p for p in pieces if p]
        for i, piece in enumerate(texts):
            # buttons go with the last piece, right above where the person types
            markup = keyboard(out.reply) if i == len(texts) - 1 else None
            params: dict[str, object] = {"chat_id": chat_id, "text": piece}
            if markup is not None:
                params["reply_markup"] = markup
            if out.reply.html:
                params["parse_mode"] = "HTML"
            method = "sendmessage"
            if out.edit and len(texts) == 1:
                method, params["message_id"] = "editmessagetext", int(out.edit)
            # the raw call: Bot.send_message would parse the sent message back into objects
            # nobody reads, a third of a send's CPU (measured). Bot API method names are
            # case-insensitive; this spelling is not one python-telegram-bot warns about.
            calls.append(lambda m=method, p=params: bot.do_api_request(m, p))  # type: ignore[misc]
        return [_step(call) for call in calls]

    async def _on_update(self, update: object, _: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update):
            return
        member = update.my_chat_member
        if member is not None and member.chat.type == "private":
            blocked = member.new_chat_member.status in ("kicked", "left")
            ref = UserRef(MESSENGER, str(member.chat.id))
            try:
                await self.app.services.users.set_blocked(ref, blocked)
            except Exception as exc:  # a busy database: the next send finds out again
                log.warning("%s: could not record blocked=%s: %s", ref, blocked, exc)
            return
        msg = to_message(update, self.application.bot.username or "")
        if msg is None:
            return
        query = update.callback_query
        if query is None:
            await self.app.handle(msg)
            return
        # the spinner on the button stops while the reply is being prepared, not after; the
        # press itself is handled at once, so a message typed right after cannot overtake it
        answered = asyncio.create_task(self._answer(query))
        await self.app.handle(msg)
        await answered

    async def _answer(self, query: CallbackQuery) -> None:
        try:
            await query.answer()
        except TelegramError as exc:
            # an old query can no longer be answered; the reply still goes out
            log.debug("answerCallbackQuery failed: %s", exc)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Telegram update failed: %s", context.error, exc_info=context.error)


def _step(call: Callable[[], Awaitable[object]], gone_is_done: bool = False) -> Step:
    async def step() -> Attempt:
        try:
            result = await call()
        except TelegramError as exc:
            # do_api_request reports a refused token as an unknown method
            if isinstance(exc, InvalidToken | EndPointNotFound):
                return Attempt(Status.FAILED, reason="Telegram refused the token")
            if isinstance(exc, BadRequest) and "not modified" in exc.message:
                return DELIVERED  # an edit that changed nothing: what it says is shown
            if gone_is_done and isinstance(exc, BadRequest):
                # deleted already, or older than Telegram allows: nothing more can be done
                return Attempt(Status.DELIVERED, reason=exc.message)
            return attempt_of(exc)
        if isinstance(result, dict) and "message_id" in result:
            return Attempt(Status.DELIVERED, message_id=str(result["message_id"]))
        return DELIVERED

    return step
