"""Wiring: settings → database → services → dispatcher, and delivery to channels."""

from __future__ import annotations

import logging

from bot.announcements import manage as announcements
from bot.announcements import subscription
from bot.announcements.engine import Broadcaster
from bot.config import Settings
from bot.core.context import Services
from bot.core.dispatcher import Dispatcher
from bot.core.i18n import I18n
from bot.core.messages import IncomingMessage
from bot.delivery.notices import Notifier
from bot.delivery.outbound import Outbound, Transport
from bot.faq.answers import Faq
from bot.faq.chat import FaqChat
from bot.handoff import flows as handoff
from bot.oversight import audit, status
from bot.registration import coordinators as registration
from bot.storage.announcements import Announcements
from bot.storage.asked import Asked
from bot.storage.audit import Audit
from bot.storage.db import open_db
from bot.storage.dialogs import Dialogs
from bot.storage.notices import Notices
from bot.storage.offers import Offers
from bot.storage.questions import Questions
from bot.storage.registrations import Registrations
from bot.storage.users import Users
from bot.storage.workshops import Attendance, Workshops
from bot.web import links as web_links
from bot.workshops import compose as workshop_compose
from bot.workshops import manage as workshop_manage
from bot.workshops import people

log = logging.getLogger(__name__)


class App:
    def __init__(self, services: Services, faq: Faq) -> None:
        self.services = services
        self.faq = faq
        self.dispatcher = Dispatcher(services)
        handoff.install(self.dispatcher)
        subscription.install(self.dispatcher)
        registration.install(self.dispatcher)
        FaqChat(faq).install(self.dispatcher)
        # after the FAQ: its Workshops entry is taken over, and handed back when none is ahead
        people.install(self.dispatcher)
        workshop_compose.install(self.dispatcher)
        workshop_manage.install(self.dispatcher)
        announcements.install(self.dispatcher)
        audit.install(self.dispatcher)
        web_links.install(self.dispatcher)
        # a person who blocked the bot is marked, and skipped by broadcasts
        self.outbound = Outbound(on_unreachable=services.users.set_blocked)
        status.install(self.dispatcher, self.outbound)
        # notices are written with what they tell of, and sent from the database after it
        self.notifier = Notifier(services.notices, self.outbound)
        # started by `run` only: a console chat beside a running bot must not send its broadcasts
        self.broadcaster = Broadcaster(
            services, self.outbound, chatting=lambda: self.dispatcher.busy
        )

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
            offers=Offers(conn),
            workshops=Workshops(conn),
            attendance=Attendance(conn),
            announcements=Announcements(conn),
            audit=Audit(conn),
            notices=Notices(conn),
            asked=Asked(conn),
            i18n=i18n or I18n(),
            settings=settings,
        )
        return cls(services, faq)

    async def close(self) -> None:
        """Sends what is still queued (for a few seconds at most), then closes the database."""
        await self.broadcaster.stop()
        await self.outbound.close(timeout=5.0)
        await self.services.db.close()

    def add_transport(self, messenger: str, transport: Transport) -> None:
        self.outbound.add_transport(messenger, transport)

    async def handle(self, msg: IncomingMessage) -> None:
        """Handles a message and queues its replies; they go out in the background."""
        await self.dispatcher.handle(msg, self.outbound.enqueue)
