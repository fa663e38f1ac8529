"""Delivers the stored notices (bot/storage/notices.py): after each commit that wrote one,
and at start what a crash or a stop left pending."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.core.messages import Outgoing
from bot.delivery.outbound import Outbound
from bot.delivery.outcome import Status
from bot.storage.notices import Notice, Notices

log = logging.getLogger(__name__)

_STATUS = {Status.DELIVERED: "delivered", Status.UNREACHABLE: "unreachable",
           Status.FAILED: "failed"}  # fmt: skip


class Notifier:
    def __init__(self, notices: Notices, outbound: Outbound) -> None:
        self._notices = notices
        self._outbound = outbound
        self._drain: asyncio.Task[None] | None = None
        self._again = False
        self._sending: dict[int, asyncio.Task[None]] = {}
        notices.on_added = self.kick

    def kick(self) -> None:
        """Look for pending notices soon. Called inside the transaction that wrote one: the
        look waits for its end, and finds nothing if it was rolled back."""
        if self._drain is not None and not self._drain.done():
            self._again = True
            return
        self._drain = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                pending = await self._notices.pending()
            except Exception as exc:  # the database is closing, or busy: the next kick
                log.warning("pending notices not read: %s", exc)
                return
            for notice in pending:
                if notice.id in self._sending:
                    continue
                if not self._outbound.has(notice.recipient.messenger):
                    continue  # e.g. a console chat beside Telegram coordinators: left for `run`
                task = asyncio.create_task(self._send(notice))
                self._sending[notice.id] = task
                task.add_done_callback(self._done(notice.id))
            if not self._again:
                return

    def _done(self, notice_id: int) -> Callable[[asyncio.Task[None]], None]:
        def forget(_: asyncio.Task[None]) -> None:
            self._sending.pop(notice_id, None)

        return forget

    async def _send(self, notice: Notice) -> None:
        delivery = await self._outbound.send(
            Outgoing(notice.recipient, notice.reply, kind="notice"), urgent=True
        )
        if delivery.status is Status.FAILED and delivery.reason == "the bot stopped":
            return  # still pending: sent after the restart
        try:
            await self._notices.mark(notice.id, _STATUS[delivery.status], delivery.message_id)
        except Exception as exc:
            # sent but not marked: it goes out again after a restart, once more at most
            log.warning("notice %d to %s not marked as sent: %s", notice.id, notice.recipient,
                        exc)  # fmt: skip

    async def join(self) -> None:
        """Until what is being sent now is out (tests, and a stop)."""
        while True:
            tasks = [t for t in (self._drain, *self._sending.values()) if t and not t.done()]
            if not tasks:
                return
            await asyncio.wait(tasks)
