"""A workshop saved, changed or cancelled, with what each tells people: the same whether a
coordinator used the chat's form or the web console."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from bot.core.context import Services
from bot.core.messages import UserRef
from bot.storage.workshops import Workshop

# what a coordinator sets; the rest (id, created_*, cancelled) is the bot's
FIELDS = (
    "title_sr", "title_en", "starts_at", "place_sr", "place_en", "description_sr",
    "description_en", "link", "capacity", "signup_until", "minutes", "reminders",
)  # fmt: skip
# news to those coming: they are told at once, quiet hours or not
TOLD_OF = frozenset({"starts_at", "place_sr", "place_en", "link"})


@dataclass(frozen=True)
class Changed:
    workshop: Workshop
    # user ids moved up from the waiting list (more places), first come first
    moved_up: tuple[int, ...]
    # how many coming are told of a new time or place; None: nothing they need to hear
    told: int | None
    # the number of the announcement that tells them (None with `told`)
    notice: int | None = None


def values(w: Workshop) -> dict[str, object]:
    return {name: getattr(w, name) for name in FIELDS}


async def add(services: Services, w: Workshop, actor: UserRef) -> int:
    # Workshops.add takes these by position, the rest by name
    first = ("title_sr", "title_en", "starts_at", "place_sr", "place_en")
    more = {k: v for k, v in values(w).items() if k not in first}
    number = await services.workshops.add(
        w.title_sr, w.title_en, w.starts_at, w.place_sr, w.place_en, **more,
        created_by=str(actor),
    )  # fmt: skip
    await services.audit.record(actor, "workshop_add", number)
    return number


async def change(
    services: Services, old: Workshop, new: Workshop, actor: UserRef
) -> Changed | None:
    """Saves what differs from `old`; None when the workshop is gone meanwhile."""
    changes = {k: v for k, v in values(new).items() if getattr(old, k) != v}
    updated = await services.workshops.update(old.id, **changes)
    if updated is None:
        return None
    await services.audit.record(actor, "workshop_edit", old.id)
    # more places (or no limit now): the waiting list moves up
    moved = await services.attendance.fill(old.id) if "capacity" in changes else []
    told = notice = None
    if TOLD_OF & changes.keys():
        notice = await services.announcements.add(
            kind="change", audience=f"workshop:{old.id}", at=datetime.now(UTC),
            created_by=str(actor), workshop_id=old.id, force=True,
        )  # fmt: skip
        # told are those coming (the audience workshop:ID), not the waiting list
        told, _ = await services.attendance.counts(old.id)
    return Changed(updated, tuple(moved), told, notice)


async def cancel(services: Services, w: Workshop, actor: UserRef) -> int | None:
    """How many signed up (coming or waiting) are told; None when it was already cancelled
    (a colleague was quicker, or a double tap: the notice goes out once)."""
    if not await services.workshops.cancel(w.id):
        return None
    # reminders and announcements still waiting must not go out after the cancellation notice
    await services.announcements.cancel_for_workshop(w.id)
    await services.audit.record(actor, "workshop_cancel", w.id)
    await services.announcements.add(
        kind="cancelled", audience=f"workshop:{w.id}", at=datetime.now(UTC),
        created_by=str(actor), workshop_id=w.id, force=True,
    )  # fmt: skip
    going, waiting = await services.attendance.counts(w.id)
    return going + waiting
