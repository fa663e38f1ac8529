"""Telegram through python-telegram-bot: long polling in, Bot API calls out."""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.app import App
from bot.core.locales import Locale
from bot.core.messages import Button, IncomingMessage, Kind, Outgoing, Reply, UserRef

log = logging.getLogger(__name__)

MESSENGER = "telegram"
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
    """Pieces of at most `limit` characters, cut at line breaks or spaces where possible."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut < limit // 2:
            cut = text.rfind(" ", 0, limit + 1)
        if cut < limit // 2:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    pieces.append(text)
    return pieces


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    return _markup(reply.buttons) if reply.buttons else None


# The same menus go to everyone in a locale, and building python-telegram-bot's (immutable)
# objects is a visible part of a send's cost: built once, shared.
@lru_cache(maxsize=1024)
def _markup(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.payload) for b in row] for row in rows]
    )


def to_message(update: Update) -> IncomingMessage | None:
    """The core's view of an update; None for updates the bot ignores (edits, joins)."""
    if update.callback_query is not None:
        query = update.callback_query
        user = query.from_user
        return IncomingMessage(
            UserRef(MESSENGER, str(user.id)), Kind.BUTTON, payload=query.data or "",
            name=user.full_name, language_hint=user.language_code,
        )  # fmt: skip
    message = update.message
    if message is None or message.from_user is None:
        return None
    user = message.from_user
    if message.chat.type != "private":
        return IncomingMessage(
            UserRef(MESSENGER, str(message.chat.id)), Kind.TEXT, text=message.text or "",
            language_hint=user.language_code, private=False,
        )  # fmt: skip
    ref = UserRef(MESSENGER, str(user.id))
    if message.text is None:
        return IncomingMessage(
            ref, Kind.UNSUPPORTED, name=user.full_name, language_hint=user.language_code
        )
    return IncomingMessage(
        ref, Kind.TEXT, text=message.text, name=user.full_name, language_hint=user.language_code
    )


class TelegramChannel:
    def __init__(self, app: App, token: str, base_url: str | None = None) -> None:
        self.app = app
        # httpcore scans its whole pool twice per request, with two system calls per idle
        # connection: a pool that grew in a burst made every later send slower. Eight
        # connections still carry far more than Telegram's ~30 messages/s per bot; a burst
        # waits its turn for a connection instead of failing.
        builder = (
            ApplicationBuilder()
            .token(token)
            .concurrent_updates(True)
            .connection_pool_size(8)
            .pool_timeout(10.0)
        )
        if base_url:
            builder = builder.base_url(base_url)
        self.application: Application = builder.build()  # type: ignore[type-arg]
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        app.add_sender(MESSENGER, self.send)

    async def start(self) -> None:
        await self.application.initialize()
        await self.register_commands()
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            allowed_updates=["message", "edited_message", "callback_query", "my_chat_member"]
        )
        log.info("Telegram: polling as @%s", self.application.bot.username)

    async def stop(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
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
            user = await self.app.services.users.get(ref)
            chosen = (user.locale or user.last_locale) if user else None
            commands = [
                BotCommand(n, d) for n, d in dispatcher.command_list(chosen or Locale.SR_CYRL, True)
            ]
            try:
                await bot.set_my_commands(commands, scope=BotCommandScopeChat(int(ref.id)))
            except BadRequest as exc:
                # a coordinator who never opened the chat: they get the menu after /start
                log.warning("coordinator commands for %s not set: %s", ref, exc.message)

    async def send(self, out: Outgoing) -> None:
        pieces = split_text(out.reply.text)
        try:
            attachment = out.reply.attachment
            if attachment is not None:
                caption, pieces = (
                    (pieces[0], pieces[1:]) if len(pieces[0]) <= MAX_CAPTION else ("", pieces)
                )
                await self.application.bot.send_document(
                    chat_id=int(out.to.id),
                    document=InputFile(attachment.content, filename=attachment.filename),
                    caption=caption or None,
                )
            for i, piece in enumerate(p for p in pieces if p):
                # buttons go with the last piece, right above where the person types
                markup = keyboard(out.reply) if i == len(pieces) - 1 else None
                await self.application.bot.send_message(
                    chat_id=int(out.to.id), text=piece, reply_markup=markup
                )
        except Forbidden:
            await self.app.services.users.set_blocked(out.to)
            log.info("%s has blocked the bot; marked", out.to)

    async def _on_update(self, update: object, _: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update):
            return
        member = update.my_chat_member
        if member is not None and member.chat.type == "private":
            blocked = member.new_chat_member.status in ("kicked", "left")
            await self.app.services.users.set_blocked(
                UserRef(MESSENGER, str(member.chat.id)), blocked
            )
            return
        msg = to_message(update)
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
