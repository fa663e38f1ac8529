"""Viber through its REST Bot API: signed callbacks in (a webhook), JSON calls out."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.app import App
from bot.channels.text import split_text
from bot.channels.viber import api as viber
from bot.channels.viber.api import ViberApi, ViberError, account_refused, attempt_of
from bot.channels.viber.files import FileShelf
from bot.channels.viber.markup import (
    MAX_TEXT,
    MESSENGER,
    MIN_API_VERSION,
    keyboard,
    person,
    to_message,
    viber_text,
)
from bot.channels.viber.webhook import Webhook
from bot.core.context import reader_locale
from bot.core.messages import Button, IncomingMessage, Kind, Outgoing, Reply, UserRef
from bot.delivery.outbound import Delivery, Limits, Step
from bot.delivery.outcome import Attempt, Status
from bot.delivery.pacing import Bucket
from bot.logs import shown_url
from bot.web.server import WebServer

log = logging.getLogger(__name__)

# broadcast_message: at most 300 receivers a call, 500 calls in 10 seconds (kept 10 % under)
BATCH = 300
BATCH_CALLS_PER_SECOND = 50 * 0.9
# a broadcast call that keeps failing is given up after this many tries (each paced)
BATCH_TRIES = 6
EVENT_TYPES = ["delivered", "seen", "failed", "subscribed", "unsubscribed",
               "conversation_started"]  # fmt: skip


class ViberChannel:
    # Viber documents no overall rate for replies; it answers "too many requests" (status 12)
    # when one is hit, and that is waited out
    limits = Limits()
    # Viber cannot change a sent message: a broadcast's progress is not repeated to the
    # coordinator, only its start and its end
    edits = False
    deletes = False  # Viber cannot take a message back either
    batch_size = BATCH
    messenger = MESSENGER

    def __init__(
        self, app: App, token: str, api_url: str = viber.DEFAULT_URL, webhook_url: str = "",
        listen: tuple[str, int] = ("127.0.0.1", 8080), name: str = "partnerbot",
        server: WebServer | None = None,
    ) -> None:  # fmt: skip
        self.app = app
        self.api = ViberApi(token, api_url)
        self.webhook_url = webhook_url
        self.sender = {"name": name}
        self.shelf = FileShelf()
        path = urlsplit(webhook_url).path if webhook_url else "/viber"
        self.webhook = Webhook(token, path, self._on_callback, self.shelf)
        # the bot's one HTTP server when `run` shares it with Telegram's webhook; else its own
        self.server = server or WebServer(listen)
        self.webhook.install(self.server)
        # set when Viber refuses the token while running: the process should end
        self.refused = asyncio.Event()
        self._calls = Bucket(BATCH_CALLS_PER_SECOND, BATCH_CALLS_PER_SECOND)
        app.add_transport(MESSENGER, self)

    # -- running -------------------------------------------------------------------------

    async def start(self) -> None:
        """Serves the webhook, then tells Viber where it is (Viber calls it to check)."""
        await self.server.start()
        log.info("Viber: webhook served at %s", self.webhook.path)
        if self.webhook_url:
            await self.api.call("set_webhook", {
                "url": self.webhook_url, "event_types": EVENT_TYPES, "send_name": True,
                "send_photo": False,
            })  # fmt: skip
            log.info("Viber: webhook set to %s", shown_url(self.webhook_url))
        else:
            log.info("Viber: VIBER_WEBHOOK_URL is not set; the webhook must be set by hand")

    async def stop_receiving(self) -> None:
        # the webhook stays registered: Viber repeats what it could not post for an hour
        await self.server.stop()

    async def stop(self) -> None:
        await self.stop_receiving()
        await self.api.close()

    # -- callbacks -----------------------------------------------------------------------

    async def _on_callback(self, kind: str, event: dict[str, Any]) -> dict[str, Any] | None:
        users = self.app.services.users
        if kind == "message":
            msg = to_message(event)
            if msg is None:
                raise ValueError("a message without its sender")
            await self.app.handle(msg)
        elif kind == "conversation_started":
            return await self._welcome(event)
        elif kind == "subscribed":
            who = person(event, "user")
            if who is None:
                raise ValueError("a subscription without its user")
            await users.seen(who[0], who[1])  # and no longer blocked
        elif kind == "unsubscribed":
            user_id = event.get("user_id")
            if not isinstance(user_id, str) or not user_id:
                raise ValueError("an unsubscription without its user")
            # nothing more may be sent to them until they write again
            await users.set_blocked(UserRef(MESSENGER, user_id), True)
        elif kind == "failed":
            log.info("Viber could not deliver a message to %s: %s", event.get("user_id"),
                     str(event.get("desc", ""))[:200])  # fmt: skip
        return None

    async def _welcome(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """The one message Viber lets a bot send to someone who opened the chat and has not
        subscribed: the answer to the callback itself, the bot's greeting with its menu."""
        who = person(event, "user")
        if who is None:
            raise ValueError("a conversation without its user")
        ref, name, language = who
        # an opaque id, and how an operator learns a new coordinator's
        log.info("Viber: %s opened the chat", ref)
        msg = IncomingMessage(ref, Kind.TEXT, text="/start", name=name, language_hint=language)
        outs = await self.app.dispatcher.handle(msg)
        if not event.get("subscribed"):
            # until they write or subscribe, Viber refuses every message to them
            await self.app.services.users.set_blocked(ref, True)
        mine = [o for o in outs if o.to == ref]
        for other in (o for o in outs if o.to != ref):
            self.app.outbound.enqueue(other)
        if not mine:
            return None
        if len(mine) > 1:
            log.warning("Viber welcome: %d more replies dropped (one is allowed)", len(mine) - 1)
        return self._text_body(mine[0].reply, viber_text(mine[0].reply)[:MAX_TEXT], True)

    # -- sending -------------------------------------------------------------------------

    def _text_body(self, reply: Reply, text: str, with_keyboard: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"type": "text", "text": text, "sender": self.sender}
        if with_keyboard and reply.buttons:
            body.update(_keyboard(reply.buttons))
        return body

    def steps(self, out: Outgoing) -> list[Step]:
        """One call per step: a file (as a link Viber fetches), then the text in pieces of
        at most 7,000 characters, the buttons with the last piece."""
        if out.delete:
            return []  # Viber cannot take a message back; /forget says so
        reply = out.reply
        pieces = [p for p in split_text(viber_text(reply), MAX_TEXT) if p.strip()]
        steps: list[Step] = []
        if reply.attachment is not None:
            steps.append(self._file_step(out, with_keyboard=not pieces))
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            body = self._text_body(reply, piece, last)
            body["receiver"] = out.to.id
            steps.append(self._with_menu(out.to, body) if last and not reply.buttons else
                         self._step(body))  # fmt: skip
        return steps

    def _with_menu(self, to: UserRef, body: dict[str, Any]) -> Step:
        """A Viber keyboard stays until the next message replaces it, and a message without
        one leaves the person a bare text field where nobody types commands: a Menu button
        stays under every reply that has no buttons of its own."""

        async def step() -> Attempt:
            services = self.app.services
            t = services.i18n[reader_locale(await services.users.get(to))]
            menu = Reply("", ((Button(t.t("button.menu"), "menu"),),))
            return await self._call({**body, **_keyboard(menu.buttons)})

        return step

    def _file_step(self, out: Outgoing, with_keyboard: bool) -> Step:
        attachment = out.reply.attachment
        assert attachment is not None
        if not self.webhook_url:
            return self._no_files_step(out)
        path = self.shelf.put(attachment.filename, attachment.content)
        body: dict[str, Any] = {
            "receiver": out.to.id, "type": "file", "sender": self.sender,
            "media": f"{self.webhook_url.rstrip('/')}/files/{path}",
            "size": len(attachment.content), "file_name": attachment.filename[:256],
        }  # fmt: skip
        if with_keyboard and out.reply.buttons:
            body.update(_keyboard(out.reply.buttons))
        return self._step(body)

    def _no_files_step(self, out: Outgoing) -> Step:
        """Without a public address the bot has nowhere to lend a file from: the coordinator
        is told how to get it on the server instead."""
        assert out.reply.attachment is not None
        filename = out.reply.attachment.filename

        async def step() -> Attempt:
            services = self.app.services
            t = services.i18n[reader_locale(await services.users.get(out.to))]
            text = t.t("viber.no_files", filename=filename)
            return await self._call({"receiver": out.to.id, "type": "text", "text": text,
                                     "sender": self.sender})  # fmt: skip

        return step

    def _step(self, body: dict[str, Any]) -> Step:
        return lambda: self._call(body)

    async def _call(self, body: dict[str, Any]) -> Attempt:
        try:
            answer = await self.api.call("send_message", body)
        except (ViberError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
            self._check_refused(exc)
            return attempt_of(exc)
        return Attempt(Status.DELIVERED, message_id=str(answer.get("message_token", "")))

    def _check_refused(self, exc: BaseException) -> None:
        if account_refused(exc):
            log.error("Viber refused the bot's account: %s", exc)
            if isinstance(exc, ViberError) and exc.status == viber.INVALID_TOKEN:
                self.refused.set()

    # -- broadcasts ----------------------------------------------------------------------

    async def send_batch(self, to: Sequence[UserRef], reply: Reply) -> dict[UserRef, Delivery]:
        """One message to up to 300 people in one call (broadcast_message): each of them
        delivered, unreachable (not subscribed) or failed. The call is retried as a whole
        when Viber asks to wait or its servers fail; an unanswered call is repeated once."""
        if len(to) > BATCH:
            raise ValueError(f"at most {BATCH} receivers a call")
        pieces = [p for p in split_text(viber_text(reply), MAX_TEXT) if p.strip()]
        result: dict[UserRef, Delivery] = {}
        receivers = list(to)
        for i, piece in enumerate(pieces):
            body = self._text_body(reply, piece, i == len(pieces) - 1)
            body["broadcast_list"] = [r.id for r in receivers]
            outcome = await self._broadcast(body)
            if isinstance(outcome, Delivery):
                result.update({r: outcome for r in receivers})
                return result
            for ref in receivers:
                if ref.id in outcome:
                    result[ref] = outcome[ref.id]
            receivers = [r for r in receivers if r.id not in outcome]
        result.update({r: Delivery(Status.DELIVERED) for r in receivers})
        for ref, delivery in result.items():
            if delivery.status is Status.UNREACHABLE:
                await self._unreachable(ref)
        return result

    async def _broadcast(self, body: dict[str, Any]) -> dict[str, Delivery] | Delivery:
        """Those the call did not reach (by id), or what became of the whole call."""
        uncertain = False
        attempt = Attempt(Status.FAILED)
        for tries in range(1, BATCH_TRIES + 1):
            await self._calls.wait()
            try:
                answer = await self.api.call("broadcast_message", body)
            except (ViberError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
                self._check_refused(exc)
                attempt = attempt_of(exc)
            else:
                return _failed_list(answer)
            if attempt.status in (Status.UNREACHABLE, Status.FAILED):
                break
            if attempt.status is Status.UNCERTAIN:
                if uncertain:
                    break
                uncertain = True
            if attempt.status is Status.RETRY_AFTER:
                self._calls.pause(attempt.retry_after)
            else:
                await asyncio.sleep(min(30.0, 0.5 * 2 ** (tries - 1)) * random.uniform(0.8, 1.2))
        status = Status.FAILED if attempt.status is not Status.UNREACHABLE else attempt.status
        return Delivery(status, attempt.reason)

    async def _unreachable(self, ref: UserRef) -> None:
        try:
            await self.app.services.users.set_blocked(ref, True)
        except Exception as exc:  # the next broadcast finds out again
            log.warning("%s could not be marked unreachable: %s", ref, exc)


def _keyboard(rows: tuple[tuple[Button, ...], ...]) -> dict[str, Any]:
    """What a message carries for its buttons (a Silent keyboard needs API 4)."""
    return {"keyboard": keyboard(rows), "min_api_version": MIN_API_VERSION}


def _failed_list(answer: dict[str, Any]) -> dict[str, Delivery]:
    failed: dict[str, Delivery] = {}
    for item in answer.get("failed_list") or []:
        if not isinstance(item, dict) or not isinstance(item.get("receiver"), str):
            continue
        code = item.get("status")
        error = ViberError(code if isinstance(code, int) else -1,
                           str(item.get("status_message", "")))  # fmt: skip
        attempt = attempt_of(error)
        status = Status.UNREACHABLE if attempt.status is Status.UNREACHABLE else Status.FAILED
        failed[item["receiver"]] = Delivery(status, attempt.reason)
    return failed
