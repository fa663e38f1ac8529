"""What a handler gets: the message, the person, their locale and the bot's services."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiosqlite

from bot.config import Settings
from bot.core.i18n import I18n, Translator
from bot.core.locales import Locale
from bot.core.messages import Button, IncomingMessage, Outgoing, Reply, UserRef
from bot.storage.announcements import Announcements
from bot.storage.asked import Asked
from bot.storage.audit import Audit
from bot.storage.db import transaction
from bot.storage.dialogs import Dialogs, DialogState
from bot.storage.notices import Notices
from bot.storage.offers import Offers
from bot.storage.questions import Questions
from bot.storage.registrations import Registrations
from bot.storage.users import User, Users
from bot.storage.workshops import Attendance, Workshops


@dataclass(frozen=True)
class Services:
    db: aiosqlite.Connection
    users: Users
    dialogs: Dialogs
    questions: Questions
    registrations: Registrations
    offers: Offers
    workshops: Workshops
    attendance: Attendance
    announcements: Announcements
    audit: Audit
    notices: Notices
    asked: Asked
    i18n: I18n
    settings: Settings


@dataclass(frozen=True)
class Context:
    msg: IncomingMessage
    user: User
    locale: Locale
    coordinator: bool
    services: Services
    # messages to people other than the sender (coordinators, a person being answered)
    outbox: list[Outgoing] = field(default_factory=list)

    @property
    def t(self) -> Translator:
        return self.services.i18n[self.locale]

    def dialog_button(self, label: str, state: DialogState, value: str) -> Button:
        return Button(label, f"d:{state.token}:{value}")

    def menu_button(self) -> Button:
        return Button(self.t.t("button.menu"), "menu")

    @contextlib.asynccontextmanager
    async def atomic(self) -> AsyncIterator[None]:
        """Everything written inside, all or none. When it fails, the person's cached dialog
        rows are dropped: they may describe what was rolled back."""
        try:
            async with transaction(self.services.db):
                yield
        except BaseException:
            self.services.dialogs.forget(self.user.id)
            raise

    def with_menu_button(self, text: str) -> Reply:
        return Reply(text, ((self.menu_button(),),))

    async def translator_for(self, ref: UserRef) -> Translator:
        """The translator of someone else (a coordinator, an asker): their own locale."""
        if ref == self.msg.user:
            return self.t
        return self.services.i18n[reader_locale(await self.services.users.get(ref))]


def reader_locale(user: User | None) -> Locale:
    """The locale to write to someone in when they did not just write: their choice, else the
    locale of their last reply, else Serbian Cyrillic."""
    chosen = (user.locale or user.last_locale) if user else None
    return chosen or Locale.SR_CYRL
