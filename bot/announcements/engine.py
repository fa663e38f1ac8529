"""Sends announcements and reminders: at their time, to each recipient once, paced.

The schedule and one outbox row per recipient live in the database. A row is marked with
its outcome as soon as the messenger answered, so a restart (even after kill -9) sends what
is still pending, and only a message that was in flight at the crash can go out again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import aiosqlite

from bot.announcements import audience as audiences
from bot.announcements import render
from bot.announcements.quiet import is_quiet
from bot.core.context import Services, reader_locale
from bot.core.i18n import Translator
from bot.core.locales import Locale
from bot.core.messages import Outgoing, Reply, UserRef
from bot.delivery.outbound import Batcher, Delivery, Outbound
from bot.delivery.outcome import Status
from bot.delivery.pacing import Bucket
from bot.storage.announcements import Announcement, Report
from bot.storage.workshops import Workshop

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# sends started but not answered yet, at most: a crash can repeat only these (and the one
# call to a messenger that takes many people a call, at most its batch); at a paced rate on a
# fast link there is rarely more than one
WINDOW = 16
BATCH = 200
# at most this long a broadcast message waits for replies being made (seconds)
GIVE_WAY = 0.03
# a cancel is noticed within this many sends
CHECK_EVERY = 10
# the coordinator's progress message is edited at most this often
PROGRESS_EVERY = 5.0
# started later than this after its time: the coordinator is told how late
LATE = timedelta(minutes=2)
_RESULT = {
    Status.DELIVERED: "delivered",
    Status.UNREACHABLE: "unreachable",
    Status.FAILED: "failed",
}
# kinds that go to subscribers; the others go to a workshop's attendees, who asked for them
_NEWS = ("news", "workshop")
# kinds that show a workshop's card: not sent once the workshop is cancelled
_ABOUT_A_WORKSHOP = ("workshop", "reminder", "change")


# people who read the same message: (messenger, locale, their attendance)
_Key = tuple[str, Locale, str | None]


@dataclass
class _Group:
    batcher: Batcher
    people: dict[UserRef, int] = field(default_factory=dict)  # → user id


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ref(text: str) -> UserRef | None:
    messenger, sep, ident = text.partition(":")
    return UserRef(messenger, ident) if sep and messenger and ident else None


class Broadcaster:
    def __init__(
        self, services: Services, outbound: Outbound, clock: Clock = utcnow,
        chatting: Callable[[], bool] = lambda: False,
    ) -> None:  # fmt: skip
        self.services = services
        self.outbound = outbound
        self.clock = clock
        # people's messages being handled right now (the dispatcher's word for it)
        self._chatting = chatting
        rate = services.settings.broadcast_rate
        # a tenth of a second's worth of burst: a sleep that wakes late is made up for (with a
        # burst of one, every late wake-up was lost: 0.88 of the rate, measured); the
        # messenger's overall pacer still holds the sends under its limit
        self._pace = Bucket(rate, max(2.0, rate / 10))
        self._window = asyncio.Semaphore(WINDOW)
        # calls to messengers that take many people a call: one at a time
        self._batch_slot = asyncio.Semaphore(1)
        self._running: dict[int, asyncio.Task[None]] = {}
        self._ticking = asyncio.Lock()

    # -- the schedule ---------------------------------------------------------------------

    async def tick(self) -> None:
        """Starts what is due; called every few seconds and at start."""
        if self._ticking.locked():
            return
        async with self._ticking:
            now = self.clock()
            await self._remind(now)
            for a in await self.services.announcements.due(now):
                if a.id in self._running:
                    continue
                if self._quiet(now) and not a.force:
                    continue  # waits for the morning; the coordinator was told when it was set
                if a.status == "scheduled" and not await self._begin(a):
                    continue
                self._running[a.id] = asyncio.create_task(self._run(a.id))

    def _quiet(self, now: datetime) -> bool:
        settings = self.services.settings
        return is_quiet(now, settings.quiet_hours, settings.timezone)

    async def _begin(self, a: Announcement) -> bool:
        try:
            who = audiences.parse(a.audience)
        except audiences.AudienceError as exc:
            # written by hand into the database or by an older version: never guessed at
            log.warning("announcement %d not sent: its audience %r: %s", a.id, a.audience, exc)
            await self.services.announcements.cancel(a.id)
            return False
        # a cancellation is news to the waiting list too; the rest is for those coming
        sql, params = audiences.recipients_sql(who, waiting_too=a.kind == "cancelled")
        return await self.services.announcements.start(a.id, sql, params, self.clock())

    async def _remind(self, now: datetime) -> None:
        """Reminders of workshops to their attendees: the latest one due, once each."""
        for w in await self.services.workshops.upcoming(limit=100, at=now):
            if w.starts_at <= now:
                continue
            created = datetime.fromisoformat(w.created_at)
            # due, and not long overdue: "tomorrow" is wrong an hour before (the bot was
            # down, or the workshop was moved closer); half the lead time is still useful
            due = [
                m
                for m in w.reminders
                if w.starts_at - timedelta(minutes=m)
                <= now
                < w.starts_at - timedelta(minutes=m / 2)
                and created <= w.starts_at - timedelta(minutes=m)
            ]
            if not due:
                continue
            minutes = min(due)
            # a new time is a new reminder
            key = f"reminder:{w.id}:{minutes}:{w.starts_at:%Y%m%d%H%M}"
            await self.services.announcements.add(
                kind="reminder", audience=f"workshop:{w.id}", at=now, created_by="",
                workshop_id=w.id, once_key=key,
            )  # fmt: skip

    # -- sending ----------------------------------------------------------------------------

    async def _run(self, announcement_id: int) -> None:
        try:
            await self._send_all(announcement_id)
        except Exception:
            log.exception("announcement %d stopped; it goes on at the next tick", announcement_id)
        finally:
            self._running.pop(announcement_id, None)

    async def _send_all(self, announcement_id: int) -> None:
        store = self.services.announcements
        a = await store.get(announcement_id)
        if a is None:
            return
        started = time.monotonic()
        progress = _Progress(self, a)
        in_flight: set[asyncio.Task[None]] = set()
        # recipients on messengers that take many people a call, gathered until a call is full
        groups: dict[_Key, _Group] = {}
        after = 0
        while True:
            status = await store.status(a.id)
            if status != "running":
                break  # cancelled
            if self._quiet(self.clock()) and not a.force:
                log.info("announcement %d paused for the quiet hours", a.id)
                break
            workshop = await self._workshop(a)
            if a.kind in _ABOUT_A_WORKSHOP and (workshop is None or workshop.cancelled):
                await store.cancel(a.id)  # a card for a workshop that is no more
                break
            if a.kind == "reminder" and workshop and workshop.starts_at <= self.clock():
                await store.cancel(a.id)  # too late to remind anyone
                break
            batch = await store.pending(a.id, BATCH, after)
            if not batch:
                if in_flight:
                    await asyncio.wait(in_flight)
                    continue
                if groups:  # the last, partly filled calls of messengers that take many
                    for key in list(groups):
                        await self._flush(a, workshop, groups.pop(key), key, in_flight)
                    continue
                if await store.pending(a.id, 1):
                    break  # a send that failed inside the bot: tried again at the next tick
                if await store.finish(a.id, self.clock()):
                    await progress.final(await store.report(a.id), time.monotonic() - started)
                break
            after = batch[-1][0]
            many = [uid for uid, messenger in batch if self.outbound.batcher(messenger)]
            if many:
                # looked up together (one query, not one a person), then full calls go out
                for key, full in await self._gather(a, many, groups):
                    await progress.maybe()
                    await self._flush(a, workshop, full, key, in_flight)
            one = [uid for uid, messenger in batch if not self.outbound.batcher(messenger)]
            for i, user_id in enumerate(one):
                if i and i % CHECK_EVERY == 0 and await store.status(a.id) != "running":
                    break  # cancelled while running
                await progress.maybe()
                await self._give_way()
                await self._pace.wait()
                await self._window.acquire()
                task = asyncio.create_task(self._send_one(a, workshop, user_id))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.wait(in_flight)

    async def _flush(
        self, a: Announcement, workshop: Workshop | None, group: _Group, key: _Key,
        in_flight: set[asyncio.Task[None]],
    ) -> None:  # fmt: skip
        """One call at a time: a crash can repeat only the call in flight (at most a batch),
        and looking people up waits for it, leaving the event loop to chat meanwhile."""
        await self._give_way()
        await self._batch_slot.acquire()
        task = asyncio.create_task(self._send_group(a, workshop, key, group))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)

    async def _send_group(
        self, a: Announcement, workshop: Workshop | None, key: _Key, group: _Group
    ) -> None:
        """One call for up to a batch of people who read the same message."""
        _, locale, attending = key
        store = self.services.announcements
        try:
            t = self.services.i18n[locale]
            reply = render.message(a, t, self.services.settings.timezone, workshop, attending)
            results = await group.batcher.send_batch(list(group.people), reply)
            await store.record_many(a.id, {
                user_id: (_RESULT[results[ref].status], results[ref].reason)
                for ref, user_id in group.people.items() if ref in results
            })  # fmt: skip
        except Exception:
            # left pending: the next run tries again
            log.exception("announcement %d to %d people", a.id, len(group.people))
        finally:
            self._batch_slot.release()

    async def _gather(
        self, a: Announcement, user_ids: list[int], groups: dict[_Key, _Group]
    ) -> list[tuple[_Key, _Group]]:
        """People on messengers that take many a call, into groups that read the same
        message; returns the groups that filled a call. Those who no longer get it are
        recorded as skipped."""
        full: list[tuple[_Key, _Group]] = []
        skipped: dict[int, tuple[str, str]] = {}
        rows = {r["id"]: r for r in await self._rows(a, user_ids)}
        for user_id in user_ids:
            target = self._target(a, rows.get(user_id))
            if isinstance(target, str):
                skipped[user_id] = ("skipped", target)
                continue
            ref, locale, attending = target
            batcher = self.outbound.batcher(ref.messenger)
            assert batcher is not None
            key = (ref.messenger, locale, attending)
            group = groups.setdefault(key, _Group(batcher))
            group.people[ref] = user_id
            if len(group.people) >= batcher.batch_size:
                full.append((key, groups.pop(key)))
        if skipped:
            await self.services.announcements.record_many(a.id, skipped)
        return full

    async def _give_way(self) -> None:
        """A broadcast message waits while someone's reply is being made or queued: they share
        one event loop, and a person waiting for an answer comes first. Briefly only: the
        pacer's burst makes up the time, and chat never starves a broadcast."""
        waited = 0.0
        while waited < GIVE_WAY and (self._chatting() or self.outbound.replies_waiting):
            await asyncio.sleep(0.002)
            waited += 0.002

    async def _workshop(self, a: Announcement) -> Workshop | None:
        if a.workshop_id is None:
            return None
        return await self.services.workshops.get(a.workshop_id)

    async def _send_one(self, a: Announcement, workshop: Workshop | None, user_id: int) -> None:
        store = self.services.announcements
        try:
            target = self._target(a, next(iter(await self._rows(a, [user_id])), None))
            if isinstance(target, str):
                await store.record(a.id, user_id, "skipped", target)
                return
            ref, locale, attending = target
            t = self.services.i18n[locale]
            reply = render.message(a, t, self.services.settings.timezone, workshop, attending)
            delivery = await self.outbound.send(Outgoing(ref, reply, kind="announcement"))
            await store.record(a.id, user_id, _RESULT[delivery.status], delivery.reason)
        except Exception:
            # left pending: the next run tries again
            log.exception("announcement %d to user %d", a.id, user_id)
        finally:
            self._window.release()

    async def _rows(self, a: Announcement, user_ids: list[int]) -> list[aiosqlite.Row]:
        """The recipients as they are now (not as when it started)."""
        workshop_id = a.workshop_id
        if a.audience.startswith("workshop:"):
            workshop_id = int(a.audience.removeprefix("workshop:"))
        marks = ", ".join("?" for _ in user_ids)
        return list(await self.services.db.execute_fetchall(
            "SELECT id, messenger, external_id, COALESCE(locale, last_locale) AS loc, "
            "subscribed, blocked, (SELECT status FROM attendance WHERE workshop_id = ? AND "
            f"user_id = u.id) AS attending FROM users u WHERE id IN ({marks})",
            (workshop_id, *user_ids),
        ))  # fmt: skip

    def _target(
        self, a: Announcement, row: aiosqlite.Row | None
    ) -> tuple[UserRef, Locale, str | None] | str:
        """Who gets it, or why not."""
        if row is None:
            return "erased"
        if row["blocked"]:
            return "blocked the bot"
        for_attendees = a.kind not in _NEWS or a.audience.startswith("workshop:")
        signed_up = row["attending"] is not None if a.kind == "cancelled" else (
            row["attending"] == "going"
        )  # fmt: skip
        if for_attendees and not signed_up:
            return "no longer attending"
        if not for_attendees and not row["subscribed"]:
            return "unsubscribed"
        locale = Locale(row["loc"]) if row["loc"] else Locale.SR_CYRL
        return UserRef(row["messenger"], row["external_id"]), locale, row["attending"]

    def running(self) -> list[int]:
        return sorted(self._running)

    async def stop(self) -> None:
        """Stops sending; what is pending stays pending for the next start."""
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task


class _Progress:
    """The coordinator's one message about a running announcement, edited as it goes."""

    def __init__(self, engine: Broadcaster, a: Announcement) -> None:
        self.engine = engine
        self.a = a
        self.to = _ref(a.created_by)
        self.ref = a.progress_ref
        self._last = 0.0
        self._sending: asyncio.Task[None] | None = None
        self._edits = self.to is not None and engine.outbound.can_edit(self.to.messenger)

    async def maybe(self) -> None:
        if self.to is None or time.monotonic() - self._last < PROGRESS_EVERY:
            return
        if self.ref and not self._edits:
            return  # a messenger that cannot edit: "started" once, then the report
        if self._sending is not None and not self._sending.done():
            return  # the previous edit is still on its way
        self._last = time.monotonic()
        report = await self.engine.services.announcements.report(self.a.id)
        t = await self._translator()
        text = t.t("announce.progress", number=self.a.id, done=report.done, total=report.total)
        self._sending = asyncio.create_task(self._show(Reply(text)))

    async def final(self, report: Report, seconds: float) -> None:
        log.info(
            "announcement %d done: %d delivered, %d unreachable, %d failed, %d skipped, %.0f s",
            self.a.id, report.delivered, report.unreachable, report.failed, report.skipped,
            seconds,
        )  # fmt: skip
        if self.to is None:
            return
        if self._sending is not None:
            await self._sending
        t = await self._translator()
        a = await self.engine.services.announcements.get(self.a.id) or self.a
        text = final_report(t, a, report, seconds)
        if self.ref and self._edits:
            await self._show(Reply(text))
        # a new message too: an edit does not notify anyone
        await self.engine.outbound.send(Outgoing(self.to, Reply(text), kind="notice"), True)

    async def _translator(self) -> Translator:
        services = self.engine.services
        assert self.to is not None
        return services.i18n[reader_locale(await services.users.get(self.to))]

    async def _show(self, reply: Reply) -> None:
        assert self.to is not None
        out = Outgoing(self.to, reply, kind="progress", edit=self.ref)
        delivery: Delivery = await self.engine.outbound.send(out, urgent=True)
        if delivery.status is Status.FAILED and self.ref:
            # the message was deleted, or is too old to edit: a new one
            delivery = await self.engine.outbound.send(
                Outgoing(self.to, reply, kind="progress"), urgent=True
            )
        if delivery.message_id and delivery.message_id != self.ref:
            self.ref = delivery.message_id
            await self.engine.services.announcements.set_progress_ref(self.a.id, self.ref)


def final_report(t: Translator, a: Announcement, report: Report, seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    took = t.t("announce.took", minutes=minutes, seconds=secs)
    text = t.t(
        "announce.report", number=a.id, delivered=report.delivered,
        unreachable=report.unreachable, failed=report.failed, skipped=report.skipped, took=took,
    )  # fmt: skip
    if a.started_at is not None and a.started_at - a.at > LATE:
        late = round((a.started_at - a.at).total_seconds() / 60)
        text += "\n" + t.tn("announce.late", "announce.late_plural", late)
    return text
