"""Loopback Telegram Bot API double that a real python-telegram-bot Application polls and calls."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

from aiohttp import web

_T = TypeVar("_T")
JSONDict = dict[str, Any]
Buttons = list[list[tuple[str, str | None]]]

# PTB sends str values raw and everything else JSON-encoded, so a text of "123" or "[1]" must not be
# decoded; all other form values are tried as JSON ("42" -> 42, "true" -> True, "{...}" -> dict).
_STRING_PARAMS = frozenset(
    "text caption callback_query_id inline_query_id query title description short_description "
    "name language_code parse_mode action emoji file_id url payload start_parameter question "
    "secret_token message_effect_id business_connection_id custom_emoji_id".split()
)
_CHAT_PREFIXES = ("send", "copy", "forward", "edit")  # methods a blocked user makes fail
_NOT_RATE_LIMITED = frozenset({"sendchataction"})


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


@dataclass(frozen=True, slots=True)
class SentDocument:
    chat_id: int
    message_id: int
    filename: str | None
    content: bytes
    caption: str | None


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
            return value  # "@channel", "attach://x", "HTML"...
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
    # Telegram only returns inline keyboards inside a Message; PTB would crash on a reply keyboard.
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class BotApiDouble:
    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "partnerbot_test_bot",
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.calls: list[ApiCall] = []
        self.documents: list[SentDocument] = []
        self.blocked_users: set[int] = set()
        self.rate_limit: float | None = None
        self.count_429 = 0
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
        self._bucket: tuple[float, float, float] | None = None  # (rate, tokens, monotonic time)
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._closed = False
        handlers: dict[str, Callable[[JSONDict], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "close": self._close,
            "logOut": self._log_out,
        }
        self._handlers = {name.lower(): (name, fn) for name, fn in handlers.items()}

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # Cancelling handlers on disconnect ends long polls that PTB abandoned when it stopped.
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self._runner, self._port, self._closed = runner, runner.addresses[0][1], False

    async def stop(self) -> None:
        self._closed = True
        for key in list(self._events):
            self._pulse(key)  # release pending getUpdates so cleanup does not wait for them
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> BotApiDouble:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/bot"

    # --- simulated users ---------------------------------------------------------------------

    def push_raw(self, update: dict[str, Any]) -> int:
        """Enqueue any update dict; update ids should grow, as Telegram's do."""
        update = dict(update)
        update_id = int(update.setdefault("update_id", self._next_update_id))
        self._next_update_id = max(self._next_update_id, update_id + 1)
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
    ) -> int:
        content: JSONDict = {"text": text}
        if text.startswith("/"):
            # PTB's CommandHandler only fires on a bot_command entity at offset 0.
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(text.split()[0])}
            ]
        msg = self._user_message(user_id, first_name, language_code, chat_type, chat_id, content)
        return self.push_raw({"message": msg})

    def user_press(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int | None = None,
        language_code: str | None = "sr",
        chat_id: int | None = None,
    ) -> int:
        """Press an inline button; the callback query id is str(returned update_id)."""
        cid = user_id if chat_id is None else chat_id
        mid = self._last_bot_message.get(cid) if message_id is None else message_id
        message = self._bot_messages.get((cid, mid)) if mid is not None else None
        if message is None:
            message = {"message_id": mid or 1, "date": int(time.time()), "chat": self._chat(cid)}
            message["from"] = self._me
        update_id = self._next_update_id
        query = {
            "id": str(update_id),
            "from": self._user(user_id, None, language_code),
            "chat_instance": str(cid),
            "data": data,
            "message": message,
        }
        return self.push_raw({"update_id": update_id, "callback_query": query})

    def user_sticker(
        self,
        user_id: int,
        emoji: str = "👍",
        *,
        first_name: str = "Ana",
        language_code: str | None = "sr",
        chat_id: int | None = None,
    ) -> int:
        uid = f"STK{self._next_update_id}"
        sticker = {"file_id": uid, "file_unique_id": uid, "type": "regular", "width": 512}
        sticker |= {"height": 512, "is_animated": False, "is_video": False, "emoji": emoji}
        content = {"sticker": sticker}
        msg = self._user_message(user_id, first_name, language_code, "private", chat_id, content)
        return self.push_raw({"message": msg})

    def user_photo(
        self,
        user_id: int,
        caption: str | None = None,
        *,
        first_name: str = "Ana",
        language_code: str | None = "sr",
        chat_id: int | None = None,
    ) -> int:
        uid = f"PHO{self._next_update_id}"
        sizes = [
            {"file_id": f"{uid}_{w}", "file_unique_id": f"{uid}_{w}", "width": w, "height": w}
            for w in (90, 320, 1280)
        ]
        content: JSONDict = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        msg = self._user_message(user_id, first_name, language_code, "private", chat_id, content)
        return self.push_raw({"message": msg})

    def user_edit(self, user_id: int, message_id: int, text: str) -> int:
        now = int(time.time())
        lang = self._users.get(user_id, {}).get("language_code")
        msg = {"message_id": message_id, "from": self._user(user_id, None, lang)}
        msg |= {"chat": self._chat(user_id), "date": now, "edit_date": now, "text": text}
        return self.push_raw({"edited_message": msg})

    def _user(self, user_id: int, first_name: str | None, language_code: str | None) -> JSONDict:
        name = first_name or self._users.get(user_id, {}).get("first_name", "Ana")
        user = {"id": user_id, "is_bot": False, "first_name": name}
        if language_code:
            user["language_code"] = language_code
        self._users[user_id] = user
        return user

    def _chat(
        self, chat_id: int, chat_type: str | None = None, first_name: str = "Ana"
    ) -> JSONDict:
        chat = self._chats.get(chat_id)
        if chat is None or (chat_type is not None and chat["type"] != chat_type):
            chat = {"id": chat_id, "type": chat_type or "private"}
            if chat["type"] == "private":
                chat["first_name"] = first_name
            else:
                chat["title"] = f"Group {chat_id}"
            self._chats[chat_id] = chat
        return chat

    def _new_message_id(self, chat_id: int) -> int:
        # One counter per chat shared by user and bot messages, like Telegram's private chats.
        mid = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = mid
        return mid

    def _user_message(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None,
        chat_type: str,
        chat_id: int | None,
        content: JSONDict,
    ) -> JSONDict:
        cid = user_id if chat_id is None else chat_id
        return {
            "message_id": self._new_message_id(cid),
            "from": self._user(user_id, first_name, language_code),
            "chat": self._chat(cid, chat_type, first_name),
            "date": int(time.time()),
            **content,
        }

    # --- what the bot did --------------------------------------------------------------------

    def sent(self, chat_id: int | None = None) -> list[SentMessage]:
        return list(self._sent if chat_id is None else self._sent_by_chat.get(chat_id, ()))

    async def wait_for_sent(  # noqa: ASYNC109 - the timeout is part of the test-facing API
        self, chat_id: int, count: int, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait for `count` sent() entries (edits included) in chat_id since the double started."""

        def check() -> list[SentMessage] | None:
            got = self._sent_by_chat.get(chat_id, [])
            return list(got) if len(got) >= count else None

        result = await self._wait(("sent", chat_id), check, timeout)
        if result is None:
            got = [(m.message_id, m.text) for m in self.sent(chat_id)]
            raise AssertionError(f"wanted {count} messages to {chat_id} in {timeout}s, got {got}")
        return result

    async def wait_for_call(  # noqa: ASYNC109 - the timeout is part of the test-facing API
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 5.0,
    ) -> ApiCall:
        """Return the first matching call since the double started, waiting if there is none."""
        wanted, cursor = method.lower(), 0

        def check() -> ApiCall | None:
            nonlocal cursor  # resume the scan where the last wake-up left it
            while cursor < len(self.calls):
                call = self.calls[cursor]
                cursor += 1
                if call.method.lower() == wanted and (predicate is None or predicate(call)):
                    return call
            return None

        result = await self._wait("calls", check, timeout)
        if result is None:
            seen = [c.method for c in self.calls[-20:]]
            raise AssertionError(f"no matching {method} call in {timeout}s; last calls: {seen}")
        return result

    def commands(
        self, language_code: str | None = None, scope_type: str = "default"
    ) -> list[tuple[str, str]]:
        cmds = self._commands.get((language_code or None, scope_type), [])
        return [(c["command"], c["description"]) for c in cmds]

    # --- waiting -----------------------------------------------------------------------------

    def _pulse(self, key: Hashable) -> None:
        event = self._events.pop(key, None)
        if event is not None:
            event.set()

    async def _wait(
        self, key: Hashable, check: Callable[[], _T | None], timeout: float
    ) -> _T | None:
        try:
            async with asyncio.timeout(timeout):
                while (result := check()) is None:
                    await self._events.setdefault(key, asyncio.Event()).wait()
                return result
        except TimeoutError:
            return None

    # --- HTTP --------------------------------------------------------------------------------

    async def _not_found(self, request: web.Request) -> web.Response:
        return _error_response(404, "Not Found")

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error_response(401, "Unauthorized")
        name, handler = self._handlers.get(request.match_info["method"].lower(), (None, None))
        params = await self._read_params(request)
        self.calls.append(ApiCall(name or request.match_info["method"], params, time.monotonic()))
        self._pulse("calls")
        try:
            if name is None or handler is None:
                raise _ApiError(404, "Not Found: method not found")
            self._check_limits(name.lower(), params)
            result = await handler(params)
        except _ApiError as err:
            return _error_response(err.code, err.description, err.parameters)
        return web.json_response({"ok": True, "result": result})

    async def _read_params(self, request: web.Request) -> JSONDict:
        raw: JSONDict = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                raw.update(body if isinstance(body, dict) else {})
            else:  # x-www-form-urlencoded or multipart/form-data
                for key, value in (await request.post()).items():
                    if isinstance(value, web.FileField):
                        raw[key] = UploadedFile(
                            value.filename, value.file.read(), value.content_type
                        )
                    else:
                        raw[key] = value
        params = {key: _decode(key, value) for key, value in raw.items()}
        for key, value in params.items():  # InputMedia & co. point at parts via attach://name
            if isinstance(value, str) and value.startswith("attach://"):
                params[key] = params.get(value[len("attach://") :], value)
        return params

    def _check_limits(self, method: str, params: JSONDict) -> None:
        if not method.startswith(_CHAT_PREFIXES):
            return
        if method not in _NOT_RATE_LIMITED and (retry_after := self._take_token()):
            self.count_429 += 1
            raise _ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        if params.get("chat_id") in self.blocked_users:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")

    def _take_token(self) -> int:
        """Token bucket with a burst of one second's worth; returns retry_after or 0."""
        rate = self.rate_limit
        if rate is None:
            return 0
        now, capacity = time.monotonic(), max(rate, 1.0)
        if self._bucket is None or self._bucket[0] != rate:  # new or changed limit: full bucket
            tokens = capacity
        else:
            tokens = min(capacity, self._bucket[1] + (now - self._bucket[2]) * rate)
        if tokens >= 1:
            self._bucket = (rate, tokens - 1, now)
            return 0
        self._bucket = (rate, tokens, now)
        return max(1, math.ceil((1 - tokens) / rate))

    # --- Bot API methods ----------------------------------------------------------------------

    async def _get_me(self, p: JSONDict) -> JSONDict:
        return self._me | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, p: JSONDict) -> list[JSONDict]:
        offset = int(p.get("offset") or 0)
        if offset < 0:  # Telegram: the last -offset updates
            offset += self._next_update_id
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        if "allowed_updates" in p:  # Telegram remembers the last setting; [] means all
            self._allowed_updates = frozenset(p["allowed_updates"] or ()) or None
        found = await self._wait(
            "updates", lambda: self._pending(offset, limit), p.get("timeout") or 0
        )
        return found or []

    def _pending(self, offset: int, limit: int) -> list[JSONDict] | None:
        queue, allowed = self._updates, self._allowed_updates
        while queue and queue[0]["update_id"] < offset:
            queue.popleft()  # confirmed by offset
        found: list[JSONDict] = []
        for update in queue:
            if allowed is None or not allowed.isdisjoint(update.keys()):
                found.append(update)
                if len(found) >= limit:
                    break
        if not found and allowed is not None:
            queue.clear()  # none of them will ever be delivered; Telegram drops them too
        return found or ([] if self._closed else None)

    async def _delete_webhook(self, p: JSONDict) -> bool:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, p: JSONDict) -> JSONDict:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _commands_key(self, p: JSONDict) -> tuple[str | None, str]:
        scope = p.get("scope") or {}
        return p.get("language_code") or None, scope.get("type", "default")

    async def _set_my_commands(self, p: JSONDict) -> bool:
        self._commands[self._commands_key(p)] = list(p.get("commands") or [])
        return True

    async def _delete_my_commands(self, p: JSONDict) -> bool:
        self._commands.pop(self._commands_key(p), None)
        return True

    async def _get_my_commands(self, p: JSONDict) -> list[JSONDict]:
        return self._commands.get(self._commands_key(p), [])

    def _chat_id(self, p: JSONDict) -> int:
        chat_id = p.get("chat_id")
        if not isinstance(chat_id, int):
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
        chat_id, mid = msg["chat"]["id"], msg["message_id"]
        markup, parse_mode = p.get("reply_markup"), p.get("parse_mode")
        sent = SentMessage(chat_id, mid, msg.get("text", ""), _buttons(markup), edited, parse_mode)
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
        old = self._bot_messages.get(key)
        if old is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        new = dict(old)  # stored messages are never mutated: queued updates may embed them
        new.pop("reply_markup", None)  # omitting reply_markup removes the keyboard, as in Telegram
        if (markup := _inline(p.get("reply_markup"))) is not None:
            new["reply_markup"] = markup
        if text is not None:
            new["text"] = text
        if new.get("text") == old.get("text") and new.get("reply_markup") == old.get(
            "reply_markup"
        ):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        new["edit_date"] = int(time.time())
        self._bot_messages[key] = new
        return new

    async def _edit_message_text(self, p: JSONDict) -> JSONDict | bool:
        result = self._edit(p, str(p.get("text", "")))
        if isinstance(result, dict):
            self._record(result, p, edited=True)
        return result

    async def _edit_message_reply_markup(self, p: JSONDict) -> JSONDict | bool:
        return self._edit(p, None)

    async def _send_document(self, p: JSONDict) -> JSONDict:
        chat_id, doc, caption = self._chat_id(p), p.get("document"), p.get("caption")
        upload = doc if isinstance(doc, UploadedFile) else UploadedFile(None, b"", None)
        file_id = doc if isinstance(doc, str) else f"DOC{len(self.documents) + 1}"
        document = {"file_id": file_id, "file_unique_id": file_id, "file_size": len(upload.content)}
        if upload.filename:
            document["file_name"] = upload.filename
        if upload.content_type:
            document["mime_type"] = upload.content_type
        content: JSONDict = {"document": document}
        if caption is not None:
            content["caption"] = caption
        msg = self._bot_message(chat_id, content)
        self.documents.append(
            SentDocument(chat_id, msg["message_id"], upload.filename, upload.content, caption)
        )
        return msg

    async def _answer_callback_query(self, p: JSONDict) -> bool:
        return True

    async def _send_chat_action(self, p: JSONDict) -> bool:
        self._chat_id(p)
        return True

    async def _close(self, p: JSONDict) -> bool:
        return True

    async def _log_out(self, p: JSONDict) -> bool:
        return True
