"""The terminal chat: the same bot, buttons as numbered options, piped input works."""

from __future__ import annotations

import asyncio
import html
import re
import sys
from pathlib import Path
from typing import TextIO

from bot.app import App
from bot.core.messages import Button, IncomingMessage, Kind, Outgoing, UserRef
from bot.core.numbers import number
from bot.delivery.outbound import Limits, Step
from bot.delivery.outcome import DELIVERED, Attempt

MESSENGER = "console"
_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram's HTML subset as a terminal shows it: the words, without the markup."""
    return html.unescape(_TAG.sub("", text))


class ConsoleChannel:
    limits = Limits()  # a terminal takes everything at once
    edits = True  # a terminal prints the new version, marked as such
    deletes = True  # and says that one was deleted

    def __init__(
        self,
        app: App,
        user_id: str = "1",
        name: str = "",
        language_hint: str | None = None,
        stdin: TextIO = sys.stdin,
        stdout: TextIO = sys.stdout,
        files_dir: Path = Path("exports"),
    ) -> None:
        self.files_dir = files_dir
        self.app = app
        self.user = UserRef(MESSENGER, user_id)
        self.name = name
        self.language_hint = language_hint
        self._in = stdin
        self._out = stdout
        self._buttons: list[Button] = []
        self._shown = 0
        app.add_transport(MESSENGER, self)

    def steps(self, out: Outgoing) -> list[Step]:
        async def show() -> Attempt:
            self.show(out)
            self._shown += 1
            return Attempt(DELIVERED.status, message_id=str(self._shown))

        return [show]

    def show(self, out: Outgoing) -> None:
        lines = []
        if out.to != self.user:
            lines.append(f"(→ {out.to})")
        if out.delete:
            lines.append(f"(✕ {out.delete})")  # a terminal cannot take back what it printed
            self._out.write("\n".join(lines) + "\n\n")
            self._out.flush()
            return
        if out.edit:
            lines.append("(↻)")  # a terminal cannot change what it printed: a new copy
        lines.append(plain(out.reply.text) if out.reply.html else out.reply.text)
        if out.reply.attachment is not None:
            path = self.files_dir / out.reply.attachment.filename
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(out.reply.attachment.content)
            lines.append(f"[file: {path}]")
        if out.reply.buttons and out.to == self.user:
            # numbering restarts with each reply that has buttons: the last ones are live
            self._buttons = []
            for row in out.reply.buttons:
                cells = []
                for button in row:
                    self._buttons.append(button)
                    cells.append(f"[{len(self._buttons)}] {button.label}")
                lines.append("   ".join(cells))
        self._out.write("\n".join(lines) + "\n\n")
        self._out.flush()

    def to_message(self, line: str) -> IncomingMessage:
        text = line.strip()
        pressed = number(text)
        if pressed is not None and 1 <= pressed <= len(self._buttons):
            button = self._buttons[pressed - 1]
            return IncomingMessage(
                self.user, Kind.BUTTON, payload=button.payload, name=self.name,
                language_hint=self.language_hint,
            )  # fmt: skip
        return IncomingMessage(
            self.user, Kind.TEXT, text=text, name=self.name, language_hint=self.language_hint
        )

    async def run(self) -> None:
        """Reads lines until end of input; each is handled before the next is read."""
        interactive = self._in.isatty()
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                self._out.write("> ")
                self._out.flush()
            line = await loop.run_in_executor(None, self._in.readline)
            if not line:
                break
            if not line.strip():
                continue
            if not interactive:
                # piped input: show what was "typed", so the transcript reads like a chat
                self._out.write(f"> {line.rstrip()}\n")
            await self.app.handle(self.to_message(line))
            # every reply printed before the next line is read (and echoed)
            await self.app.outbound.join()
