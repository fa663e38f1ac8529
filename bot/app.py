"""Wiring: settings → database → services → dispatcher, and delivery to channels."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.announcements import subscription
from bot.config import Settings
from bot.core.context import Services
from bot.core.dispatcher import Dispatcher
from bot.core.i18n import I18n
from bot.core.messages import IncomingMessage, Outgoing
from bot.faq.answers import Faq
from bot.faq.chat import FaqChat
from bot.handoff import flows as handoff
from bot.registration import coordinators as registration
from bot.storage.db import open_db
from bot.storage.dialogs import Dialogs
from bot.storage.questions import Questions
from bot.storage.registrations import Registrations
from bot.storage.users import Users
from bot.storage.workshops import Workshops

log = logging.getLogger(__name__)

Sender = Callable[[Outgoing], Awaitable[None]]


class App:
    def __init__(self, services: Services, faq: Faq) -> None:
        self.services = services
        self.faq = faq
        self.dispatcher = Dispatcher(services)
        handoff.install(self.dispatcher)
        subscription.install(self.dispatcher)
        registration.install(self.dispatcher)
        FaqChat(faq).install(self.dispatcher)
        self._senders: dict[str, Sender] = {}

    @classmethod
    async def open(
        cls, settings: Settings, i18n: I18n | None = None, faq: Faq | None = None
    ) -> App:
        faq = faq or Faq()
        conn = await open_db(settings.db_path)
        services = Services(
            db=conn,
            users=Users(conn),
            dialogs=Dialogs(conn),
            questions=Questions(conn),
            registrations=Registrations(conn),
            workshops=Workshops(conn),
            i18n=i18n or I18n(),
            settings=settings,
        )
        return cls(services, faq)

    async def close(self) -> None:
        await self.services.db.close()

    def add_sender(self, messenger: str, sender: Sender) -> None:
        self._senders[messenger] = sender

    async def handle(self, msg: IncomingMessage) -> None:
        for out in await self.dispatcher.handle(msg):
            await self.deliver(out)

    async def deliver(self, out: Outgoing) -> None:
        sender = self._senders.get(out.to.messenger)
        if sender is None:
            # e.g. a coordinator on Telegram while only the console chat runs
            log.warning("cannot deliver to %s: no %s channel is running", out.to, out.to.messenger)
            return
        try:
            await sender(out)
        except Exception:
            log.exception("sending to %s failed", out.to)
