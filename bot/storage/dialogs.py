"""The open dialogs of each person: a form and, in front of it, a one-question dialog."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite

from bot.storage.clock import now

FORM, PASSING = "form", "passing"


@dataclass(frozen=True, slots=True)
class DialogState:
    name: str
    step: str
    token: str
    data: dict[str, Any] = field(default_factory=dict)
    # a form whose screen the person left (they asked something else): not taking text now
    paused: bool = False


_CACHE_LIMIT = 50_000
_Slots = dict[str, DialogState]


class Dialogs:
    """Dialog rows, written through to the database at every step. This process is their only
    writer while the bot runs, so reads are served from memory after the first.

    A person has at most two: a form (`form_names`), which survives everything else they do
    until it is confirmed or cancelled, and a one-question dialog in front of it."""

    def __init__(self, conn: aiosqlite.Connection, form_names: frozenset[str] = frozenset()):
        self._conn = conn
        self.form_names = set(form_names)
        self._cache: dict[int, _Slots] = {}

    def _slot(self, name: str) -> str:
        return FORM if name in self.form_names else PASSING

    async def _slots(self, user_id: int) -> _Slots:
        slots = self._cache.get(user_id)
        if slots is None:
            slots = {}
            async with self._conn.execute(
                "SELECT slot, name, step, token, data, paused FROM dialog_slots WHERE user_id = ?",
                (user_id,),
            ) as cur:
                async for row in cur:
                    slots[row[0]] = DialogState(
                        row[1], row[2], row[3], json.loads(row[4]), bool(row[5])
                    )
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[user_id] = slots
        return slots

    async def get(self, user_id: int) -> DialogState | None:
        """The dialog in front: the one-question dialog if there is one, else the form."""
        slots = await self._slots(user_id)
        return slots.get(PASSING) or slots.get(FORM)

    async def form(self, user_id: int) -> DialogState | None:
        return (await self._slots(user_id)).get(FORM)

    async def both(self, user_id: int) -> list[DialogState]:
        slots = await self._slots(user_id)
        return [s for s in (slots.get(PASSING), slots.get(FORM)) if s is not None]

    async def put(
        self, user_id: int, name: str, step: str, data: dict[str, Any], *, new_token: bool = False
    ) -> DialogState:
        """Writes the dialog's step (a form's step also brings it back on screen); a new dialog
        (or new_token) gets a fresh button token."""
        slot = self._slot(name)
        current = (await self._slots(user_id)).get(slot)
        token = (
            current.token
            if current is not None and current.name == name and not new_token
            else secrets.token_hex(3)
        )
        stored = json.dumps(data, ensure_ascii=False)
        await self._conn.execute(
            """
            INSERT INTO dialog_slots (user_id, slot, name, step, data, token, paused, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, 0, ?)
            ON CONFLICT (user_id, slot) DO UPDATE SET
                name = excluded.name, step = excluded.step, data = excluded.data,
                token = excluded.token, paused = 0, updated_at = excluded.updated_at
            """,
            (user_id, slot, name, step, stored, token, now()),
        )
        # the cached copy is what a restart would read back, not the caller's own dict
        state = DialogState(name, step, token, json.loads(stored))
        (await self._slots(user_id))[slot] = state
        return state

    async def set_paused(self, user_id: int, paused: bool) -> None:
        """The person left the form's screen (True) or came back to it (False)."""
        slots = await self._slots(user_id)
        form = slots.get(FORM)
        if form is None or form.paused is paused:
            return
        await self._conn.execute(
            "UPDATE dialog_slots SET paused = ? WHERE user_id = ? AND slot = ?",
            (int(paused), user_id, FORM),
        )
        slots[FORM] = DialogState(form.name, form.step, form.token, form.data, paused)

    async def clear(self, user_id: int, name: str | None = None) -> None:
        """Ends the dialog called `name`, or else the one-question dialog: a form ends only
        when it is named (confirmed or cancelled), never as a side effect."""
        slots = await self._slots(user_id)
        if name is None:
            slot = PASSING
            if slot not in slots:
                return
        else:
            slot = self._slot(name)
            if slots.get(slot) is None or slots[slot].name != name:
                return
        await self._conn.execute(
            "DELETE FROM dialog_slots WHERE user_id = ? AND slot = ?", (user_id, slot)
        )
        slots.pop(slot, None)

    def forget(self, user_id: int) -> None:
        """The person was erased (their rows went with them): nothing of theirs stays here."""
        self._cache.pop(user_id, None)

    async def prune(self, older_than: timedelta) -> int:
        """Drops dialogs abandoned long ago: half-typed personal data is not kept forever."""
        cutoff = (datetime.now(UTC) - older_than).isoformat()
        gone = list(
            await self._conn.execute_fetchall(
                "DELETE FROM dialog_slots WHERE updated_at < ? RETURNING user_id", (cutoff,)
            )
        )
        # only the people whose rows were deleted are read again; the others stay valid
        for (user_id,) in gone:
            self._cache.pop(user_id, None)
        return len(gone)
