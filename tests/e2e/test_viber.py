"""The bot on Viber, through the loopback Viber REST API double: signed callbacks in, JSON
calls out, the same conversations as on Telegram."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.announcements.engine import Broadcaster
from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.channels.viber.channel import ViberChannel
from bot.channels.viber.files import KEEP_SECONDS
from bot.channels.viber.markup import PRESS
from bot.core.i18n import I18n
from bot.core.messages import Outgoing, Reply, UserRef
from bot.delivery.outcome import Status
from bot.storage.web import WebSessions
from tests.chat import settings, shared_faq
from tests.telegram_double import BotApiDouble
from tests.viber_double import SentMessage, ViberDouble

COORDINATOR = "coordinator+viber=="
TELEGRAM_COORDINATOR = 900


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Bot:
    app: App
    channel: ViberChannel
    viber: ViberDouble


@asynccontextmanager
async def viber_bot(
    db_path: Path, i18n: I18n, *, public: bool = True, telegram: BotApiDouble | None = None
) -> AsyncIterator[Bot]:
    """The real application serving its Viber webhook on loopback; with `public`, the bot
    registers the webhook itself (VIBER_WEBHOOK_URL), as in production."""
    coordinators = {UserRef("viber", COORDINATOR), UserRef("telegram", str(TELEGRAM_COORDINATOR))}
    app = await App.open(
        settings(db_path, coordinators=frozenset(coordinators), quiet_hours=None),
        i18n,
        faq=shared_faq(),
    )
    tg: TelegramChannel | None = None
    async with ViberDouble() as viber:
        # after the double took its own port: free_port's may otherwise be handed to it
        port = free_port()
        url = f"http://127.0.0.1:{port}/viber/hook"
        channel = ViberChannel(
            app, viber.token, viber.api_url, url if public else "", ("127.0.0.1", port)
        )
        try:
            await channel.start()
            if not public:  # set by hand, at the address the bot serves by default
                viber.webhook_url = f"http://127.0.0.1:{port}/viber"
            if telegram is not None:
                tg = TelegramChannel(app, telegram.token, telegram.base_url)
                await tg.start()
            yield Bot(app, channel, viber)
        finally:
            if tg is not None:
                await tg.stop()
            await channel.stop()
            await app.close()


@pytest.fixture
async def bot(db_path: Path, i18n: I18n) -> AsyncIterator[Bot]:
    async with viber_bot(db_path, i18n) as running:
        yield running


def press_body(message: SentMessage, label: str) -> str:
    for row in message.buttons:
        for text, body in row:
            if label in text:
                return body
    raise AssertionError(f"no button {label!r} in {message.buttons}")


async def say(viber: ViberDouble, user: str, text: str, n: int, **who: str) -> SentMessage:
    """The person types; returns the `n`-th message they got (counting from 1)."""
    status, _ = await viber.user_text(user, text, **who)
    assert status == 200
    return (await viber.wait_for_sent(user, n))[-1]


async def press(viber: ViberDouble, user: str, message: SentMessage, label: str, n: int
                ) -> SentMessage:  # fmt: skip
    status, _ = await viber.user_press(user, press_body(message, label))
    assert status == 200
    return (await viber.wait_for_sent(user, n))[-1]


# -- the webhook --------------------------------------------------------------------------


async def test_the_bot_registers_its_webhook_and_viber_checks_it(bot: Bot) -> None:
    call = await bot.viber.wait_for_call("set_webhook")
    assert call.body["url"] == bot.viber.webhook_url
    assert "conversation_started" in call.body["event_types"]


async def test_callbacks_that_viber_did_not_sign_are_refused_and_nothing_happens(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    viber = bot.viber
    body = json.dumps({
        "event": "message", "timestamp": int(time.time() * 1000), "message_token": 77,
        "sender": {"id": "mallory==", "name": "M"}, "message": {"type": "text", "text": "Hi"},
    }).encode()  # fmt: skip
    for signature in (None, "0" * 64, viber.sign(body + b" "), viber.sign(body).upper()[:-1]):
        status, _ = await viber.post_raw(body, signature)
        assert status == 403
    assert sum("signature" in r.getMessage() for r in caplog.records) == 4
    await asyncio.sleep(0.2)
    assert viber.sent("mallory==") == []
    assert await bot.app.services.users.get(UserRef("viber", "mallory==")) is None
    # the same body, signed: answered
    viber.subscribed.add("mallory==")
    status, _ = await viber.post_raw(body, viber.sign(body))
    assert status == 200
    await viber.wait_for_sent("mallory==", 1)


async def test_malformed_unknown_and_oversized_callbacks_get_a_clear_4xx(bot: Bot) -> None:
    viber = bot.viber
    for body, expected in (
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (json.dumps({"event": "teleport", "timestamp": 1}).encode(), 400),
        (json.dumps({"event": "message", "message_token": 5, "message": {}}).encode(), 400),
        (b'{"event": "message", "pad": "' + b"x" * 70_000 + b'"}', 413),
    ):
        status, text = await viber.post_raw(body, viber.sign(body))
        assert status == expected, (body[:40], text)
    # the server is still there
    first = await say(viber, "u1==", "Шта је ICLD?", 1, language="sr")
    assert "ICLD" in (first.text or "")


async def test_a_repeated_callback_is_handled_once(bot: Bot) -> None:
    viber = bot.viber
    await say(viber, "u2==", "What is ICLD?", 1, language="en")
    status, _ = await viber.repeat_last()
    assert status == 200
    await asyncio.sleep(0.3)
    assert len(viber.sent("u2==")) == 1


async def test_an_old_callback_replayed_is_answered_but_not_acted_on(bot: Bot) -> None:
    viber = bot.viber
    viber.subscribed.add("old==")
    for hours in (3, -1):  # long past Viber's hour of retries; or from the future
        body = json.dumps({
            "event": "message", "timestamp": int((time.time() - hours * 3600) * 1000),
            "message_token": 4242 + hours, "sender": {"id": "old==", "name": "O"},
            "message": {"type": "text", "text": "What is ICLD?"},
        }).encode()  # fmt: skip
        status, _ = await viber.post_raw(body, viber.sign(body))
        assert status == 200
    await asyncio.sleep(0.3)
    assert viber.sent("old==") == []


# -- conversations ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "greeting"),
    [("sr", "Добар дан"), ("en", "Hello"), ("hr", "Dobar dan")],
)
async def test_opening_the_chat_gets_one_welcome_and_nothing_more_until_they_write(
    bot: Bot, language: str, greeting: str
) -> None:
    viber = bot.viber
    opened = await viber.conversation_started("new==", name="Nada", language=language)
    assert opened.status == 200
    assert opened.welcome is not None and greeting in (opened.welcome.text or "")
    assert opened.welcome.buttons, "the welcome shows what the bot can do"
    assert all(body.startswith(PRESS) for row in opened.welcome.buttons for _, body in row)
    assert all(b["Silent"] for b in opened.welcome.raw["keyboard"]["Buttons"])
    await asyncio.sleep(0.2)
    assert [m.via for m in viber.sent("new==")] == ["welcome"]
    user = await bot.app.services.users.get(UserRef("viber", "new=="))
    assert user is not None and user.blocked, "not subscribed: no message may go to them"


async def test_faq_in_cyrillic_latin_and_english(bot: Bot) -> None:
    viber = bot.viber
    cyrl = await say(viber, "c==", "Шта је ICLD?", 1, language="sr")
    latn = await say(viber, "l==", "sta je ICLD?", 1, language="sr")
    en = await say(viber, "e==", "What is ICLD?", 1, language="en")
    assert "шведск" in (cyrl.text or "").lower()
    assert "švedsk" in (latn.text or "").lower()
    assert "swed" in (en.text or "").lower()
    # nobody types commands on Viber: a reply without buttons of its own keeps a Menu button
    assert [label for row in cyrl.buttons for label, _ in row][-1] == "Мени"
    assert [label for row in latn.buttons for label, _ in row][-1] == "Meni"
    menu = await press(viber, "e==", en, "Menu", 2)
    assert "Questions" in str(menu.buttons)


async def test_a_person_who_types_a_buttons_label_gets_what_telegram_gives_typed_text(
    bot: Bot,
) -> None:
    viber = bot.viber
    opened = await viber.conversation_started("t==", language="en")
    assert opened.welcome is not None
    label = opened.welcome.buttons[0][0][0]
    typed = await say(viber, "t==", label, 2)
    pressed = await press(viber, "t==", opened.welcome, label, 3)
    assert typed.text != pressed.text


async def test_unknown_and_forged_button_data_reads_as_an_expired_button(bot: Bot) -> None:
    viber = bot.viber
    await say(viber, "f==", "Hello", 1, language="en")
    for n, forged in enumerate((PRESS + "zz:nothing", PRESS + "q:reply:1", PRESS + "d:x:y"), 2):
        status, _ = await viber.user_press("f==", forged)
        assert status == 200
        reply = (await viber.wait_for_sent("f==", n))[-1]
        # as on Telegram: an expired button, or the one answer strangers get for a
        # coordinator's button, whatever its number
        text = reply.text or ""
        assert "This button has expired" in text or "coordinators only" in text


REGISTRATION = [
    ("text", "Ваљево"), ("press", "Ваљево"), ("text", "Милица Петровић"),
    ("press", "Службеник за ЕУ интеграције"), ("text", "milica@valjevo.rs"),
    ("press", "Прескочи"), ("press", "ЕУ интеграције"), ("press", "Готово"),
    ("press", "Тражимо партнера"), ("press", "Слажем се"), ("press", "Да"), ("press", "Потврди"),
]  # fmt: skip


async def register(viber: ViberDouble, user: str) -> SentMessage:
    opened = await viber.conversation_started(user, name="Милица", language="sr")
    assert opened.welcome is not None
    n = 2  # the welcome was the first
    last = await press(viber, user, opened.welcome, "Ћирилица", n)
    n += 2  # the introduction and the first question
    last = await say(viber, user, "/register", n)
    for kind, value in REGISTRATION:
        n += 1
        if kind == "text":
            last = await say(viber, user, value, n)
        else:
            last = await press(viber, user, last, value, n)
    return (await viber.wait_for_sent(user, n + 1))[-1]


async def test_a_registration_by_buttons_reaches_the_coordinator_on_viber(bot: Bot) -> None:
    viber = bot.viber
    # Viber lets a bot write only to those who wrote to it: coordinators too
    await say(viber, COORDINATOR, "/start", 1, language="sr")
    await register(viber, "m==")
    assert any("Пријављено: Ваљево." in (m.text or "") for m in viber.sent("m=="))
    note = (await viber.wait_for_sent(COORDINATOR, 2))[-1]
    assert "Милица Петровић" in (note.text or "")
    row = await bot.app.services.db.execute_fetchall("SELECT COUNT(*) FROM registrations")
    assert next(iter(row))[0] == 1


async def test_an_export_goes_to_a_viber_coordinator_as_a_file_link_that_expires(
    bot: Bot,
) -> None:
    viber = bot.viber
    await say(viber, COORDINATOR, "/start", 1, language="sr")
    await register(viber, "m==")
    await viber.wait_for_sent(COORDINATOR, 2)
    await viber.user_text(COORDINATOR, "/export", language="sr")
    sent = await viber.wait_for_sent(COORDINATOR, 4)
    files = [m for m in sent if m.type == "file"]
    assert len(files) == 1 and files[0].file_name and files[0].file_name.endswith(".xlsx")
    link = files[0].media or ""
    assert link.startswith(bot.viber.webhook_url or "?")
    async with aiohttp.ClientSession() as http:
        async with http.get(link) as got:
            assert got.status == 200
            content = await got.read()
        assert content[:2] == b"PK" and len(content) == files[0].size
        # a guessed address gets nothing
        guessed = link.rsplit("/", 2)[0] + "/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/export.xlsx"
        async with http.get(guessed) as got:
            assert got.status == 404
        bot.channel.shelf.clock = lambda: time.monotonic() + KEEP_SECONDS + 1
        async with http.get(link) as got:
            assert got.status == 404


async def test_without_a_public_address_the_coordinator_is_pointed_to_the_command_line(
    db_path: Path, i18n: I18n
) -> None:
    async with viber_bot(db_path, i18n, public=False) as bot:
        viber = bot.viber
        await say(viber, COORDINATOR, "/export", 1, language="en")
        sent = await viber.wait_for_sent(COORDINATOR, 2)
        assert any("partnerbot export" in (m.text or "") for m in sent)
        assert not [m for m in sent if m.type == "file"]


async def test_a_question_from_viber_is_answered_by_a_coordinator_on_telegram(
    db_path: Path, i18n: I18n
) -> None:
    async with BotApiDouble() as api, viber_bot(db_path, i18n, telegram=api) as bot:
        viber = bot.viber
        await say(viber, "q==", "/ask", 1, name="Марија", language="sr")
        sent = await say(viber, "q==", "Када је следећи позив за пројекте?", 2)
        assert "Послато" in (sent.text or "")
        note = (await api.wait_for_sent(TELEGRAM_COORDINATOR, 1, timeout=10))[-1]
        assert "Марија (viber:q==)" in note.text
        reply = next(d for row in note.buttons for t, d in row if "Одговори" in t or "Reply" in t)
        api.user_press(TELEGRAM_COORDINATOR, reply or "")
        await api.wait_for_sent(TELEGRAM_COORDINATOR, 2)
        api.user_text(TELEGRAM_COORDINATOR, "Рокови су на icld.se.")
        answer = (await viber.wait_for_sent("q==", 3))[-1]
        assert "„Рокови су на icld.se.“" in (answer.text or "")
        assert press_body(answer, "Одговор координатору").startswith(PRESS + "q:back:")


# -- delivery -----------------------------------------------------------------------------


async def test_too_many_requests_is_waited_out_and_a_server_error_retried(bot: Bot) -> None:
    viber = bot.viber
    viber.fail_next(1, status=12, method="send_message")
    viber.fail_next(1, status=502, method="send_message")
    reply = await say(viber, "r==", "What is ICLD?", 1, language="en")
    assert "swed" in (reply.text or "").lower()
    assert len(viber.sent("r==")) == 1


async def test_someone_not_subscribed_is_marked_and_later_skipped(bot: Bot) -> None:
    viber = bot.viber
    await say(viber, "gone==", "Hello", 1, language="en")
    viber.unsubscribed.add("gone==")
    viber.subscribed.discard("gone==")
    delivery = await bot.app.outbound.send(Outgoing(UserRef("viber", "gone=="), Reply("x")))
    assert delivery.status is Status.UNREACHABLE
    user = await bot.app.services.users.get(UserRef("viber", "gone=="))
    assert user is not None and user.blocked


async def _subscribed(viber: ViberDouble, user: str, language: str) -> None:
    await say(viber, user, "/subscribe", 1, language=language)


async def test_an_announcement_reaches_telegram_and_viber_people_once_each(
    db_path: Path, i18n: I18n
) -> None:
    async with BotApiDouble() as api, viber_bot(db_path, i18n, telegram=api) as bot:
        viber, services = bot.viber, bot.app.services
        await say(viber, COORDINATOR, "/start", 1, language="en")
        people = [f"p{i}==" for i in range(7)]
        for i, user in enumerate(people):
            await _subscribed(viber, user, ("sr", "hr", "en")[i % 3])
        for chat in (11, 12):
            api.user_text(chat, "/subscribe", language_code="sr")
            await api.wait_for_sent(chat, 1, timeout=10)
        # one of them left in between: they are not sent to
        await viber.unsubscribe(people[-1])
        # the channel's calls are made small here, so that one announcement takes several
        bot.channel.batch_size = 3
        viber.fail_next(1, status=12, method="broadcast_message")
        number = await services.announcements.add(
            kind="news", audience="all", at=datetime.now(UTC), created_by=f"viber:{COORDINATOR}",
            body_sr="<b>Радионица</b> у Чачку у уторак.", body_en="A workshop in Čačak.",
            html=True,
        )  # fmt: skip
        assert number is not None
        engine = Broadcaster(services, bot.app.outbound)
        await engine.tick()
        for _ in range(300):
            if (await services.announcements.status(number)) == "done":
                break
            await asyncio.sleep(0.05)
        report = await services.announcements.report(number)
        # the one who left before it started is not among its recipients
        assert (report.total, report.delivered) == (8, 8)
        for user in people[:-1]:
            got = [m for m in viber.sent(user) if m.via == "broadcast"]
            assert len(got) == 1, user
        assert not [m for m in viber.sent(people[-1]) if m.via == "broadcast"]
        assert viber.sent("p0==")[-1].text == "*Радионица* у Чачку у уторак."
        assert (viber.sent("p1==")[-1].text or "").startswith("*Radionica* u Čačku")
        assert viber.sent("p2==")[-1].text == "A workshop in Čačak."
        for chat in (11, 12):
            on_telegram = await api.wait_for_sent(chat, 2, timeout=10)
            assert sum("Чачк" in m.text for m in on_telegram) == 1
        calls = [c for c in viber.calls if c.method == "broadcast_message"]
        assert all(len(c.body["broadcast_list"]) <= 3 for c in calls)
        # a coordinator on Viber hears that it started and how it ended, never an edit
        to_coordinator = await viber.wait_for_sent(COORDINATOR, 3)
        assert len(to_coordinator) == 3
        assert "8" in (to_coordinator[-1].text or "")


async def test_the_preview_says_how_many_viber_recipients_are_billed(bot: Bot) -> None:
    viber, services = bot.viber, bot.app.services
    for user in ("a==", "b=="):
        await _subscribed(viber, user, "sr")
    await services.db.execute(
        "UPDATE users SET last_seen = '2020-01-01T00:00:00+00:00' WHERE external_id = 'a=='"
    )
    n = 1
    ask = await say(viber, COORDINATOR, "/announce", n, language="en")
    n += 1
    english = await say(viber, COORDINATOR, "Радионица у уторак.", n)
    n += 1
    audience = await press(viber, COORDINATOR, english, "Skip", n)
    n += 1
    when = await press(viber, COORDINATOR, audience, "All subscribers", n)
    n += 1
    preview = await press(viber, COORDINATOR, when, "Now", n)
    assert ask and "1 of them has not written to the bot in the last 24 hours" in (
        preview.text or ""
    )


async def test_a_viber_coordinator_gets_a_sign_in_link_for_the_web_console(bot: Bot) -> None:
    viber = bot.viber
    sent = await say(viber, COORDINATOR, "/web", 1, language="en")
    text = sent.text or ""
    assert "sign-in link to the web console" in text
    secret = text.split("/signin/")[1].split()[0]
    assert await WebSessions(bot.app.services.db).link_state(secret) == "valid"
    # someone who is not a coordinator gets no link
    sent = await say(viber, "stranger==", "/web", 1, language="en")
    assert "/signin/" not in (sent.text or "") and "coordinators only" in (sent.text or "")
