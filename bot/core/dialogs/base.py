"""A form-like conversation whose state lives in the database between steps."""

from __future__ import annotations

from typing import Protocol

from bot.core.context import Context
from bot.core.messages import Reply
from bot.storage.dialogs import DialogState


class Dialog(Protocol):
    name: str
    # a form the person comes back to (kept while they look elsewhere, its text answers
    # never change their language); a one-question dialog is left by any other action
    resumable: bool

    async def on_text(self, ctx: Context, state: DialogState, text: str) -> list[Reply]: ...

    async def on_button(self, ctx: Context, state: DialogState, value: str) -> list[Reply]: ...

    async def resume(self, ctx: Context, state: DialogState) -> list[Reply]:
        """The current step's question again (after a restart, /menu, an expired button)."""
        ...
