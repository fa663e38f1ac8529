"""What channels hand to the core and what the core hands back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Kind(Enum):
    TEXT = "text"
    BUTTON = "button"
    # stickers, photos, voice, files: anything the bot cannot read
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True, slots=True)
class UserRef:
    """A person on one messenger: ("telegram", "12345"), ("console", "1")."""

    messenger: str
    id: str

    def __str__(self) -> str:
        return f"{self.messenger}:{self.id}"


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    user: UserRef
    kind: Kind
    text: str = ""
    payload: str = ""
    name: str = ""
    language_hint: str | None = None
    # group chats get one polite answer and nothing else
    private: bool = True
    # the text with the formatting the person used (bold, italics, links) as Telegram's HTML
    # subset; empty where the messenger has none
    html: str = ""


@dataclass(frozen=True, slots=True)
class Button:
    label: str
    # short ASCII ids only: Telegram allows 64 bytes of callback data
    payload: str


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default=())
    # a file sent with the text as its caption (exports)
    attachment: Attachment | None = None
    # the text is Telegram's HTML subset (<b>, <i>, <a href>…), kept from a coordinator's
    # formatting; channels without formatting show it as plain text
    html: bool = False

    @property
    def flat_buttons(self) -> tuple[Button, ...]:
        return tuple(b for row in self.buttons for b in row)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A reply addressed to someone, possibly not the person who wrote."""

    to: UserRef
    reply: Reply
    # for the log when it cannot be delivered: "reply", "notice" (to someone else), …
    kind: str = "reply"
    # a message sent before (its id as the transport reported it) to be replaced by this one,
    # where the messenger can edit messages: a broadcast's progress
    edit: str = ""
    # a message sent before, to be deleted (the reply is then not sent)
    delete: str = ""
