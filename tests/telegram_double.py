"""Loopback Telegram Bot API double that a real python-telegram-bot Application polls and calls."""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

_T = TypeVar("_T")
JSONDict = dict[str, Any]
Buttons = list[list[tuple[str, str | None]]]

# PTB posts str values raw and JSON-encodes everything else, so these are never JSON-decoded (a
# text of "123" stays a str); any other form value is tried as JSON ("42" -> 42, "{..}" -> dict).
# fmt: off
_STRING_PARAMS = frozenset({
    "text", "caption", "callback_query_id", "inline_query_id", "query", "title", "description",
    "short_description", "name", "language_code", "parse_mode", "action", "emoji", "file_id", "url",
    "payload", "start_parameter", "question", "secret_token", "message_effect_id",
})
# fmt: on
_CHAT_PREFIXES = ("send", "copy", "forward", "edit")  # the methods that fail for a blocked user


def _sends_to_chat(method: str) -> bool:
    """The calls that rate limits, fault_rate, fail_next(method=None) and latency apply to."""
    # sendChatAction is left out: it delivers nothing, and bots send it freely before a reply.
    return method.startswith(_CHAT_PREFIXES) and method != "sendchataction"


@dataclass(frozen=True, slots=True)
class ApiCall:
    method: str
    params: dict[str, Any]
    at: float


@dataclass(frozen=True, slots=True)
class UploadedFile:
    filename: str | None
    content: bytes
    content_type: str | None


@dataclass(frozen=True, slots=True)
class SentMessage:
    chat_id: int
    message_id: int
    text: str
    buttons: Buttons
    edited: bool = False
    parse_mode: str | None = None


@dataclass(slots=True, eq=False)  # eq=False: deque.remove() takes this very entry
class _Fault:
    """What one fail_next call queued: the next `left` matching calls answer `code`."""

    code: int
    method: str | None  # a lower-case Bot API method name; None: the chat-sending calls
    left: int

    def matches(self, method: str) -> bool:
        return _sends_to_chat(method) if self.method is None else method == self.method


@dataclass(slots=True)
class _Bucket:
    """Token bucket: `tokens` (at most `capacity`) as of monotonic time `at`, `rate` a second."""

    rate: float
    capacity: float
    tokens: float
    at: float

    @classmethod
    def current(cls, old: _Bucket | None, rate: float, capacity: float, now: float) -> _Bucket:
        # A new or changed limit starts full, so a test that sets one gets its whole burst.
        if old is not None and (old.rate, old.capacity) == (rate, capacity):
            return old
        return cls(rate, capacity, capacity, now)

    def retry_after(self, now: float) -> int:
        """Refill up to now; 0 if a token is there, else whole seconds until one is (>= 1)."""
        self.tokens, self.at = min(self.capacity, self.tokens + (now - self.at) * self.rate), now
        return 0 if self.tokens >= 1 else max(1, math.ceil((1 - self.tokens) / self.rate))


class _ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def _error_response(
    code: int, description: str, parameters: JSONDict | None = None
) -> web.Response:
    body: JSONDict = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


def _decode(key: str, value: Any) -> Any:
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str) and key not in _STRING_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value  # "@channel", "attach://x", "HTML", ...
    return value


def _buttons(markup: Any) -> Buttons:
    if not isinstance(markup, dict):
        return []
    if "inline_keyboard" in markup:
        return [
            [(b["text"], b.get("callback_data")) for b in row] for row in markup["inline_keyboard"]
        ]
    rows = markup.get("keyboard", [])
    return [[(b, None) if isinstance(b, str) else (b["text"], None) for b in row] for row in rows]


def _inline(markup: Any) -> JSONDict | None:
    # Telegram only returns inline keyboards inside a Message, and PTB would crash on any other.
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class BotApiDouble:
    """Serves /bot<token>/<method> on 127.0.0.1; user_* queue updates, calls/sent() show replies.

    Fault knobs, all off until a test sets them (at any time): blocked_users (403), global_rate
    (alias rate_limit) and per_chat_rate/per_chat_burst (429 with retry_after), fault_rate and
    fail_next() (5xx and others), latency, unauthorized (401 for everything). "Chat-sending" calls
    are send*, copy*, forward* and edit* except sendChatAction. Calls refused by a fault are still
    in `calls` but never carried out; count_429/_5xx/_401/_404 and `faults` count the answers.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "partnerbot_test_bot",
        *,
        seed: int = 0,
    ) -> None:
        self.token = token
        self.calls: list[ApiCall] = []
        self.blocked_users: set[int] = set()
        # chats that never existed for the bot (a wrong id in the settings): 400 chat not found
        self.unknown_chats: set[int] = set()
        # Chat-sending calls a second over all chats, in bursts of up to one second's worth.
        self.rate_limit: float | None = None
        # Chat-sending calls a second to each chat_id, in bursts of up to per_chat_burst.
        self.per_chat_rate: float | None = None
        self.per_chat_burst = 3
        self.fault_rate = 0.0  # the share of chat-sending calls answered 500 or 502
        self.latency = 0.0  # seconds each chat-sending call waits, after it took effect
        self.unauthorized = False  # a revoked token: every call answers 401
        self.count_429 = 0
        self.count_5xx = 0
        self.count_401 = 0
        self.count_404 = 0  # only those fail_next injected, not unknown methods
        self._me: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "PartnerBot",
            "username": bot_username,
        }
        self._sent: list[SentMessage] = []
        self._sent_by_chat: dict[int, list[SentMessage]] = {}
        self._updates: deque[JSONDict] = deque()
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None
        self._next_message_id: dict[int, int] = {}
        self._bot_messages: dict[tuple[int, int], JSONDict] = {}
        self._last_bot_message: dict[int, int] = {}
        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._commands: dict[tuple[str | None, str], list[JSONDict]] = {}
        self._events: dict[Hashable, asyncio.Event] = {}
        self._bucket: _Bucket | None = None
        self._chat_buckets: dict[int | str, _Bucket] = {}
        self._faults: deque[_Fault] = deque()
        self._random = random.Random(seed)  # fault_rate's draws, the same for the same seed
        self._runner: web.AppRunner | None = None
        self._port = 0
        # setWebhook: updates are then POSTed there (with the secret token) instead of waiting
        # for getUpdates; each answer's HTTP status is kept in webhook_answers
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_answers: list[int] = []
        self._webhook_queue: asyncio.Queue[JSONDict] | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._closed = False
        self.deleted: list[tuple[int, int]] = []  # (chat id, message id) deleteMessage removed
        handlers: dict[str, Callable[[JSONDict], Awaitable[Any]]] = {
            "getMe": self._get_me, "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook, "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands, "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands, "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text, "sendDocument": self._send_document,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "sendChatAction": self._send_chat_action, "answerCallbackQuery": self._true,
            "close": self._true, "logOut": self._true, "deleteMessage": self._delete_message,
            "setWebhook": self._set_webhook,
        }  # fmt: skip
        # Bot API method names are case-insensitive.
        self._handlers = {name.lower(): (name, fn) for name, fn in handlers.items()}

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # Cancelling handlers on disconnect ends the long polls that PTB abandons when it stops.
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self._runner, self._port, self._closed = runner, runner.addresses[0][1], False

    async def stop(self) -> None:
        self._closed = True
        if self._webhook_task is not None:
            self._webhook_task.cancel()
        for key in list(self._events):
            self._pulse(key)  # pending getUpdates return [] now instead of holding up cleanup
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> BotApiDouble:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/bot"

    # --- faults -------------------------------------------------------------------------------

    @property
    def global_rate(self) -> float | None:
        """Chat-sending calls a second over all chats; the clearer name of rate_limit."""
        return self.rate_limit

    @global_rate.setter
    def global_rate(self, value: float | None) -> None:
        self.rate_limit = value

    @property
    def faults(self) -> int:
        """Every error answer a knob injected (403 for blocked_users aside)."""
        return self.count_429 + self.count_5xx + self.count_401 + self.count_404

    def fail_next(self, n: int, code: int = 502, method: str | None = None) -> None:
        """Answer the next n matching calls with `code`, after any fail_next queued before.

        method=None matches the chat-sending calls, a Bot API method name (any case) that
        method's calls. code: any 5xx, 429 (retry_after 1), 401 or 404.
        """
        if code not in (401, 404, 429) and not 500 <= code <= 599:
            raise ValueError(f"fail_next cannot inject HTTP {code}")
        if n > 0:
            self._faults.append(_Fault(code, None if method is None else method.lower(), n))

    # --- simulated users ----------------------------------------------------------------------

    def push_raw(self, update: dict[str, Any]) -> int:
        """Enqueue any update dict; update ids must grow, as Telegram's do."""
        update = dict(update)
        update_id = int(update.setdefault("update_id", self._next_update_id))
        self._next_update_id = max(self._next_update_id, update_id + 1)
        if self.webhook_url:
            if self._webhook_queue is None:
                self._webhook_queue = asyncio.Queue()
                self._webhook_task = asyncio.create_task(self._post_updates(self._webhook_queue))
            self._webhook_queue.put_nowait(update)
            return update_id
        self._updates.append(update)
        self._pulse("updates")
        return update_id

    def user_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Ana",
        language_code: str | None = "sr",
        chat_type: str = "private",
        chat_id: int | None = None,
        entities: list[JSONDict] | None = None,
    ) -> int:
        content: JSONDict = {"text": text}
        if entities:  # formatting the person used: bold, italics, links
            content["entities"] = entities
        elif text.startswith("/"):  # PTB's CommandHandler needs a bot_command entity at offset 0
            command = text.split()[0]
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        user = self._user(user_id, first_name, language_code)
        return self._push_message(user, chat_id, content, chat_type)

    def user_press(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int | None = None,
        language_code: str | None = "sr",
        chat_id: int | None = None,
    ) -> int:
        """Press an inline button; the callback query id is str(the returned update id)."""
        cid = user_id if chat_id is None else chat_id
        mid = self._last_bot_message.get(cid) if message_id is None else message_id
        message = self._bot_messages.get((cid, mid)) if mid is not None else None
        if message is None:
            message = {"message_id": mid or 1, "date": int(time.time()), "chat": self._chat(cid)}
        update_id = self._next_update_id
        query = {"id": str(update_id), "from": self._user(user_id, None, language_code)}
        query |= {"chat_instance": str(cid), "data": data, "message": message}
        return self.push_raw({"update_id": update_id, "callback_query": query})

    def user_sticker(self, user_id: int, emoji: str = "👍", *, chat_id: int | None = None) -> int:
        uid = f"STK{self._next_update_id}"
        sticker = dict(file_id=uid, file_unique_id=uid, type="regular", emoji=emoji, width=512)
        sticker |= dict(height=512, is_animated=False, is_video=False)
        return self._push_message(self._known_user(user_id), chat_id, {"sticker": sticker})

    def user_photo(
        self, user_id: int, caption: str | None = None, *, chat_id: int | None = None
    ) -> int:
        uid = f"PHO{self._next_update_id}_"
        sizes = [
            dict(file_id=f"{uid}{w}", file_unique_id=f"{uid}{w}", width=w, height=w * 3 // 4)
            for w in (90, 320, 1280)
        ]
        content: JSONDict = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self._push_message(self._known_user(user_id), chat_id, content)

    def user_edit(self, user_id: int, message_id: int, text: str) -> int:
        now = int(time.time())
        msg = dict(message_id=message_id, date=now, edit_date=now, text=text)
        msg |= {"from": self._known_user(user_id), "chat": self._chat(user_id)}
        return self.push_raw({"edited_message": msg})

    def _user(self, user_id: int, first_name: str | None, language_code: str | None) -> JSONDict:
        name = first_name or self._users.get(user_id, {}).get("first_name", "Ana")
        user = {"id": user_id, "is_bot": False, "first_name": name}
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def _known_user(self, user_id: int) -> JSONDict:
        # Updates without user details repeat what this user last sent with.
        return self._users.get(user_id) or self._user(user_id, "Ana", "sr")

    def _chat(
        self, chat_id: int, chat_type: str | None = None, first_name: str = "Ana"
    ) -> JSONDict:
        chat = self._chats.get(chat_id)
        if chat is None or chat_type not in (None, chat["type"]):
            chat = {"id": chat_id, "type": chat_type or "private"}
            chat |= {"first_name": first_name} if chat["type"] == "private" else {"title": "Group"}
            self._chats[chat_id] = chat
        return chat

    def _new_message_id(self, chat_id: int) -> int:
        # One counter per chat, shared by user and bot messages, as in Telegram's private chats.
        self._next_message_id[chat_id] = self._next_message_id.get(chat_id, 0) + 1
        return self._next_message_id[chat_id]

    def _push_message(
        self, user: JSONDict, chat_id: int | None, content: JSONDict, chat_type: str | None = None
    ) -> int:
        cid = user["id"] if chat_id is None else chat_id
        msg = {"message_id": self._new_message_id(cid), "from": user, "date": int(time.time())}
        msg |= {"chat": self._chat(cid, chat_type, user["first_name"]), **content}
        return self.push_raw({"message": msg})

    # --- what the bot did ---------------------------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[SentMessage]:
        return list(self._sent if chat_id is None else self._sent_by_chat.get(chat_id, ()))

    async def wait_for_sent(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the test-facing API
    ) -> list[SentMessage]:
        """Wait for `count` sent() entries (edits included) in chat_id since the double started."""

        def check() -> list[SentMessage] | None:
            got = self._sent_by_chat.get(chat_id, [])
            return list(got) if len(got) >= count else None

        if (result := await self._wait(("sent", chat_id), check, timeout)) is None:
            got = [(m.message_id, m.text) for m in self.sent(chat_id)]
            raise AssertionError(f"wanted {count} messages to {chat_id} in {timeout}s, got {got}")
        return result

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the test-facing API
    ) -> ApiCall:
        """Return the first matching call since the double started, waiting if there is none."""
        wanted, cursor = method.lower(), 0

        def check() -> ApiCall | None:
            nonlocal cursor  # each wake-up only scans the calls that arrived since the last one
            while cursor < len(self.calls):
                call, cursor = self.calls[cursor], cursor + 1
                if call.method.lower() == wanted and (predicate is None or predicate(call)):
                    return call
            return None

        if (result := await self._wait("calls", check, timeout)) is None:
            seen = [c.method for c in self.calls[-20:]]
            raise AssertionError(f"no matching {method} call in {timeout}s; last calls: {seen}")
        return result

    def commands(
        self, language_code: str | None = None, scope_type: str = "default"
    ) -> list[tuple[str, str]]:
        cmds = self._commands.get((language_code or None, scope_type), [])
        return [(c["command"], c["description"]) for c in cmds]

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

    # --- HTTP ---------------------------------------------------------------------------------

    async def _not_found(self, request: web.Request) -> web.Response:
        return _error_response(404, "Not Found")

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error_response(401, "Unauthorized")
        asked = request.match_info["method"]
        name, handler = self._handlers.get(asked.lower(), (asked, None))
        params = await self._read_params(request)
        self.calls.append(ApiCall(name, params, time.monotonic()))
        self._pulse("calls")
        method = name.lower()
        try:
            if self.unauthorized:
                raise self._fault(401)
            if handler is None:
                raise _ApiError(404, "Not Found: method not found")
            self._check_limits(method, params)
            response = web.json_response({"ok": True, "result": await handler(params)})
        except _ApiError as err:
            response = _error_response(err.code, err.description, err.parameters)
        if self.latency > 0 and _sends_to_chat(method):
            # Only now: as with Telegram, a client that gives up waiting may have sent all the same.
            await asyncio.sleep(self.latency)
        return response

    async def _read_params(self, request: web.Request) -> JSONDict:
        raw: JSONDict = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            raw |= body if isinstance(body, dict) else {}
        elif request.can_read_body:  # x-www-form-urlencoded, or multipart/form-data with files
            for key, value in (await request.post()).items():
                raw[key] = (
                    UploadedFile(value.filename, value.file.read(), value.content_type)
                    if isinstance(value, web.FileField)
                    else value
                )
        params = {key: _decode(key, value) for key, value in raw.items()}
        for key, value in params.items():  # InputMedia & co. point at their part as attach://name
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.get(value.removeprefix("attach://"), value)
        return params

    def _check_limits(self, method: str, params: JSONDict) -> None:
        """Raise what a fault knob answers this call instead of carrying it out, if anything."""
        # fail_next first: a test that queued a fault wants exactly it, and it costs no tokens.
        for fault in self._faults:
            if fault.matches(method):
                fault.left -= 1
                if not fault.left:
                    self._faults.remove(fault)
                raise self._fault(fault.code)
        if _sends_to_chat(method):
            if retry_after := self._take_tokens(params.get("chat_id")):
                raise self._fault(429, retry_after)
            # Drawn only while fault_rate is on, so a seed gives the same faults whenever it is.
            if self.fault_rate > 0 and self._random.random() < self.fault_rate:
                raise self._fault(self._random.choice((500, 502)))
        if method.startswith(_CHAT_PREFIXES) and params.get("chat_id") in self.blocked_users:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        scope = params.get("scope") if isinstance(params.get("scope"), dict) else {}
        chat = params.get("chat_id", scope.get("chat_id") if scope else None)
        if chat in self.unknown_chats and (method.startswith(_CHAT_PREFIXES) or scope):
            raise _ApiError(400, "Bad Request: chat not found")

    def _fault(self, code: int, retry_after: int = 1) -> _ApiError:
        """The counted error answer for an injected fault, worded as Telegram's."""
        if code == 429:
            self.count_429 += 1
            description = f"Too Many Requests: retry after {retry_after}"
            return _ApiError(429, description, {"retry_after": retry_after})
        if code == 401:
            self.count_401 += 1
            return _ApiError(401, "Unauthorized")
        if code == 404:
            self.count_404 += 1
            return _ApiError(404, "Not Found")
        self.count_5xx += 1
        try:
            return _ApiError(code, HTTPStatus(code).phrase)
        except ValueError:  # a 5xx without a name
            return _ApiError(code, "Server Error")

    def _take_tokens(self, chat_id: Any) -> int:
        """Take a token from the global bucket and chat_id's; 0 to go, else the retry_after.

        Both buckets are checked before either is taken from: a call one refuses costs the other
        nothing, as a refused call never reached the other limit.
        """
        now, buckets = time.monotonic(), []
        if (rate := self.rate_limit) is not None:  # one second's worth, at least one call
            self._bucket = _Bucket.current(self._bucket, rate, max(rate, 1.0), now)
            buckets.append(self._bucket)
        if (rate := self.per_chat_rate) is not None and isinstance(chat_id, int | str):
            old, burst = self._chat_buckets.get(chat_id), self.per_chat_burst
            self._chat_buckets[chat_id] = _Bucket.current(old, rate, burst, now)
            buckets.append(self._chat_buckets[chat_id])
        for bucket in buckets:
            if retry_after := bucket.retry_after(now):
                return retry_after
        for bucket in buckets:
            bucket.tokens -= 1
        return 0

    # --- Bot API methods ----------------------------------------------------------------------

    async def _true(self, p: JSONDict) -> bool:
        return True

    async def _get_me(self, p: JSONDict) -> JSONDict:
        return self._me | dict(
            can_join_groups=True, can_read_all_group_messages=False, supports_inline_queries=False
        )

    async def _get_updates(self, p: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(p.get("offset") or 0)
        if offset < 0:  # Telegram: the last -offset updates
            offset += self._next_update_id
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        if "allowed_updates" in p:  # Telegram keeps the last setting; [] means every type
            self._allowed_updates = frozenset(p["allowed_updates"] or ()) or None
        found = await self._wait(
            "updates", lambda: self._pending(offset, limit), p.get("timeout", 0)
        )
        return found or []

    def _pending(self, offset: int, limit: int) -> list[JSONDict] | None:
        queue, allowed = self._updates, self._allowed_updates
        while queue and queue[0]["update_id"] < offset:
            queue.popleft()  # confirmed by the offset
        found: list[JSONDict] = []
        for update in queue:
            if allowed is None or not allowed.isdisjoint(update):
                found.append(update)
                if len(found) >= limit:
                    break
        if not found and allowed is not None:
            queue.clear()  # none of them can ever be delivered; Telegram drops them too
        return found or ([] if self._closed else None)

    async def _delete_webhook(self, p: JSONDict) -> bool:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = self.webhook_secret = ""
        return True

    async def _set_webhook(self, p: JSONDict) -> bool:
        url = str(p.get("url") or "")
        if url and not url.startswith(("https://", "http://127.0.0.1")):
            raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self.webhook_url, self.webhook_secret = url, str(p.get("secret_token") or "")
        return True

    async def _post_updates(self, queue: asyncio.Queue[JSONDict]) -> None:
        """Telegram's side of a webhook: each update POSTed in order, JSON, secret header."""
        async with aiohttp.ClientSession() as http:
            while True:
                update = await queue.get()
                headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret}
                try:
                    async with http.post(self.webhook_url, json=update, headers=headers) as r:
                        self.webhook_answers.append(r.status)
                except aiohttp.ClientError:
                    self.webhook_answers.append(0)
                self._pulse("webhook")

    async def post_to_webhook(self, body: bytes, secret: str | None) -> int:
        """A forged or malformed request to the bot's webhook: its HTTP status."""
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.webhook_url, data=body, headers=headers) as r,
        ):
            return r.status

    async def _get_webhook_info(self, p: JSONDict) -> JSONDict:
        pending = len(self._updates)
        return {"url": "", "has_custom_certificate": False, "pending_update_count": pending}

    def _commands_key(self, p: JSONDict) -> tuple[str | None, str]:
        return p.get("language_code") or None, (p.get("scope") or {}).get("type", "default")

    async def _set_my_commands(self, p: JSONDict) -> bool:
        self._commands[self._commands_key(p)] = list(p.get("commands") or [])
        return True

    async def _delete_my_commands(self, p: JSONDict) -> bool:
        self._commands.pop(self._commands_key(p), None)
        return True

    async def _get_my_commands(self, p: JSONDict) -> list[JSONDict]:
        return self._commands.get(self._commands_key(p), [])

    def _chat_id(self, p: JSONDict) -> int:
        if not isinstance(chat_id := p.get("chat_id"), int):
            raise _ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _bot_message(self, chat_id: int, content: JSONDict) -> JSONDict:
        mid = self._new_message_id(chat_id)
        msg = {"message_id": mid, "from": self._me, "chat": self._chat(chat_id)}
        msg |= {"date": int(time.time()), **content}
        self._bot_messages[(chat_id, mid)] = msg
        self._last_bot_message[chat_id] = mid
        return msg

    def _record(self, msg: JSONDict, p: JSONDict, edited: bool) -> None:
        chat_id, markup = msg["chat"]["id"], p.get("reply_markup")
        sent = SentMessage(
            chat_id, msg["message_id"], msg["text"], _buttons(markup), edited, p.get("parse_mode")
        )
        self._sent.append(sent)
        self._sent_by_chat.setdefault(chat_id, []).append(sent)
        self._pulse(("sent", chat_id))

    async def _send_message(self, p: JSONDict) -> JSONDict:
        chat_id, text = self._chat_id(p), str(p.get("text", ""))
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        content: JSONDict = {"text": text}
        if (markup := _inline(p.get("reply_markup"))) is not None:
            content["reply_markup"] = markup
        msg = self._bot_message(chat_id, content)
        self._record(msg, p, edited=False)
        return msg

    def _edit(self, p: JSONDict, text: str | None) -> JSONDict | bool:
        if "inline_message_id" in p:
            return True
        key = (self._chat_id(p), int(p.get("message_id") or 0))
        if (old := self._bot_messages.get(key)) is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        new = dict(old)  # never mutate a stored message: queued callback queries embed it
        new.pop("reply_markup", None)  # as in Telegram, an edit without a markup drops the keyboard
        if (markup := _inline(p.get("reply_markup"))) is not None:
            new["reply_markup"] = markup
        if text is not None:
            new["text"] = text
        if (new.get("text"), new.get("reply_markup")) == (old.get("text"), old.get("reply_markup")):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        self._bot_messages[key] = new | {"edit_date": int(time.time())}
        return self._bot_messages[key]

    async def _edit_message_text(self, p: JSONDict) -> JSONDict | bool:
        result = self._edit(p, str(p.get("text", "")))
        if isinstance(result, dict):
            self._record(result, p, edited=True)
        return result

    async def _edit_message_reply_markup(self, p: JSONDict) -> JSONDict | bool:
        return self._edit(p, None)

    async def _send_document(self, p: JSONDict) -> JSONDict:
        # The upload itself stays in the recorded ApiCall: params["document"] is an UploadedFile.
        chat_id, doc = self._chat_id(p), p.get("document")
        upload = doc if isinstance(doc, UploadedFile) else UploadedFile(None, b"", None)
        file_id = doc if isinstance(doc, str) else f"DOC{len(self.calls)}"  # unique per request
        document = dict(file_id=file_id, file_unique_id=file_id, file_size=len(upload.content))
        if upload.filename:
            document["file_name"] = upload.filename
        if upload.content_type:
            document["mime_type"] = upload.content_type
        content: JSONDict = {"document": document}
        if (caption := p.get("caption")) is not None:
            content["caption"] = caption
        return self._bot_message(chat_id, content)

    async def _send_chat_action(self, p: JSONDict) -> bool:
        self._chat_id(p)
        return True

    async def _delete_message(self, p: JSONDict) -> bool:
        """As Telegram: a bot's own message, and only within 48 hours of sending it."""
        key = (self._chat_id(p), int(p.get("message_id") or 0))
        msg = self._bot_messages.get(key)
        if msg is None:
            raise _ApiError(400, "Bad Request: message to delete not found")
        if time.time() - int(msg["date"]) > 48 * 3600:
            raise _ApiError(400, "Bad Request: message can't be deleted for everyone")
        del self._bot_messages[key]
        self.deleted.append(key)
        return True
