"""The broadcast engine against a scripted messenger and a controllable clock."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.announcements import engine as engine_module
from bot.announcements.engine import Broadcaster
from bot.app import App
from bot.core.i18n import I18n
from bot.core.locales import Locale
from bot.core.messages import Outgoing, Reply, UserRef
from bot.delivery.outbound import Delivery, Outbound, Retry, Step
from bot.delivery.outcome import Attempt, Status
from bot.storage.clock import stamp
from tests.chat import settings, shared_faq
from tests.delivery.test_outbound import Messenger

BELGRADE = ZoneInfo("Europe/Belgrade")
COORDINATOR = UserRef("test", "99")
FAST = Retry(first_backoff=0.01, max_backoff=0.05)
# a weekday at noon, far from quiet hours
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=BELGRADE)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Bench:
    app: App
    engine: Broadcaster
    messenger: Messenger
    clock: Clock

    async def person(
        self, ident: str, locale: Locale | None = Locale.SR_CYRL, subscribed: bool = True
    ) -> int:
        users = self.app.services.users
        user = await users.seen(UserRef("test", ident), f"Person {ident}")
        if locale is not None:
            await users.set_locale(user.id, locale)
        await users.set_subscribed(user.id, subscribed)
        return user.id

    async def settle(self) -> None:
        """Until every announcement started by the last tick has finished."""
        for _ in range(500):
            if not self.engine.running():
                break
            await asyncio.sleep(0.01)
        await self.app.outbound.join()
        await self.engine.outbound.join()

    def texts(self, ident: str) -> list[str]:
        return self.messenger.texts(UserRef("test", ident))


@contextlib.asynccontextmanager
async def _bench(db: Path, i18n: I18n, **changes: object) -> AsyncIterator[Bench]:
    app = await App.open(
        settings(db, coordinators=frozenset({COORDINATOR}), **changes), i18n, faq=shared_faq()
    )
    messenger = Messenger()
    outbound = Outbound(on_unreachable=app.services.users.set_blocked, retry=FAST)
    outbound.add_transport("test", messenger)
    clock = Clock(NOON)
    engine = Broadcaster(app.services, outbound, clock)
    try:
        yield Bench(app, engine, messenger, clock)
    finally:
        await engine.stop()
        await outbound.close(1)
        await app.close()


@pytest.fixture
async def bench(db_path: Path, i18n: I18n) -> AsyncIterator[Bench]:
    async with _bench(db_path, i18n, broadcast_rate=500.0) as b:
        yield b


async def announce(bench: Bench, at: datetime, **fields: object) -> int:
    values: dict[str, object] = {
        "kind": "news", "audience": "all", "created_by": str(COORDINATOR),
        "body_sr": "Радионица у Чачку, <b>уторак</b>", "html": True,
    }  # fmt: skip
    values.update(fields)
    number = await bench.app.services.announcements.add(at=at, **values)  # type: ignore[arg-type]
    assert number is not None
    return number


async def test_each_subscriber_gets_it_once_in_their_own_script(bench: Bench) -> None:
    await bench.person("1", Locale.SR_CYRL)
    await bench.person("2", Locale.SR_LATN)
    await bench.person("3", Locale.EN)
    await bench.person("4", Locale.SR_CYRL, subscribed=False)
    blocked = await bench.person("5", Locale.SR_CYRL)
    await bench.app.services.users.set_blocked(UserRef("test", "5"))
    await announce(bench, NOON - timedelta(seconds=1), body_en="A workshop in Čačak")
    await bench.engine.tick()
    await bench.settle()
    assert bench.texts("1") == ["Радионица у Чачку, <b>уторак</b>"]
    assert bench.texts("2") == ["Radionica u Čačku, <b>utorak</b>"]
    assert bench.texts("3") == ["A workshop in Čačak"]
    assert bench.texts("4") == [] and bench.texts("5") == []
    assert blocked
    report = bench.messenger.texts(COORDINATOR)[-1]
    assert "Испоручено: 3" in report and "Трајање" in report
    # another tick sends nothing again
    await bench.engine.tick()
    await bench.settle()
    assert len(bench.texts("1")) == 1


async def test_english_readers_get_the_serbian_latin_when_there_is_no_english(
    bench: Bench,
) -> None:
    await bench.person("3", Locale.EN)
    await announce(bench, NOON)
    await bench.engine.tick()
    await bench.settle()
    assert bench.texts("3") == ["Radionica u Čačku, <b>utorak</b>"]


async def test_it_waits_for_its_time_on_the_clock(bench: Bench) -> None:
    await bench.person("1")
    await announce(bench, NOON + timedelta(hours=2))
    await bench.engine.tick()
    await bench.settle()
    assert bench.texts("1") == []
    bench.clock.now = NOON + timedelta(hours=2, seconds=1)
    await bench.engine.tick()
    await bench.settle()
    assert len(bench.texts("1")) == 1


async def test_quiet_hours_hold_it_until_the_morning_unless_forced(bench: Bench) -> None:
    await bench.person("1")
    night = datetime(2026, 12, 7, 23, 30, tzinfo=BELGRADE)
    bench.clock.now = night
    waiting = await announce(bench, night - timedelta(minutes=5))
    forced = await announce(bench, night - timedelta(minutes=5), body_sr="Хитно", force=True)
    await bench.engine.tick()
    await bench.settle()
    assert bench.texts("1") == ["Хитно"]
    bench.clock.now = datetime(2026, 12, 8, 7, 59, tzinfo=BELGRADE)
    await bench.engine.tick()
    await bench.settle()
    assert bench.texts("1") == ["Хитно"]
    bench.clock.now = datetime(2026, 12, 8, 8, 0, tzinfo=BELGRADE)
    await bench.engine.tick()
    await bench.settle()
    assert bench.texts("1")[-1].startswith("Радионица")
    store = bench.app.services.announcements
    assert (await store.status(waiting), await store.status(forced)) == ("done", "done")


async def test_blocked_and_failing_recipients_are_reported_and_nobody_gets_two(
    bench: Bench,
) -> None:
    for ident in "12345":
        await bench.person(ident)
    m = bench.messenger
    m.fail(UserRef("test", "2"), Attempt(Status.UNREACHABLE, reason="Forbidden"))
    m.fail(UserRef("test", "3"), Attempt(Status.RETRY_AFTER, 0.05), Attempt(Status.TRANSIENT))
    m.fail(UserRef("test", "4"), Attempt(Status.FAILED, reason="Bad Request"))
    number = await announce(bench, NOON)
    await bench.engine.tick()
    await bench.settle()
    assert [len(bench.texts(i)) for i in "12345"] == [1, 0, 1, 0, 1]
    report = await bench.app.services.announcements.report(number)
    assert (report.delivered, report.unreachable, report.failed) == (3, 1, 1)
    # the one who blocked the bot is marked, and the next announcement skips them
    user = await bench.app.services.users.get(UserRef("test", "2"))
    assert user is not None and user.blocked
    final = bench.messenger.texts(COORDINATOR)[-1]
    assert "Недоступни (блокирали бота): 1" in final and "Није успело: 1" in final


async def test_a_restart_sends_only_what_is_still_pending(db_path: Path, i18n: I18n) -> None:
    async with _bench(db_path, i18n, broadcast_rate=500.0) as bench:
        ids = [await bench.person(str(i)) for i in range(1, 7)]
        number = await announce(bench, NOON - timedelta(hours=1))
        store = bench.app.services.announcements
        # as a crash would leave it: started, three delivered, three pending
        sql = "SELECT u.id FROM users u WHERE u.subscribed = 1"
        assert await store.start(number, sql, ())
        for uid in ids[:3]:
            await store.record(number, uid, "delivered", "")
    async with _bench(db_path, i18n, broadcast_rate=500.0) as bench:
        await bench.engine.tick()
        await bench.settle()
        assert [len(bench.texts(str(i))) for i in range(1, 7)] == [0, 0, 0, 1, 1, 1]
        report = bench.messenger.texts(COORDINATOR)[-1]
        assert "Испоручено: 6" in report and "касније" not in report


async def test_one_due_while_the_bot_was_down_goes_out_at_start_and_says_how_late(
    bench: Bench,
) -> None:
    await bench.person("1")
    await announce(bench, NOON - timedelta(hours=1))
    await bench.engine.tick()
    await bench.settle()
    assert len(bench.texts("1")) == 1
    report = bench.messenger.texts(COORDINATOR)[-1]
    assert "Кренула је 60 минута касније него што је заказано" in report


async def test_cancelling_a_running_announcement_stops_it(db_path: Path, i18n: I18n) -> None:
    async with _bench(db_path, i18n, broadcast_rate=50.0) as bench:
        for i in range(60):
            await bench.person(str(i))
        number = await announce(bench, NOON)
        await bench.engine.tick()
        await asyncio.sleep(0.3)
        assert await bench.app.services.announcements.cancel(number) == "running"
        await bench.settle()
        sent = sum(len(bench.texts(str(i))) for i in range(60))
        assert 0 < sent < 60
        report = await bench.app.services.announcements.report(number)
        assert report.delivered == sent and report.pending == 60 - sent


async def test_someone_who_unsubscribes_midway_gets_nothing(bench: Bench) -> None:
    uid = await bench.person("1")
    await bench.person("2")
    number = await announce(bench, NOON)
    store = bench.app.services.announcements
    assert await store.start(number, "SELECT id FROM users", ())
    await bench.app.services.users.set_subscribed(uid, False)
    await bench.engine.tick()
    await bench.settle()
    assert bench.texts("1") == [] and len(bench.texts("2")) == 1
    assert (await store.report(number)).skipped == 1


async def test_reminders_reach_attendees_once_the_latest_due_only(bench: Bench) -> None:
    services = bench.app.services
    going = await bench.person("1", Locale.SR_LATN, subscribed=False)
    await bench.person("2")  # subscribed but not attending
    starts = NOON + timedelta(minutes=50)
    wid = await services.workshops.add("Радионица о отпаду", "Waste workshop", starts, "Ниш")
    # created well before, so both the day-before and the hour-before reminders apply
    await services.db.execute(
        "UPDATE workshops SET created_at = ? WHERE id = ?",
        (stamp(NOON - timedelta(days=3)), wid),
    )
    assert await services.attendance.join(wid, going) == "going"
    await bench.engine.tick()
    await bench.settle()
    texts = bench.texts("1")
    assert len(texts) == 1
    assert texts[0].startswith("Podsetnik: radionica „Radionica o otpadu“ počinje 7. decembra")
    assert bench.texts("2") == []
    bench.clock.now = NOON + timedelta(minutes=10)
    await bench.engine.tick()
    await bench.settle()
    assert len(bench.texts("1")) == 1


async def test_a_workshop_change_reaches_its_attendees_in_their_locale(bench: Bench) -> None:
    services = bench.app.services
    going = await bench.person("1", Locale.EN)
    wid = await services.workshops.add(
        "Радионица", "Workshop on waste", NOON + timedelta(days=2), "Ниш", "Niš"
    )
    await services.attendance.join(wid, going)
    await services.workshops.update(wid, place_sr="Крагујевац", place_en="Kragujevac")
    await announce(bench, NOON, kind="change", audience=f"workshop:{wid}", workshop_id=wid)
    await bench.engine.tick()
    await bench.settle()
    (text,) = bench.texts("1")
    assert "“Workshop on waste” has a new time or place" in text
    assert "Where: Kragujevac" in text


async def test_a_reminder_for_a_workshop_that_began_is_not_sent(bench: Bench) -> None:
    services = bench.app.services
    going = await bench.person("1")
    wid = await services.workshops.add("Радионица", "", NOON - timedelta(minutes=5))
    await services.attendance.join(wid, going)
    await announce(bench, NOON, kind="reminder", audience=f"workshop:{wid}", workshop_id=wid)
    await bench.engine.tick()
    await bench.settle()
    assert bench.texts("1") == []


class Editing(Messenger):
    """A messenger that numbers what it shows and records which message each one replaces."""

    def __init__(self) -> None:
        super().__init__()
        self.replaced: list[tuple[str, str]] = []  # (replaced message id, text)

    def steps(self, out: Outgoing) -> Sequence[Step]:
        async def step() -> Attempt:
            self.shown.append((out.to, out.reply.text))
            if out.edit:
                self.replaced.append((out.edit, out.reply.text))
                return Attempt(Status.DELIVERED, message_id=out.edit)
            return Attempt(Status.DELIVERED, message_id=str(len(self.shown)))

        return [step]


async def test_the_coordinator_sees_one_progress_message_edited_then_a_report(
    db_path: Path, i18n: I18n, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "PROGRESS_EVERY", 0.1)
    async with _bench(db_path, i18n, broadcast_rate=40.0) as bench:
        editing = Editing()
        bench.engine.outbound.add_transport("test", editing)
        bench.messenger = editing
        for i in range(30):
            await bench.person(str(i))
        await announce(bench, NOON)
        await bench.engine.tick()
        await bench.settle()
        to_coordinator = editing.texts(COORDINATOR)
        first = to_coordinator[0]
        assert first.startswith("Најава бр. 1: послато 0 од 30")
        replaced = {mid for mid, _ in editing.replaced}
        assert len(replaced) == 1, "one message, edited"
        assert len(editing.replaced) >= 2
        # the last edit and a new message (which notifies) both carry the report
        assert editing.replaced[-1][1] == to_coordinator[-1]
        assert "Испоручено: 30" in to_coordinator[-1]


async def test_news_for_a_workshops_attendees_reaches_them_subscribed_or_not(
    bench: Bench,
) -> None:
    services = bench.app.services
    going = await bench.person("1", subscribed=False)
    await bench.person("2")  # subscribed, not coming
    wid = await services.workshops.add("Радионица", "", NOON + timedelta(days=3))
    await services.attendance.join(wid, going)
    await announce(bench, NOON, audience=f"workshop:{wid}", body_sr="Понесите лаптоп.")
    await bench.engine.tick()
    await bench.settle()
    assert bench.texts("1") == ["Понесите лаптоп."] and bench.texts("2") == []


async def test_the_card_of_a_cancelled_workshop_is_not_sent(bench: Bench) -> None:
    services = bench.app.services
    await bench.person("1")
    wid = await services.workshops.add("Радионица", "", NOON + timedelta(days=3))
    number = await announce(bench, NOON, kind="workshop", workshop_id=wid, body_sr="")
    await services.workshops.cancel(wid)
    await bench.engine.tick()
    await bench.settle()
    assert bench.texts("1") == []
    assert await services.announcements.status(number) == "cancelled"


async def test_a_cancellation_reaches_the_waiting_list_too(bench: Bench) -> None:
    services = bench.app.services
    going, waiting = await bench.person("1"), await bench.person("2", Locale.EN)
    wid = await services.workshops.add("Радионица", "Workshop", NOON + timedelta(days=3))
    await services.workshops.update(wid, capacity=1)
    assert [await services.attendance.join(wid, u) for u in (going, waiting)] == [
        "going", "waiting",
    ]  # fmt: skip
    await services.workshops.cancel(wid)
    await announce(bench, NOON, kind="cancelled", audience=f"workshop:{wid}", workshop_id=wid)
    await bench.engine.tick()
    await bench.settle()
    assert bench.texts("1")[0].startswith("Радионица „Радионица“, заказана за")
    assert bench.texts("2")[0].startswith("The workshop “Workshop”, scheduled for")


async def test_a_reminder_long_overdue_is_not_sent(bench: Bench) -> None:
    # moved from next month to three hours from now: "tomorrow" would be wrong
    services = bench.app.services
    going = await bench.person("1")
    wid = await services.workshops.add("Радионица", "", NOON + timedelta(hours=3))
    await services.db.execute(
        "UPDATE workshops SET created_at = ? WHERE id = ?",
        (stamp(NOON - timedelta(days=20)), wid),
    )
    await services.attendance.join(wid, going)
    await bench.engine.tick()
    await bench.settle()
    assert bench.texts("1") == []
    bench.clock.now = NOON + timedelta(hours=2, minutes=1)  # the hour-before one is due
    await bench.engine.tick()
    await bench.settle()
    assert len(bench.texts("1")) == 1 and bench.texts("1")[0].startswith("Подсетник")


class Batching(Messenger):
    """A messenger that also takes one message for many people a call (as Viber does): it
    records each call, and can fail the next ones inside the bot (an exception)."""

    batch_size = 3

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[tuple[list[UserRef], str]] = []
        self.crash_next = 0
        self.unreachable: set[UserRef] = set()

    async def send_batch(self, to: Sequence[UserRef], reply: Reply) -> dict[UserRef, Delivery]:
        if self.crash_next:
            self.crash_next -= 1
            raise RuntimeError("a bug in the channel")
        self.batches.append((list(to), reply.text))
        result = {}
        for ref in to:
            if ref in self.unreachable:
                result[ref] = Delivery(Status.UNREACHABLE, "not subscribed")
            else:
                self.shown.append((ref, reply.text))
                result[ref] = Delivery(Status.DELIVERED)
        return result


async def test_messengers_that_take_many_a_call_get_full_calls_per_locale_once_each(
    db_path: Path, i18n: I18n
) -> None:
    async with _bench(db_path, i18n, broadcast_rate=500.0) as bench:
        batching = Batching()
        bench.engine.outbound.add_transport("many", batching)
        users = bench.app.services.users
        for i in range(8):
            user = await users.seen(UserRef("many", str(i)), "")
            await users.set_locale(user.id, Locale.SR_CYRL if i < 5 else Locale.EN)
            await users.set_subscribed(user.id, True)
        await bench.person("t1")
        batching.unreachable.add(UserRef("many", "7"))
        batching.crash_next = 1
        number = await announce(bench, NOON - timedelta(seconds=1), body_en="A workshop")
        await bench.engine.tick()
        await bench.settle()
        # the crashed call's people stay pending and go out at the next tick
        await bench.engine.tick()
        await bench.settle()
        store = bench.app.services.announcements
        report = await store.report(number)
        assert (report.delivered, report.unreachable, report.pending) == (8, 1, 0)
        assert all(len(to) <= 3 for to, _ in batching.batches)
        for to, text in batching.batches:
            assert len({r.id for r in to}) == len(to)
            assert (text == "A workshop") == all(int(r.id) >= 5 for r in to), (to, text)
        shown = [ref for ref, _ in batching.shown if ref.messenger == "many"]
        assert sorted(r.id for r in shown) == [str(i) for i in range(7)], "each of them once"
        assert bench.texts("t1") == ["Радионица у Чачку, <b>уторак</b>"]
        blocked = await users.get(UserRef("many", "7"))
        assert blocked is not None
