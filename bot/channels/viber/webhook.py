"""The HTTP side Viber calls: signed callbacks in, and the files the bot lends out.

Every callback is checked before anything else is done with it: the signature is the hex
HMAC-SHA256 of the raw body keyed with the account's token, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.channels.viber.files import FileShelf
from bot.web.server import MAX_BODY, WebServer

log = logging.getLogger(__name__)

SIGNATURE = "X-Viber-Content-Signature"
# answered and done with; anything else Viber might post is refused, not guessed at
EVENTS = frozenset({
    "webhook", "message", "subscribed", "unsubscribed", "conversation_started", "delivered",
    "seen", "failed", "client_status",
})  # fmt: skip
# callbacks that change something: Viber repeats a callback it got no answer to, and a
# repeated one must not be handled twice
_ONCE = frozenset({"message", "subscribed", "unsubscribed", "conversation_started"})
_REMEMBERED = 10_000
# Viber repeats an unanswered callback for about an hour: anything much older is a replay
# (and newer than Viber's clock allows, a forgery), answered but not acted on
STALE_MS = 2 * 60 * 60 * 1000
FUTURE_MS = 10 * 60 * 1000

Handler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any] | None]]


def sign(token: str, body: bytes) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


class Webhook:
    def __init__(self, token: str, path: str, handle: Handler, shelf: FileShelf) -> None:
        self._token = token
        self.path = "/" + path.strip("/") if path.strip("/") else "/"
        self._handle = handle
        self._shelf = shelf
        self._seen: OrderedDict[str, None] = OrderedDict()

    @property
    def files_path(self) -> str:
        return self.path.rstrip("/") + "/files"

    def install(self, server: WebServer) -> None:
        server.add("POST", self.path, self._callback)
        server.add("GET", self.files_path + "/{key}/{name}", self._file)

    async def _callback(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("Viber callback refused: the body is over %d bytes", MAX_BODY)
            raise
        given = request.headers.get(SIGNATURE, "")
        if not hmac.compare_digest(given.encode(), sign(self._token, body).encode()):
            log.warning("Viber callback refused: %s signature from %s",
                        "a wrong" if given else "no", request.remote)  # fmt: skip
            return web.json_response({"error": "bad signature"}, status=403)
        try:
            event = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return web.json_response({"error": "the body is not JSON"}, status=400)
        kind = event.get("event") if isinstance(event, dict) else None
        if not isinstance(kind, str) or kind not in EVENTS:
            log.info("Viber callback refused: unknown event %r", kind)
            return web.json_response({"error": f"unknown event {kind!r}"}, status=400)
        if kind in _ONCE and (self._stale(event) or self._repeated(event)):
            return web.json_response({})
        try:
            answer = await self._handle(kind, event)
        except ValueError as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(answer or {}, dumps=_dumps)

    def _stale(self, event: dict[str, Any]) -> bool:
        sent = event.get("timestamp")
        if not isinstance(sent, int | float) or isinstance(sent, bool):
            return False
        age = time.time() * 1000 - sent
        if -FUTURE_MS <= age <= STALE_MS:
            return False
        log.warning("Viber callback ignored: sent %.0f minutes %s", abs(age) / 60000,
                    "ago" if age > 0 else "in the future")  # fmt: skip
        return True

    def _repeated(self, event: dict[str, Any]) -> bool:
        token = event.get("message_token")
        if token is None:
            return False
        key = f"{event['event']}:{token}"
        if key in self._seen:
            return True
        self._seen[key] = None
        if len(self._seen) > _REMEMBERED:
            self._seen.popitem(last=False)
        return False

    async def _file(self, request: web.Request) -> web.StreamResponse:
        shelved = self._shelf.get(request.match_info["key"])
        if shelved is None:
            raise web.HTTPNotFound(text="This link has expired.")
        return web.Response(
            body=shelved.content, content_type="application/octet-stream",
            headers={"Content-Disposition": f"attachment; filename*=UTF-8''"
                     f"{quote(shelved.filename)}", "Cache-Control": "no-store"},
        )  # fmt: skip


def _dumps(body: object) -> str:
    return json.dumps(body, ensure_ascii=False)
