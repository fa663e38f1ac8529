"""Loopback Viber REST Bot API double: the bot calls it over HTTP, it posts signed callbacks."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TypeVar
from urllib.parse import quote

import aiohttp
from aiohttp import web

_T = TypeVar("_T")
JSONDict = dict[str, Any]
Buttons = list[list[tuple[str, str]]]  # rows of (Text, ActionBody)
Via = Literal["send", "broadcast", "welcome"]

STATUS_MESSAGES = {
    0: "ok", 1: "invalidUrl", 2: "invalidAuthToken", 3: "badData", 4: "missingData",
    5: "receiverNotRegistered", 6: "receiverNotSubscribed", 7: "publicAccountBlocked",
    8: "publicAccountNotFound", 9: "publicAccountSuspended", 10: "webhookNotSet",
    11: "receiverNoSuitableDevice", 12: "tooManyRequests", 13: "apiVersionNotSupported",
    14: "incompatibleWithVersion", 15: "publicAccountNotAuthorized",
    16: "inchatReplyMessageNotAllowed", 17: "publicAccountIsNotInline", 18: "noPublicChat",
    19: "cannotSendBroadcast", 20: "broadcastNotAllowed", 21: "unsupportedCountry",
    22: "paymentUnsupported", 23: "freeMessagesExceeded", 24: "noBalance",
}  # fmt: skip
HTTP_FAULTS = frozenset({500, 502, 503})  # fail_next statuses answered as HTTP errors instead
SENDING = frozenset({"send_message", "broadcast_message"})
# What set_webhook answers when event_types is omitted: every optional event is sent then.
ALL_EVENT_TYPES = (
    "delivered",
    "seen",
    "failed",
    "subscribed",
    "unsubscribed",
    "conversation_started",
)
_MANDATORY_EVENTS = ("subscribed", "unsubscribed")  # Viber sends these whatever was asked for
_KNOWN_EVENTS = frozenset({*ALL_EVENT_TYPES, "message", "webhook"})
# The fields each message type cannot go without (a missing one answers 4 missingData).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "text": ("text",), "picture": ("media",), "video": ("media", "size"),
    "file": ("media", "size", "file_name"), "contact": ("contact",), "location": ("location",),
    "url": ("media",), "sticker": ("sticker_id",), "rich_media": ("rich_media",),
}  # fmt: skip
MAX_BODY = 30 * 1024
MAX_TEXT = 7000
MAX_SENDER_NAME = 28
MAX_TRACKING_DATA = 4000
MAX_BROADCAST = 300
HOUR = 3600.0
DAY = 24 * HOUR
BILLING_FREE = 1  # the receiver wrote within 24 hours: a reply in session
BILLING_PAID = 5  # out of session: a chatbot-initiated, charged message
DEFAULT_TOKEN = "4a1b2c3d4e5f6a7b-8c9d0e1f2a3b4c5d-6e7f8a9b0c1d2e3f"
# Real tokens are 64-bit and above 2**53: a bot that parses them as floats loses digits.
_FIRST_MESSAGE_TOKEN = 5_491_877_411_162_011_000


@dataclass(frozen=True, slots=True)
class ApiCall:
    method: str
    body: JSONDict  # {} when the body was not a JSON object
    at: float  # the double's clock (see ViberDouble.now)


@dataclass(frozen=True, slots=True)
class SentMessage:
    receiver: str
    type: str
    text: str | None  # for a broadcast, with Viber's replace_me_with_* placeholders filled in
    buttons: Buttons
    media: str | None
    file_name: str | None
    size: int | None
    via: Via
    billing: int | None  # the billing_status answered; None for a welcome, which has no answer
    message_token: int  # a broadcast's receivers share the broadcast's token
    at: float
    tracking_data: str = ""
    raw: JSONDict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A non-zero status the double answered, a failed_list entry, or a dropped welcome."""

    method: str  # "welcome" for a welcome answer Viber would have dropped
    status: int  # a Viber status, or an HTTP 5xx that fail_next injected
    status_message: str
    receiver: str | None
    at: float


class Posted(NamedTuple):
    """How the bot's webhook answered one callback."""

    status: int
    text: str


class Opened(NamedTuple):
    """How the bot's webhook answered conversation_started, and the welcome it carried."""

    status: int
    text: str
    welcome: SentMessage | None


class _ViberError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(STATUS_MESSAGES.get(status, "error"))
        self.status = status


@dataclass(slots=True, eq=False)  # eq=False: deque.remove() takes this very entry
class _Fault:
    status: int
    method: str | None  # None: the sending calls
    left: int

    def matches(self, method: str) -> bool:
        return method in SENDING if self.method is None else method == self.method


@dataclass(slots=True)
class _User:
    name: str
    language: str


def _object(raw: bytes) -> JSONDict | None:
    try:
        body = json.loads(raw)
    except ValueError:  # UnicodeDecodeError included
        return None
    return body if isinstance(body, dict) else None


def _encode(event: JSONDict) -> bytes:
    # UTF-8 rather than \u escapes, as Viber sends: a bot that checks the signature of
    # re-serialised JSON instead of the raw bytes fails on the first Cyrillic letter.
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def _check_keyboard(keyboard: Any) -> None:
    if not isinstance(keyboard, dict) or keyboard.get("Type", "keyboard") != "keyboard":
        raise _ViberError(3)
    buttons = keyboard.get("Buttons")
    if not isinstance(buttons, list) or not buttons:
        raise _ViberError(3)
    for button in buttons:
        if not isinstance(button, dict) or not isinstance(button.get("ActionBody"), str):
            raise _ViberError(3)
        columns = button.get("Columns", 6)
        if isinstance(columns, bool) or not isinstance(columns, int) or not 1 <= columns <= 6:
            raise _ViberError(3)


def _check_message(body: JSONDict) -> None:
    """What send_message, broadcast_message and a welcome share, receivers aside."""
    kind, sender = body.get("type"), body.get("sender")
    if not kind or not isinstance(sender, dict) or not sender.get("name"):
        raise _ViberError(4)
    if not isinstance(kind, str) or kind not in _REQUIRED or not isinstance(sender["name"], str):
        raise _ViberError(3)
    if len(sender["name"]) > MAX_SENDER_NAME:
        raise _ViberError(3)
    if any(body.get(name) in (None, "") for name in _REQUIRED[kind]):
        raise _ViberError(4)
    text = body.get("text")
    if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
        raise _ViberError(3)
    tracking = body.get("tracking_data")
    if tracking is not None and (
        not isinstance(tracking, str) or len(tracking) > MAX_TRACKING_DATA
    ):
        raise _ViberError(3)
    if "keyboard" in body:
        _check_keyboard(body["keyboard"])


def _rows(keyboard: Any) -> Buttons:
    """Rows as a phone shows them: each row takes buttons until their Columns pass 6."""
    rows: Buttons = []
    width = 6
    buttons = keyboard.get("Buttons", []) if isinstance(keyboard, dict) else []
    for button in buttons:
        columns = button.get("Columns", 6)
        if width + columns > 6:
            rows.append([])
            width = 0
        rows[-1].append((str(button.get("Text", "")), button["ActionBody"]))
        width += columns
    return rows


def _optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class ViberDouble:
    """Serves POST /pa/<method> on 127.0.0.1; user_* post signed callbacks to webhook_url.

    Fault knobs, all off (max_per_user_hour aside) until a test sets them: fail_next(), latency,
    rate_limit, max_per_user_hour, and the clock (now(), advance()). The "sending calls" are
    send_message and broadcast_message. Refused calls are still in `calls`; `refusals` lists
    every non-zero status answered.
    """

    def __init__(self, token: str = DEFAULT_TOKEN, name: str = "partnerbot") -> None:
        self.token = token
        self.name = name
        self.webhook_url: str | None = (
            None  # a test may set it when the bot never calls set_webhook
        )
        self.event_types: list[str] = list(ALL_EVENT_TYPES)  # recorded, not used as a filter
        self.calls: list[ApiCall] = []
        self.refusals: list[Refusal] = []
        self.subscribed: set[str] = set()
        self.unsubscribed: set[str] = set()
        self.latency = 0.0  # seconds a sending call waits after taking effect, before answering
        self.rate_limit: tuple[int, float] | None = None  # (calls, seconds) over sending calls
        self.max_per_user_hour: int | None = 100  # to one user since their last message
        self.webhook_timeout = 5.0  # how long set_webhook waits for the webhook callback's 200
        self.callback_timeout = 10.0  # how long user_* and friends wait for the bot's answer
        self.clock: Callable[[], float] = time.time
        self._offset = 0.0
        self._sent: list[SentMessage] = []
        self._sent_to: dict[str, list[SentMessage]] = {}
        self._users: dict[str, _User] = {}
        self._last_heard: dict[str, float] = {}
        self._unanswered: dict[str, deque[float]] = {}  # send times since the user last wrote
        self._tracking: dict[str, str] = {}  # the tracking_data a user's next message echoes
        self._rate_times: deque[float] = deque()
        self._faults: deque[_Fault] = deque()
        self._next_token = _FIRST_MESSAGE_TOKEN
        self._last: tuple[bytes, dict[str, str], str | None] | None = None
        self._events: dict[Hashable, asyncio.Event] = {}
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._port = 0
        self._handlers: dict[str, Callable[[JSONDict, bytes], Awaitable[JSONDict]]] = {
            "set_webhook": self._set_webhook,
            "get_account_info": self._get_account_info,
            "send_message": self._send_message,
            "broadcast_message": self._broadcast_message,
        }

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/pa/{method}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self._runner, self._port = runner, runner.addresses[0][1]
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> ViberDouble:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def api_url(self) -> str:
        """What the bot gets as VIBER_API_URL; methods are {api_url}/<method>."""
        return f"http://127.0.0.1:{self._port}/pa"

    # --- clock and faults ---------------------------------------------------------------------

    def now(self) -> float:
        """The double's time in seconds: clock() moved on by every advance()."""
        return self.clock() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the double's clock on, e.g. 25 hours to end a user's free 24-hour session."""
        self._offset += seconds

    def fail_next(self, n: int, status: int = 12, method: str | None = None) -> None:
        """Answer the next n matching calls with `status`, after any fail_next queued before.

        method=None matches the sending calls. status: a Viber status (HTTP 200, nothing done),
        or 500, 502 or 503 for an HTTP error answer.
        """
        if status == 0 or (status not in STATUS_MESSAGES and status not in HTTP_FAULTS):
            raise ValueError(f"fail_next cannot inject status {status}")
        if method is not None and method not in self._handlers:
            raise ValueError(f"unknown Viber method {method!r}")
        if n > 0:
            self._faults.append(_Fault(status, method, n))

    def sign(self, body: bytes) -> str:
        return hmac.new(self.token.encode(), body, hashlib.sha256).hexdigest()

    # --- simulated users ----------------------------------------------------------------------

    async def user_message(
        self,
        user_id: str,
        message: JSONDict,
        *,
        name: str | None = None,
        language: str | None = None,
    ) -> Posted:
        """Any message a user sends; it subscribes them and opens their 24-hour session."""
        self._remember(user_id, name, language)
        self._heard_from(user_id)
        message = {**message, "tracking_data": self._tracking.get(user_id, "")}
        event = self._event("message", sender=self._user_json(user_id), message=message)
        return await self._deliver(event | {"silent": False})

    async def user_text(
        self, user_id: str, text: str, *, name: str | None = None, language: str | None = None
    ) -> Posted:
        """name and language: by default what this user last came with, else "Ana" and "sr"."""
        message = {"type": "text", "text": text}
        return await self.user_message(user_id, message, name=name, language=language)

    async def user_press(self, user_id: str, action_body: str) -> Posted:
        # A reply button posts a plain text message whose text is the ActionBody.
        return await self.user_text(user_id, action_body)

    async def user_sticker(self, user_id: str, sticker_id: int = 40100) -> Posted:
        return await self.user_message(user_id, {"type": "sticker", "sticker_id": sticker_id})

    async def user_picture(
        self, user_id: str, media: str = "http://127.0.0.1/photo.jpg", text: str = ""
    ) -> Posted:
        message = {"type": "picture", "media": media, "text": text}
        return await self.user_message(user_id, message)

    async def conversation_started(
        self,
        user_id: str,
        *,
        name: str | None = None,
        language: str | None = None,
        subscribed: bool | None = None,
        context: str = "",
    ) -> Opened:
        """The user opened the chat. subscribed: None sends what the double knows, True also
        subscribes them. A JSON answer is the welcome, recorded with via="welcome"."""
        self._remember(user_id, name, language)
        if subscribed:
            self._subscribe(user_id)
        flag = user_id in self.subscribed if subscribed is None else subscribed
        user = self._user_json(user_id)
        event = self._event(
            "conversation_started", type="open", context=context, user=user, subscribed=flag
        )
        status, text = await self._deliver(event, welcome_for=user_id)
        return Opened(status, text, self._welcome(user_id, status, text))

    async def subscribe(
        self, user_id: str, *, name: str | None = None, language: str | None = None
    ) -> Posted:
        self._remember(user_id, name, language)
        self._subscribe(user_id)
        return await self._deliver(self._event("subscribed", user=self._user_json(user_id)))

    async def unsubscribe(self, user_id: str) -> Posted:
        self.subscribed.discard(user_id)
        self.unsubscribed.add(user_id)
        return await self._deliver(self._event("unsubscribed", user_id=user_id))

    async def delivered(self, user_id: str, message_token: int | None = None) -> Posted:
        """message_token: by default that of the last message sent to the user."""
        return await self._receipt("delivered", user_id, message_token)

    async def seen(self, user_id: str, message_token: int | None = None) -> Posted:
        return await self._receipt("seen", user_id, message_token)

    async def failed(
        self, user_id: str, message_token: int | None = None, desc: str = "failed to deliver"
    ) -> Posted:
        return await self._receipt("failed", user_id, message_token, desc=desc)

    async def post_raw(
        self, body: bytes, signature: str | None, headers: Mapping[str, str] | None = None
    ) -> Posted:
        """Post any bytes to the webhook; signature None leaves the signature header out."""
        return await self._post(body, signature, headers)

    async def repeat_last(self) -> Posted:
        """Post the last callback again, byte for byte, as Viber does when it retries.

        A repeated conversation_started records a welcome again if the bot answers with one.
        """
        if self._last is None:
            raise AssertionError("repeat_last: no callback posted yet")
        body, headers, welcome_for = self._last
        posted = await self._send(body, headers)
        if welcome_for is not None:
            self._welcome(welcome_for, posted.status, posted.text)
        return posted

    def _remember(self, user_id: str, name: str | None, language: str | None) -> None:
        old = self._users.get(user_id) or _User("Ana", "sr")
        self._users[user_id] = _User(name or old.name, language or old.language)

    def _user_json(self, user_id: str) -> JSONDict:
        user = self._users.get(user_id) or _User("Ana", "sr")
        return {
            "id": user_id, "name": user.name, "avatar": "", "language": user.language,
            "country": "RS", "api_version": 10,
        }  # fmt: skip

    def _subscribe(self, user_id: str) -> None:
        self.subscribed.add(user_id)
        self.unsubscribed.discard(user_id)

    def _heard_from(self, user_id: str) -> None:
        self._subscribe(user_id)
        self._last_heard[user_id] = self.now()
        self._unanswered.pop(user_id, None)

    def _new_token(self) -> int:
        self._next_token += 1
        return self._next_token

    def _event(self, name: str, **fields: Any) -> JSONDict:
        event = {"event": name, "timestamp": int(self.now() * 1000), "chat_hostname": "double"}
        return event | {"message_token": self._new_token()} | fields

    async def _receipt(
        self, name: str, user_id: str, message_token: int | None, **extra: str
    ) -> Posted:
        # A receipt carries the token of the message it is about, not a new one.
        if message_token is None:
            if not (sent := self._sent_to.get(user_id)):
                raise AssertionError(f"{name}: nothing was sent to {user_id}")
            message_token = sent[-1].message_token
        event = {"event": name, "timestamp": int(self.now() * 1000), "chat_hostname": "double"}
        return await self._deliver(
            event | {"message_token": message_token, "user_id": user_id} | extra
        )

    async def _deliver(self, event: JSONDict, welcome_for: str | None = None) -> Posted:
        body = _encode(event)
        return await self._post(body, self.sign(body), None, welcome_for)

    async def _post(
        self,
        body: bytes,
        signature: str | None,
        extra: Mapping[str, str] | None,
        welcome_for: str | None = None,
    ) -> Posted:
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Viber-Content-Signature"] = signature
        headers |= extra or {}
        self._last = (body, headers, welcome_for)
        return await self._send(body, headers)

    async def _send(self, body: bytes, headers: Mapping[str, str]) -> Posted:
        if self.webhook_url is None:
            raise AssertionError("no webhook: the bot has not called set_webhook")
        return await self._post_to(self.webhook_url, body, headers, self.callback_timeout)

    async def _post_to(
        self, url: str, body: bytes, headers: Mapping[str, str], seconds: float
    ) -> Posted:
        if self._session is None:
            raise RuntimeError("the ViberDouble is not started")
        timeout = aiohttp.ClientTimeout(total=seconds)
        async with self._session.post(url, data=body, headers=headers, timeout=timeout) as resp:
            return Posted(resp.status, await resp.text())

    def _welcome(self, user_id: str, status: int, text: str) -> SentMessage | None:
        if status != 200 or not text.strip():
            return None
        body = _object(text.encode())
        if body is None:  # "ok" and the like: an acknowledgement, not a welcome
            return None
        try:
            if len(text.encode()) > MAX_BODY:
                raise _ViberError(3)
            _check_message(body)
        except _ViberError as err:
            self._refused("welcome", err.status, user_id)
            return None
        return self._record(user_id, body, "welcome", None, self._new_token())

    # --- what the bot did ---------------------------------------------------------------------

    def sent(self, user_id: str | None = None) -> list[SentMessage]:
        return list(self._sent if user_id is None else self._sent_to.get(user_id, ()))

    async def wait_for_sent(
        self,
        user_id: str,
        n: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the test-facing API
    ) -> list[SentMessage]:
        """Wait until at least n messages (welcomes included) went to user_id; return them all."""

        def check() -> list[SentMessage] | None:
            got = self._sent_to.get(user_id, [])
            return list(got) if len(got) >= n else None

        if (result := await self._wait(("sent", user_id), check, timeout)) is None:
            got = [(m.via, m.type, m.text) for m in self.sent(user_id)]
            refused = [(r.method, r.status) for r in self.refusals if r.receiver == user_id]
            raise AssertionError(
                f"wanted {n} messages to {user_id} in {timeout}s, got {got}; refused: {refused}"
            )
        return result

    async def wait_for_call(
        self,
        method: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the test-facing API
        predicate: Callable[[ApiCall], bool] | None = None,
    ) -> ApiCall:
        """Return the first matching call since the double started, waiting if there is none."""
        cursor = 0

        def check() -> ApiCall | None:
            nonlocal cursor  # each wake-up only scans the calls that arrived since the last one
            while cursor < len(self.calls):
                call, cursor = self.calls[cursor], cursor + 1
                if call.method == method and (predicate is None or predicate(call)):
                    return call
            return None

        if (result := await self._wait("calls", check, timeout)) is None:
            seen = [c.method for c in self.calls[-20:]]
            raise AssertionError(f"no matching {method} call in {timeout}s; last calls: {seen}")
        return result

    def _pulse(self, key: Hashable) -> None:
        if (event := self._events.pop(key, None)) is not None:
            event.set()

    async def _wait(
        self, key: Hashable, check: Callable[[], _T | None], seconds: float
    ) -> _T | None:
        try:
            async with asyncio.timeout(seconds):
                while (result := check()) is None:
                    await self._events.setdefault(key, asyncio.Event()).wait()
                return result
        except TimeoutError:
            return None

    def _record(
        self, receiver: str, body: JSONDict, via: Via, billing: int | None, token: int
    ) -> SentMessage:
        text = body.get("text")
        if via == "broadcast" and isinstance(text, str):
            name = (self._users.get(receiver) or _User("", "")).name
            text = (
                text.replace("replace_me_with_url_encoded_receiver_id", quote(receiver, safe=""))
                .replace("replace_me_with_receiver_id", receiver)
                .replace("replace_me_with_user_name", name)
            )
        media, file_name = body.get("media"), body.get("file_name")
        tracking = body.get("tracking_data") or ""
        sent = SentMessage(
            receiver=receiver,
            type=body["type"],
            text=text if isinstance(text, str) else None,
            buttons=_rows(body.get("keyboard")),
            media=media if isinstance(media, str) else None,
            file_name=file_name if isinstance(file_name, str) else None,
            size=_optional_int(body.get("size")),
            via=via,
            billing=billing,
            message_token=token,
            at=self.now(),
            tracking_data=tracking,
            raw=body,
        )
        self._tracking[receiver] = tracking  # the user's next message echoes the latest one
        self._sent.append(sent)
        self._sent_to.setdefault(receiver, []).append(sent)
        self._pulse(("sent", receiver))
        return sent

    def _refused(self, method: str, status: int, receiver: str | None) -> None:
        message = STATUS_MESSAGES.get(status, "error")
        self.refusals.append(Refusal(method, status, message, receiver, self.now()))

    # --- HTTP ---------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method, raw = request.match_info["method"], await request.read()
        body = _object(raw)
        receiver = body.get("receiver") if body is not None else None
        receiver = receiver if isinstance(receiver, str) else None
        if request.headers.get("X-Viber-Auth-Token") != self.token:
            return self._refusal(method, 2, receiver)
        self.calls.append(ApiCall(method, body if body is not None else {}, self.now()))
        self._pulse("calls")
        try:
            handler = self._handlers.get(method)
            if body is None or handler is None:
                raise _ViberError(3)
            self._check_faults(method)
            answer = await handler(body, raw)
            response = web.json_response({"status": 0, "status_message": "ok"} | answer)
        except _ViberError as err:
            response = self._refusal(method, err.status, receiver)
        if self.latency > 0 and method in SENDING:
            # Only now: as with Viber, a client that gives up waiting may have sent all the same.
            await asyncio.sleep(self.latency)
        return response

    def _refusal(self, method: str, status: int, receiver: str | None) -> web.Response:
        self._refused(method, status, receiver)
        if status in HTTP_FAULTS:
            return web.Response(status=status, text="<html><body>Service error</body></html>")
        return web.json_response({"status": status, "status_message": STATUS_MESSAGES[status]})

    def _check_faults(self, method: str) -> None:
        # fail_next first: a test that queued a fault wants exactly it, and it uses no rate.
        for fault in self._faults:
            if fault.matches(method):
                fault.left -= 1
                if not fault.left:
                    self._faults.remove(fault)
                raise _ViberError(fault.status)
        if method in SENDING and self.rate_limit is not None:
            calls, seconds = self.rate_limit
            now, times = self.now(), self._rate_times
            while times and times[0] <= now - seconds:
                times.popleft()
            if len(times) >= calls:
                raise _ViberError(12)
            times.append(now)

    def _take_hour_slot(self, user_id: str) -> bool:
        """Count one more message to user_id, unless it would pass max_per_user_hour."""
        if self.max_per_user_hour is None:
            return True
        now, times = self.now(), self._unanswered.setdefault(user_id, deque())
        while times and times[0] <= now - HOUR:
            times.popleft()
        if len(times) >= self.max_per_user_hour:
            return False
        times.append(now)
        return True

    def _billing(self, user_id: str) -> int:
        last = self._last_heard.get(user_id)
        return BILLING_FREE if last is not None and self.now() - last <= DAY else BILLING_PAID

    # --- Viber methods ------------------------------------------------------------------------

    async def _set_webhook(self, body: JSONDict, raw: bytes) -> JSONDict:
        url, asked = body.get("url"), body.get("event_types")
        if url is None:
            raise _ViberError(4)
        if not isinstance(url, str):
            raise _ViberError(3)
        if asked is None:
            event_types = list(ALL_EVENT_TYPES)
        elif isinstance(asked, list) and all(t in _KNOWN_EVENTS for t in asked):
            wanted = [t for t in [*asked, *_MANDATORY_EVENTS] if t not in ("message", "webhook")]
            event_types = list(dict.fromkeys(wanted))
        else:
            raise _ViberError(3)
        if not url:
            self.webhook_url = None
            return {"event_types": event_types}
        # Viber only keeps a url that answered its webhook callback with 200.
        event = _encode(self._event("webhook"))
        headers = {
            "Content-Type": "application/json",
            "X-Viber-Content-Signature": self.sign(event),
        }
        previous, self.webhook_url = self.webhook_url, url
        self._last = (event, headers, None)
        try:
            status, _ = await self._post_to(url, event, headers, self.webhook_timeout)
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        if status != 200:
            self.webhook_url = previous
            raise _ViberError(1)
        self.event_types = event_types
        return {"event_types": event_types}

    async def _get_account_info(self, body: JSONDict, raw: bytes) -> JSONDict:
        return {
            "id": "pa:double", "name": self.name, "uri": "partnerbot", "icon": "",
            "background": "", "category": "Organisations", "subcategory": "Government",
            "location": {"lon": 20.4573, "lat": 44.8125}, "country": "RS",
            "webhook": self.webhook_url or "", "event_types": list(self.event_types),
            "subscribers_count": len(self.subscribed), "members": [],
        }  # fmt: skip

    async def _send_message(self, body: JSONDict, raw: bytes) -> JSONDict:
        if len(raw) > MAX_BODY:
            raise _ViberError(3)
        receiver = body.get("receiver")
        if not receiver:
            raise _ViberError(4)
        if not isinstance(receiver, str):
            raise _ViberError(3)
        _check_message(body)
        if self.webhook_url is None:
            raise _ViberError(10)
        if receiver not in self.subscribed:
            raise _ViberError(6)
        if not self._take_hour_slot(receiver):
            raise _ViberError(12)
        token, billing = self._new_token(), self._billing(receiver)
        self._record(receiver, body, "send", billing, token)
        return {"message_token": token, "chat_hostname": "double", "billing_status": billing}

    async def _broadcast_message(self, body: JSONDict, raw: bytes) -> JSONDict:
        if len(raw) > MAX_BODY:
            raise _ViberError(3)
        receivers = body.get("broadcast_list")
        if not receivers:
            raise _ViberError(4)
        if (
            not isinstance(receivers, list)
            or len(receivers) > MAX_BROADCAST
            or not all(isinstance(r, str) and r for r in receivers)
        ):
            raise _ViberError(3)
        _check_message(body)
        if self.webhook_url is None:
            raise _ViberError(10)
        token, failed = self._new_token(), []
        for receiver in dict.fromkeys(receivers):
            if receiver not in self.subscribed:
                status, message = 6, "notSubscribed"
            elif not self._take_hour_slot(receiver):
                status, message = 12, "tooManyRequests"
            else:
                self._record(receiver, body, "broadcast", self._billing(receiver), token)
                continue
            failed.append({"receiver": receiver, "status": status, "status_message": message})
            self._refused("broadcast_message", status, receiver)
        return {"message_token": token, "failed_list": failed}
