"""The core's messages in Viber's shapes, and Viber's callbacks as the core's messages."""

from __future__ import annotations

import html
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

from bot.core.messages import Button, IncomingMessage, Kind, Reply, UserRef

MESSENGER = "viber"
MAX_TEXT = 7000
# Viber shows the last keyboard sent; a keyboard row is six columns wide
COLUMNS = 6
# A pressed `reply` button comes back as a message whose text is its ActionBody, exactly as if
# the person had typed it. This mark, which no phone keyboard types, tells the two apart: text
# without it is read as typed (as on Telegram), and text with it as a button press.
PRESS = "\u2063"
# `Silent` buttons (the press is not shown in the chat as the person's message) need API 4
MIN_API_VERSION = 4


def keyboard(rows: tuple[tuple[Button, ...], ...]) -> dict[str, Any]:
    return _keyboard(rows)


@lru_cache(maxsize=1024)
def _keyboard(rows: tuple[tuple[Button, ...], ...]) -> dict[str, Any]:
    buttons = []
    for row in rows:
        for start in range(0, len(row), COLUMNS):
            cells = row[start : start + COLUMNS]
            width, extra = divmod(COLUMNS, len(cells))
            for i, button in enumerate(cells):
                # a row is always full: the first cells take what division left over
                columns = width + (i < extra)
                buttons.append({
                    "Columns": columns, "Rows": 1, "ActionType": "reply",
                    "ActionBody": PRESS + button.payload, "Text": html.escape(button.label),
                    "TextSize": "regular", "Silent": True,
                })  # fmt: skip
    return {"Type": "keyboard", "DefaultHeight": False, "Buttons": buttons}


_MARKS = {"b": "*", "strong": "*", "i": "_", "em": "_", "s": "~", "strike": "~", "del": "~",
          "code": "```", "pre": "```"}  # fmt: skip


class _ToViber(HTMLParser):
    """Telegram's HTML subset as Viber's own markup: *bold*, _italic_, ~strike~, ```mono```;
    a link keeps its address after its words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _MARKS:
            self.out.append(_MARKS[tag])
        elif tag == "a":
            self._links.append((dict(attrs).get("href") or "", len(self.out)))

    def handle_endtag(self, tag: str) -> None:
        if tag in _MARKS:
            self.out.append(_MARKS[tag])
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            words = "".join(self.out[start:]).strip()
            if href and href != words:
                self.out.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def viber_text(reply: Reply) -> str:
    if not reply.html:
        return reply.text
    parser = _ToViber()
    parser.feed(reply.text)
    parser.close()
    return "".join(parser.out)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def person(event: dict[str, Any], key: str) -> tuple[UserRef, str, str | None] | None:
    """(who, their name, their phone's language) from a callback's `sender` or `user`."""
    who = event.get(key)
    if not isinstance(who, dict) or not _str(who.get("id")):
        return None
    return (
        UserRef(MESSENGER, who["id"]), _str(who.get("name"))[:200],
        _str(who.get("language")) or None,
    )  # fmt: skip


def to_message(event: dict[str, Any]) -> IncomingMessage | None:
    """A `message` callback as the core sees it; None when it has no sender."""
    sender = person(event, "sender")
    if sender is None:
        return None
    ref, name, language = sender
    message = event.get("message")
    if not isinstance(message, dict) or message.get("type") != "text":
        return IncomingMessage(ref, Kind.UNSUPPORTED, name=name, language_hint=language)
    text = _str(message.get("text"))
    if text.startswith(PRESS):
        return IncomingMessage(
            ref, Kind.BUTTON, payload=text.removeprefix(PRESS), name=name,
            language_hint=language,
        )  # fmt: skip
    return IncomingMessage(ref, Kind.TEXT, text=text, name=name, language_hint=language)
