"""A thin async client for Viber's REST Bot API: a handful of JSON endpoints.

Viber answers HTTP 200 with a non-zero `status` for its own errors; what each one means for
a message is decided here, in the terms of the delivery path (bot.delivery.outcome)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp

from bot.delivery.outcome import Attempt, Status

log = logging.getLogger(__name__)

DEFAULT_URL = "https://chatapi.viber.com/pa"

OK = 0
INVALID_URL = 1
INVALID_TOKEN = 2
NOT_SUBSCRIBED = 6
TOO_MANY = 12
# the person cannot get the bot's messages: 5 not a Viber user, 6 not subscribed, 11 a device
# or Viber version without bots
_UNREACHABLE = frozenset({5, NOT_SUBSCRIBED, 11})
# the account itself cannot send (blocked, not found, suspended, no balance…): repeating
# will not help, and every message fails the same way until someone acts
_ACCOUNT = frozenset({INVALID_TOKEN, 7, 8, 9, 15, 20, 23, 24})
# Viber does not say how long to wait after "too many requests"
TOO_MANY_WAIT = 2.0


class ViberError(Exception):
    """Viber refused a call: `status` is its code, 0 never."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Viber status {status} ({message})")
        self.status = status
        self.message = message


def _dumps(body: object) -> str:
    # as UTF-8, not \u escapes: a 7,000-character Cyrillic text would otherwise be 42 KB,
    # over Viber's 30 KB for a request
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


class ViberApi:
    def __init__(self, token: str, base_url: str = DEFAULT_URL, timeout: float = 15.0) -> None:
        self._token = token
        self._base = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=5.0)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, json_serialize=_dumps, headers={"X-Viber-Auth-Token":
                                                                       self._token},
            )  # fmt: skip
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def call(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        """Viber's answer when its status is 0; ViberError otherwise. Network failures and
        HTTP errors come through as aiohttp's exceptions (the URL without the token: it
        travels in a header)."""
        async with self._client().post(f"{self._base}/{method}", json=body) as response:
            response.raise_for_status()
            answer = await response.json(content_type=None)
        if not isinstance(answer, dict):
            raise ViberError(-1, "not a JSON object")
        status = answer.get("status", -1)
        if status != OK:
            raise ViberError(int(status) if isinstance(status, int) else -1,
                             str(answer.get("status_message", "")))  # fmt: skip
        return answer


def attempt_of(exc: BaseException) -> Attempt:
    """What a failed call means for the message it carried."""
    if isinstance(exc, ViberError):
        reason = str(exc)
        if exc.status == TOO_MANY:
            return Attempt(Status.RETRY_AFTER, TOO_MANY_WAIT, reason)
        if exc.status in _UNREACHABLE:
            return Attempt(Status.UNREACHABLE, reason=reason)
        return Attempt(Status.FAILED, reason=reason)
    if isinstance(exc, aiohttp.ClientResponseError):
        # 5xx and 429 from Viber's front: nothing was taken; 4xx will be refused again
        retry = exc.status >= 500 or exc.status == 429
        return Attempt(Status.TRANSIENT if retry else Status.FAILED, reason=f"HTTP {exc.status}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return Attempt(Status.TRANSIENT, reason=type(exc).__name__)
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError):
        # the request may have been taken: repeated at most once
        return Attempt(Status.UNCERTAIN, reason="no answer in time")
    if isinstance(exc, aiohttp.ClientError):
        return Attempt(Status.UNCERTAIN, reason=type(exc).__name__)
    return Attempt(Status.FAILED, reason=type(exc).__name__)


def account_refused(exc: BaseException) -> bool:
    """Viber refuses the account itself (token, block, balance): worth an operator's eye."""
    return isinstance(exc, ViberError) and exc.status in _ACCOUNT
