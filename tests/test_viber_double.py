"""The Viber double on its own: raw API calls over loopback HTTP and a tiny webhook app."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.viber_double import HOUR, SentMessage, ViberDouble

JSONDict = dict[str, Any]
SENDER = {"name": "PartnerBot"}


class Hook:
    """The bot's webhook: checks each signature as a bot must, records what passed."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.url = ""
        self.events: list[JSONDict] = []
        self.bodies: list[bytes] = []
        self.status = 200
        self.delay = 0.0
        self.welcome: JSONDict | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        got = request.headers.get("X-Viber-Content-Signature", "").encode()
        expected = hmac.new(self.token.encode(), raw, hashlib.sha256).hexdigest().encode()
        if not hmac.compare_digest(got, expected):
            return web.Response(status=403)
        event = json.loads(raw)
        self.events.append(event)
        self.bodies.append(raw)
        await asyncio.sleep(self.delay)
        if event["event"] == "conversation_started" and self.welcome is not None:
            return web.json_response(self.welcome)
        return web.Response(status=self.status)


@pytest.fixture
async def viber() -> AsyncIterator[ViberDouble]:
    async with ViberDouble() as double:
        yield double


@pytest.fixture
async def hook(viber: ViberDouble) -> AsyncIterator[Hook]:
    hook = Hook(viber.token)
    app = web.Application()
    app.router.add_post("/viber", hook.handle)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    hook.url = f"http://127.0.0.1:{runner.addresses[0][1]}/viber"
    yield hook
    await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession,
    viber: ViberDouble,
    method: str,
    body: JSONDict | bytes,
    token: str | None = None,
) -> JSONDict:
    """One raw API call as a bot makes it; the JSON answer (HTTP 200 is asserted)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"X-Viber-Auth-Token": viber.token if token is None else token}
    async with http.post(f"{viber.api_url}/{method}", data=data, headers=headers) as resp:
        assert resp.status == 200
        answer: JSONDict = await resp.json()
        return answer


def text(receiver: str, words: str = "zdravo", **extra: Any) -> JSONDict:
    return {"receiver": receiver, "type": "text", "text": words, "sender": SENDER} | extra


async def send(http: aiohttp.ClientSession, viber: ViberDouble, body: JSONDict) -> int:
    return int((await call(http, viber, "send_message", body))["status"])


async def test_callbacks_are_signed_with_the_token(viber: ViberDouble, hook: Hook) -> None:
    viber.webhook_url = hook.url
    assert await viber.user_text("u1", "Здраво", name="Марко", language="sr") == (200, "")
    await viber.user_press("u1", "menu:faq")
    await viber.user_sticker("u1")
    message, press, sticker = hook.events
    assert message["event"] == "message" and message["silent"] is False
    assert message["sender"] == {
        "id": "u1", "name": "Марко", "avatar": "", "language": "sr", "country": "RS",
        "api_version": 10,
    }  # fmt: skip
    assert message["message"] == {"type": "text", "text": "Здраво", "tracking_data": ""}
    assert "Здраво".encode() in hook.bodies[0], "UTF-8 as Viber sends it, not \\u escapes"
    assert press["message"]["text"] == "menu:faq" and press["sender"]["name"] == "Марко"
    assert sticker["message"]["sticker_id"] == 40100
    tokens = [e["message_token"] for e in hook.events]
    assert len(set(tokens)) == 3 and all(isinstance(t, int) for t in tokens)
    assert abs(message["timestamp"] - time.time() * 1000) < 5000

    forged = b'{"event":"message"}'
    assert (await viber.post_raw(forged, "0" * 64)).status == 403
    assert (await viber.post_raw(forged, None)).status == 403
    assert (await viber.post_raw(forged, viber.sign(forged))).status == 200
    assert hook.bodies[-1] == forged

    await viber.user_text("u1", "opet")
    assert await viber.repeat_last() == (200, "")
    assert hook.bodies[-1] == hook.bodies[-2]  # byte for byte: the same message_token


async def test_set_webhook_checks_the_url(
    viber: ViberDouble, hook: Hook, http: aiohttp.ClientSession
) -> None:
    answer = await call(http, viber, "set_webhook", {"url": hook.url, "event_types": ["message"]})
    assert answer == {
        "status": 0, "status_message": "ok", "event_types": ["subscribed", "unsubscribed"],
    }  # fmt: skip
    (event,) = hook.events
    assert (event["event"], event["chat_hostname"]) == ("webhook", "double")
    assert viber.webhook_url == hook.url
    info = await call(http, viber, "get_account_info", {})
    assert (info["status"], info["id"], info["webhook"]) == (0, "pa:double", hook.url)
    assert info["name"] == "partnerbot"

    hook.status = 500
    answer = await call(http, viber, "set_webhook", {"url": hook.url + "/new"})
    assert (answer["status"], answer["status_message"]) == (1, "invalidUrl")
    assert viber.webhook_url == hook.url, "a url that failed its callback is not kept"
    hook.status, hook.delay, viber.webhook_timeout = 200, 0.5, 0.05
    assert (await call(http, viber, "set_webhook", {"url": hook.url}))["status"] == 1

    count = len(hook.events)
    assert (await call(http, viber, "set_webhook", {"url": ""}))["status"] == 0
    assert viber.webhook_url is None and len(hook.events) == count
    assert await send(http, viber, text("u1")) == 10


async def test_only_subscribed_users_get_messages(
    viber: ViberDouble, hook: Hook, http: aiohttp.ClientSession
) -> None:
    viber.webhook_url = hook.url
    assert await send(http, viber, text("u1")) == 6
    opened = await viber.conversation_started("u1", context="ref-42")
    assert opened == (200, "", None)
    assert hook.events[-1]["subscribed"] is False and hook.events[-1]["context"] == "ref-42"
    assert await send(http, viber, text("u1")) == 6

    await viber.user_text("u1", "zdravo")
    answer = await call(http, viber, "send_message", text("u1", tracking_data="step:2"))
    assert answer["status"] == 0 and answer["chat_hostname"] == "double"
    assert isinstance(answer["message_token"], int) and answer["billing_status"] == 1
    (sent,) = await viber.wait_for_sent("u1")
    assert (sent.text, sent.via, sent.message_token) == ("zdravo", "send", answer["message_token"])
    await viber.user_text("u1", "dalje")
    assert hook.events[-1]["message"]["tracking_data"] == "step:2"

    await viber.unsubscribe("u1")
    assert hook.events[-1] == {
        "event": "unsubscribed", "timestamp": hook.events[-1]["timestamp"],
        "chat_hostname": "double", "message_token": hook.events[-1]["message_token"],
        "user_id": "u1",
    }  # fmt: skip
    assert viber.unsubscribed == {"u1"}
    assert await send(http, viber, text("u1")) == 6
    await viber.subscribe("u1")
    assert hook.events[-1]["event"] == "subscribed" and viber.unsubscribed == set()
    assert await send(http, viber, text("u1")) == 0
    await viber.delivered("u1")
    assert hook.events[-1]["message_token"] == viber.sent("u1")[-1].message_token


async def test_bad_requests_are_refused(
    viber: ViberDouble, hook: Hook, http: aiohttp.ClientSession
) -> None:
    viber.webhook_url = hook.url
    await viber.user_text("u1", "zdravo")
    assert (await call(http, viber, "send_message", text("u1"), token="wrong"))["status"] == 2
    assert (await call(http, viber, "get_account_info", {}, token=""))["status"] == 2
    assert (await call(http, viber, "send_message", b"not json"))["status"] == 3
    assert (await call(http, viber, "send_message", b"[1]"))["status"] == 3
    assert (await call(http, viber, "no_such_method", {}))["status"] == 3
    no_receiver = text("u1")
    del no_receiver["receiver"]
    bad_button = {"Type": "keyboard", "Buttons": [{"Columns": 6, "Text": "x"}]}
    wide_button = {"Type": "keyboard", "Buttons": [{"Columns": 7, "ActionBody": "x"}]}
    for body, status in [
        (no_receiver, 4),
        ({"receiver": "u1", "type": "text", "sender": SENDER}, 4),
        ({"receiver": "u1", "type": "text", "text": "x"}, 4),
        (text("u1", "x" * 7001), 3),
        (text("u1", "x" * 7000), 0),
        (text("u1", sender={"name": "x" * 29}), 3),
        (text("u1", tracking_data="x" * 31_000), 3),
        (text("u1", keyboard=bad_button), 3),
        (text("u1", keyboard=wide_button), 3),
    ]:
        assert await send(http, viber, body) == status, body
    assert [r.status for r in viber.refusals] == [2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3]
    assert len(viber.sent()) == 1


async def test_buttons_fill_rows_of_six_columns(
    viber: ViberDouble, hook: Hook, http: aiohttp.ClientSession
) -> None:
    viber.webhook_url = hook.url
    await viber.user_text("u1", "zdravo")
    columns = [("Da", 3), ("Ne", 3), ("Meni", 6), ("A", 2), ("B", 2), ("C", 4)]
    buttons = [
        {"Columns": c, "Rows": 1, "ActionType": "reply", "ActionBody": f"b:{t}", "Text": t}
        for t, c in columns
    ]
    keyboard = {"Type": "keyboard", "DefaultHeight": False, "Buttons": buttons}
    assert await send(http, viber, text("u1", keyboard=keyboard)) == 0
    (sent,) = viber.sent("u1")
    assert sent.buttons == [
        [("Da", "b:Da"), ("Ne", "b:Ne")], [("Meni", "b:Meni")], [("A", "b:A"), ("B", "b:B")],
        [("C", "b:C")],
    ]  # fmt: skip


async def test_broadcast_lists_who_failed(
    viber: ViberDouble, hook: Hook, http: aiohttp.ClientSession
) -> None:
    viber.webhook_url = hook.url
    await viber.user_text("u1", "zdravo", name="Ana")
    await viber.subscribe("u2", name="Jovan")
    body = {"type": "text", "text": "Zdravo replace_me_with_user_name", "sender": SENDER}
    answer = await call(http, viber, "broadcast_message", body | {"broadcast_list": ["u1", "u2"]})
    assert answer["status"] == 0 and answer["failed_list"] == []
    answer = await call(
        http, viber, "broadcast_message", body | {"broadcast_list": ["u1", "nobody", "u2"]}
    )
    assert answer["failed_list"] == [
        {"receiver": "nobody", "status": 6, "status_message": "notSubscribed"}
    ]
    assert [(m.receiver, m.text) for m in viber.sent()[-2:]] == [
        ("u1", "Zdravo Ana"), ("u2", "Zdravo Jovan"),
    ]  # fmt: skip
    assert {m.message_token for m in viber.sent()[-2:]} == {answer["message_token"]}
    assert viber.sent("nobody") == []
    assert [m.billing for m in viber.sent()] == [1, 5, 1, 5]  # u2 never wrote
    too_many = body | {"broadcast_list": [f"u{i}" for i in range(301)]}
    assert (await call(http, viber, "broadcast_message", too_many))["status"] == 3
    assert (await call(http, viber, "broadcast_message", body | {"broadcast_list": []}))[
        "status"
    ] == 4


async def test_fail_next_latency_and_rate_limit(
    viber: ViberDouble, hook: Hook, http: aiohttp.ClientSession
) -> None:
    viber.webhook_url = hook.url
    await viber.user_text("u1", "zdravo")
    viber.fail_next(1)
    viber.fail_next(1, status=503)
    viber.fail_next(1, status=4, method="get_account_info")
    assert await send(http, viber, text("u1")) == 12
    async with http.post(
        f"{viber.api_url}/send_message",
        json=text("u1"),
        headers={"X-Viber-Auth-Token": viber.token},
    ) as resp:
        assert resp.status == 503
    assert (await call(http, viber, "get_account_info", {}))["status"] == 4
    assert await send(http, viber, text("u1")) == 0
    assert [m.via for m in viber.sent()] == ["send"], "a failed call sends nothing"
    assert len(viber.calls) == 4 and viber.calls[0].body["receiver"] == "u1"
    with pytest.raises(ValueError):
        viber.fail_next(1, status=404)

    viber.latency = 0.2
    began = time.monotonic()
    assert await send(http, viber, text("u1")) == 0
    assert time.monotonic() - began >= 0.2
    viber.latency = 0

    viber.rate_limit = (2, 10.0)
    assert [await send(http, viber, text("u1")) for _ in range(3)] == [0, 0, 12]
    viber.advance(10.5)
    assert await send(http, viber, text("u1")) == 0
    assert (await viber.wait_for_call("get_account_info")).body == {}


async def test_welcome_answer_is_recorded(viber: ViberDouble, hook: Hook) -> None:
    viber.webhook_url = hook.url
    keyboard = {"Type": "keyboard", "Buttons": [{"ActionBody": "lang:sr", "Text": "Srpski"}]}
    hook.welcome = {"type": "text", "text": "Dobro došli", "sender": SENDER, "keyboard": keyboard}
    status, _, welcome = await viber.conversation_started("u1", language="en")
    assert status == 200 and isinstance(welcome, SentMessage)
    assert (welcome.receiver, welcome.text, welcome.via, welcome.billing) == (
        "u1", "Dobro došli", "welcome", None,
    )  # fmt: skip
    assert welcome.buttons == [[("Srpski", "lang:sr")]]
    assert hook.events[-1]["user"]["language"] == "en"
    assert "u1" not in viber.subscribed, "a welcome does not subscribe"
    await viber.repeat_last()  # a retried callback the bot answers again: a second welcome
    assert len(viber.sent("u1")) == 2

    hook.welcome = {"type": "text", "text": "x" * 7001, "sender": SENDER}
    assert (await viber.conversation_started("u2")).welcome is None
    assert [(r.method, r.status, r.receiver) for r in viber.refusals] == [("welcome", 3, "u2")]


async def test_billing_follows_the_24_hour_session(
    viber: ViberDouble, hook: Hook, http: aiohttp.ClientSession
) -> None:
    viber.webhook_url = hook.url
    await viber.user_text("u1", "zdravo")
    assert (await call(http, viber, "send_message", text("u1")))["billing_status"] == 1
    viber.advance(25 * HOUR)
    assert (await call(http, viber, "send_message", text("u1")))["billing_status"] == 5
    assert hook.events[0]["timestamp"] + 25 * HOUR * 1000 <= viber.now() * 1000
    await viber.user_text("u1", "opet")
    assert (await call(http, viber, "send_message", text("u1")))["billing_status"] == 1
    assert [m.billing for m in viber.sent("u1")] == [1, 5, 1]


async def test_at_most_100_messages_an_hour_without_a_reply(
    viber: ViberDouble, hook: Hook, http: aiohttp.ClientSession
) -> None:
    viber.webhook_url = hook.url
    await viber.user_text("u1", "zdravo")
    statuses = [await send(http, viber, text("u1")) for _ in range(101)]
    assert statuses == [0] * 100 + [12]
    viber.advance(HOUR + 1)
    assert await send(http, viber, text("u1")) == 0
    viber.max_per_user_hour = 1
    assert await send(http, viber, text("u1")) == 12
    await viber.user_text("u1", "evo me")  # a reply from the user starts the count again
    assert await send(http, viber, text("u1")) == 0


async def test_wait_for_sent_says_what_was_sent(viber: ViberDouble, hook: Hook) -> None:
    viber.webhook_url = hook.url
    with pytest.raises(AssertionError, match=r"wanted 1 messages to u1 in 0.05s, got \[\]"):
        await viber.wait_for_sent("u1", timeout=0.05)
    with pytest.raises(AssertionError, match="no matching send_message call"):
        await viber.wait_for_call("send_message", timeout=0.05)
