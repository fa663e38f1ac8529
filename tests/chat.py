"""Talking to the core the way a channel does, collecting what the bot says."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from bot.app import App
from bot.config import Settings
from bot.core.messages import Button, IncomingMessage, Kind, Outgoing, Reply, UserRef
from bot.faq.answers import Faq


@functools.cache
def shared_faq() -> Faq:
    """The shipped knowledge base, indexed once for every test: indexing takes about a second,
    the tests only read it, and /reload swaps in the same texts."""
    return Faq()


@dataclass
class Person:
    """One person chatting; `say` and `press` return the bot's replies to them."""

    app: App
    ref: UserRef
    name: str = "Ana"
    hint: str | None = None
    last: list[Reply] = field(default_factory=list)
    others: list[Outgoing] = field(default_factory=list)

    async def _send(self, msg: IncomingMessage) -> list[Reply]:
        outs = await self.app.dispatcher.handle(msg)
        # notices stored with what they tell of count as sent here, as a channel would send
        # them (and are marked so, with their number as the message id)
        notices = self.app.services.notices
        for n in await notices.pending():
            await notices.mark(n.id, "delivered", str(n.id))
            outs.append(Outgoing(n.recipient, n.reply, kind="notice"))
        self.last = [o.reply for o in outs if o.to == self.ref]
        self.others = [o for o in outs if o.to != self.ref]
        return self.last

    async def say(self, text: str) -> list[Reply]:
        return await self._send(
            IncomingMessage(self.ref, Kind.TEXT, text=text, name=self.name, language_hint=self.hint)
        )

    async def choose_language(self, label: str) -> None:
        await self.say("/language")
        await self.press(label)

    async def press(self, label: str) -> list[Reply]:
        """Presses the button whose label contains `label` in the last replies."""
        return await self.press_payload(self.button(label).payload)

    async def press_payload(self, payload: str) -> list[Reply]:
        return await self._send(
            IncomingMessage(self.ref, Kind.BUTTON, payload=payload, name=self.name,
                            language_hint=self.hint)
        )  # fmt: skip

    async def send_sticker(self) -> list[Reply]:
        return await self._send(
            IncomingMessage(self.ref, Kind.UNSUPPORTED, name=self.name, language_hint=self.hint)
        )

    def button(self, label: str) -> Button:
        for reply in self.last:
            for b in reply.flat_buttons:
                if label in b.label:
                    return b
        raise AssertionError(f"no button {label!r} in {self.labels()}")

    def labels(self) -> list[str]:
        return [b.label for r in self.last for b in r.flat_buttons]

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)


def settings(db: Path, **changes: object) -> Settings:
    # a test types faster than any person: flood control is tested on its own
    return Settings(**{"db_path": db, "flood": None, **changes})  # type: ignore[arg-type]
