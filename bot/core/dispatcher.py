"""Routes each incoming message to its handler, one message per person at a time."""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from bot.core.context import Context, Services
from bot.core.dialogs import menu
from bot.core.dialogs.base import Dialog
from bot.core.flood import Flood
from bot.core.locales import Locale, choose
from bot.core.messages import Button, IncomingMessage, Kind, Outgoing, Reply, UserRef
from bot.core.question import looks_like_question
from bot.storage import db
from bot.storage.dialogs import DialogState

log = logging.getLogger(__name__)

Handler = Callable[[Context], Awaitable[list[Reply]]]
TextHandler = Callable[[Context, str], Awaitable[list[Reply]]]

# Telegram's limit for one message; longer input is no question anyone types by hand.
MAX_INPUT = 4096
# where a question typed at a form's step waits while the person says what it is
QUESTION_KEY = "_question"
# formatting characters (zero-width space, direction marks), controls, separators
_INVISIBLE = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    description_id: str
    coordinator_only: bool = False


class Dispatcher:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.commands: dict[str, Command] = {}
        self.menu_entries: dict[str, Handler] = {}
        self.prefixes: dict[str, TextHandler] = {}
        self.dialogs: dict[str, Dialog] = {}
        self.on_question: TextHandler = _menu_instead
        self._locks: dict[UserRef, asyncio.Lock] = {}
        self._waiting: dict[UserRef, int] = {}
        self._groups_told: set[UserRef] = set()
        self._flood = Flood(services.settings.flood)
        self.menu_entries["m:language"] = menu.choose_language
        self.add_command(Command("start", menu.start, "cmd.start"))
        self.add_command(Command("menu", menu.show_menu, "cmd.menu"))
        self.add_command(Command("help", menu.help_text, "cmd.help"))
        self.add_command(Command("language", menu.choose_language, "cmd.language"))
        self.add_command(Command("cancel", self._cancel, "cmd.cancel"))
        self.add_command(Command("stats", menu.stats, "cmd.stats", coordinator_only=True))

    def add_command(self, command: Command) -> None:
        self.commands[command.name] = command

    def add_dialog(self, dialog: Dialog) -> None:
        self.dialogs[dialog.name] = dialog
        if dialog.resumable:
            self.services.dialogs.form_names.add(dialog.name)

    @property
    def busy(self) -> bool:
        """Someone's message is being handled right now."""
        return bool(self._waiting)

    def is_coordinator(self, user: UserRef) -> bool:
        return user in self.services.settings.coordinators

    async def handle(
        self, msg: IncomingMessage, deliver: Callable[[Outgoing], object] | None = None
    ) -> list[Outgoing]:
        """Every private message gets at least one reply, whatever goes wrong inside (a group
        is told once that the bot works in private chats, then left alone). `deliver` queues
        each reply while the person's lock is held, so that the replies to one person's
        messages go out in the order the messages came."""
        if msg.private and not self._flood.allow(msg.user):
            # dozens a second: one polite word, then silence until they slow down; nobody
            # else waits for them
            if not self._flood.warned(msg.user):
                return []
            t = self.services.i18n[choose(None, msg.text, None, msg.language_hint)]
            out = Outgoing(msg.user, Reply(t.t("input.too_fast")))
            if deliver is not None:
                deliver(out)
            return [out]
        lock = self._locks.setdefault(msg.user, asyncio.Lock())
        self._waiting[msg.user] = self._waiting.get(msg.user, 0) + 1
        try:
            async with lock:
                outs = await self._handle(msg)
                if deliver is not None:
                    for out in outs:
                        deliver(out)
                return outs
        finally:
            self._waiting[msg.user] -= 1
            if not self._waiting[msg.user]:
                del self._waiting[msg.user]
                del self._locks[msg.user]

    async def _handle(self, msg: IncomingMessage) -> list[Outgoing]:
        services = self.services
        if not msg.private:
            # said once per group: a group that addresses the bot again hears nothing more
            if msg.user in self._groups_told:
                return []
            self._groups_told.add(msg.user)
            locale = choose(None, msg.text, None, msg.language_hint)
            text = services.i18n[locale].t("chat.private_only")
            return [Outgoing(msg.user, Reply(text))]
        ctx: Context | None = None
        try:
            user = await services.users.seen(msg.user, msg.name)
            state = await services.dialogs.get(user.id)
            in_form = state is not None and self._resumable(state.name) and not state.paused
            # a command ("/help" is no English sentence) or "Čačak" typed into a form says
            # nothing about the language the person reads
            said = "" if in_form or msg.text.lstrip().startswith("/") else msg.text
            locale = choose(user.locale, said, user.last_locale, msg.language_hint)
            ctx = Context(msg, user, locale, self.is_coordinator(msg.user), services)
            replies = await self._route(ctx)
            if user.locale is None and user.last_locale is not ctx.locale:
                await services.users.set_last_locale(user.id, ctx.locale)
        except Exception as exc:
            replies = [await self._failed(msg, ctx, exc)]
        notices = [replace(o, kind="notice") for o in ctx.outbox] if ctx is not None else []
        return [Outgoing(msg.user, r) for r in replies] + notices

    async def _failed(self, msg: IncomingMessage, ctx: Context | None, exc: Exception) -> Reply:
        """The reply when handling failed: "busy, try again" while another process holds the
        database, "something went wrong" otherwise; in the person's locale when it is known."""
        busy = db.is_busy(exc)
        if busy:
            log.warning("the database is busy; %s is asked to try again", msg.user)
        else:
            log.exception("handling a message from %s failed", msg.user, exc_info=exc)
        try:
            await db.after_failure(self.services.db)
        except Exception as again:
            log.warning("the database cannot recover yet: %s", again)
        if ctx is not None:
            t = ctx.t
        else:
            t = self.services.i18n[choose(None, msg.text, None, msg.language_hint)]
        text = t.t("error.busy") if busy else t.t("error.internal")
        return Reply(text, ((Button(t.t("button.menu"), "menu"),),))

    async def _route(self, ctx: Context) -> list[Reply]:
        msg = ctx.msg
        if msg.kind is Kind.UNSUPPORTED:
            # a sticker or a photo at a form's step: the step's question again, not a menu
            # that would seem to leave the form
            unsupported = ctx.t.t("input.unsupported")
            state = await self.services.dialogs.get(ctx.user.id)
            if state is not None and state.name in self.dialogs and not state.paused:
                return [Reply(unsupported), *await self.dialogs[state.name].resume(ctx, state)]
            return [ctx.with_menu_button(unsupported)]
        if msg.kind is Kind.BUTTON:
            return await self._button(ctx, msg.payload)
        text = msg.text.strip()
        if len(text) > MAX_INPUT:
            t = ctx.t
            too_long = t.t(
                "input.too_long", length=t.characters(len(text)), limit=t.characters(MAX_INPUT)
            )
            return [Reply(too_long)]
        if not text or all(unicodedata.category(ch) in _INVISIBLE for ch in text):
            # zero-width spaces and direction marks alone say nothing; a form on screen asks
            # its question again
            empty = ctx.t.t("input.empty")
            state = await self.services.dialogs.get(ctx.user.id)
            if state is not None and state.name in self.dialogs and not state.paused:
                return [Reply(empty), *await self.dialogs[state.name].resume(ctx, state)]
            return [ctx.with_menu_button(empty)]
        if text.startswith("/"):
            return await self._command(ctx, text)
        state = await self.services.dialogs.get(ctx.user.id)
        if state is None or state.name not in self.dialogs:
            return await self.on_question(ctx, text)
        dialog = self.dialogs[state.name]
        if dialog.resumable:
            if state.paused:
                # they left the form's screen: until they go back to it, text is a question
                return await self.on_question(ctx, text)
            free_text: frozenset[str] = getattr(dialog, "free_text_steps", frozenset())
            if state.step not in free_text and looks_like_question(text):
                return [await self._question_or_answer(ctx, state, text)]
        return await dialog.on_text(ctx, state, text)

    def _resumable(self, name: str) -> bool:
        dialog = self.dialogs.get(name)
        return dialog is not None and dialog.resumable

    async def _leave_screen(self, ctx: Context) -> None:
        """Any other action ends a one-question dialog (a question typed later must not be
        taken as its answer) and puts a form aside, kept, to be offered again."""
        await self._leave_passing(ctx)
        await self.services.dialogs.set_paused(ctx.user.id, True)

    async def _question_or_answer(self, ctx: Context, state: DialogState, text: str) -> Reply:
        """Text at a form's step that reads like a question: the person says which it is."""
        await self.services.dialogs.put(
            ctx.user.id, state.name, state.step, {**state.data, QUESTION_KEY: text}
        )
        t = ctx.t
        choice = (
            (Button(t.t("form.answer_question"), f"fq:{state.token}"),),
            (Button(t.t("menu.resume"), "resume"),),
        )
        return Reply(t.t("form.question_or_answer", text=text[:200]), choice)

    async def _answer_instead(self, ctx: Context, token: str) -> list[Reply]:
        dialogs, uid = self.services.dialogs, ctx.user.id
        form = await dialogs.form(uid)
        if form is None or form.token != token or QUESTION_KEY not in form.data:
            return [menu.menu(ctx, "button.expired")]
        text = str(form.data[QUESTION_KEY])
        await self._drop_question(uid, form)
        await dialogs.set_paused(uid, True)
        return await self.on_question(ctx, text)

    async def _drop_question(self, uid: int, form: DialogState) -> DialogState:
        """The form without a question typed at its step, once the person said what it was."""
        if QUESTION_KEY not in form.data:
            return form
        data = {k: v for k, v in form.data.items() if k != QUESTION_KEY}
        return await self.services.dialogs.put(uid, form.name, form.step, data)

    async def _command(self, ctx: Context, text: str) -> list[Reply]:
        word, _, _rest = text.partition(" ")
        # "/start@partnerbot" is how Telegram writes a command addressed to one bot
        name = word[1:].split("@", 1)[0].lower()
        if name != "cancel":
            await self._leave_screen(ctx)
        command = self.commands.get(name)
        if command is None:
            # a "command" can be 4,000 characters of anything: said back shortened
            shown = word if len(word) <= 40 else word[:40] + "…"
            return [Reply(ctx.t.t("command.unknown", command=shown))]
        if command.coordinator_only and not ctx.coordinator:
            return [Reply(ctx.t.t("coordinator.only", command="/" + name))]
        return await command.handler(ctx)

    async def _button(self, ctx: Context, payload: str) -> list[Reply]:
        dialogs, uid = self.services.dialogs, ctx.user.id
        if payload.startswith("d:"):
            _, token, value = [*payload.split(":", 2), "", ""][:3]
            for state in await dialogs.both(uid):
                if state.token == token and state.name in self.dialogs:
                    if self._resumable(state.name):
                        await self._leave_passing(ctx)  # back to the form
                    return await self.dialogs[state.name].on_button(ctx, state, value)
            return [menu.menu(ctx, "button.expired")]
        if payload in ("resume", "stop"):
            form = await dialogs.form(uid)
            await self._leave_passing(ctx)
            if form is None or form.name not in self.dialogs:
                return [menu.menu(ctx, "button.expired")]
            if payload == "stop":
                await dialogs.clear(uid, form.name)
                return [menu.menu(ctx, "dialog.cancelled")]
            form = await self._drop_question(uid, form)  # "continue the form" after one
            await dialogs.set_paused(uid, False)
            return await self.dialogs[form.name].resume(ctx, form)
        if payload.startswith("fq:"):
            return await self._answer_instead(ctx, payload.removeprefix("fq:"))
        await self._leave_screen(ctx)
        if payload == "menu":
            return await menu.show_menu(ctx)
        if payload.startswith("lang:"):
            return await self._set_language(ctx, payload.removeprefix("lang:"))
        if payload in self.menu_entries:
            return await self.menu_entries[payload](ctx)
        prefix = payload.split(":", 1)[0]
        if prefix in self.prefixes:
            return await self.prefixes[prefix](ctx, payload.split(":", 1)[-1])
        return [menu.menu(ctx, "button.expired")]

    async def _leave_passing(self, ctx: Context) -> None:
        state = await self.services.dialogs.get(ctx.user.id)
        if state is not None and not self._resumable(state.name):
            await self.services.dialogs.clear(ctx.user.id, state.name)

    async def _set_language(self, ctx: Context, tag: str) -> list[Reply]:
        try:
            locale = Locale.parse(tag)
        except ValueError:
            return [menu.menu(ctx, "button.expired")]
        await self.services.users.set_locale(ctx.user.id, locale)
        chosen = Context(ctx.msg, ctx.user, locale, ctx.coordinator, ctx.services, ctx.outbox)
        main = menu.menu(chosen)
        return [Reply(chosen.t.t("language.set") + "\n\n" + main.text, main.buttons)]

    async def _cancel(self, ctx: Context) -> list[Reply]:
        """/cancel ends the dialog in front: a one-question dialog, or else the form."""
        state = await self.services.dialogs.get(ctx.user.id)
        if state is None:
            return [ctx.with_menu_button(ctx.t.t("dialog.nothing_to_cancel"))]
        await self.services.dialogs.clear(ctx.user.id, state.name)
        if not self._resumable(state.name):
            # a one-question dialog (a question for a coordinator, a reply): no form was open
            return [menu.menu(ctx, "dialog.cancelled_question")]
        return [menu.menu(ctx, "dialog.cancelled")]

    def command_list(self, locale: Locale, coordinator: bool) -> list[tuple[str, str]]:
        """(command, description) for a messenger's command menu."""
        t = self.services.i18n[locale]
        return [
            (c.name, t.t(c.description_id))
            for c in self.commands.values()
            if coordinator or not c.coordinator_only
        ]


async def _menu_instead(ctx: Context, text: str) -> list[Reply]:
    # without a knowledge base installed (the app always installs one) text gets the menu
    return [menu.menu(ctx)]
