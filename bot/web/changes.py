"""What the console's pages show of the audit: who changed what there lately, by name."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.oversight.audit import what
from bot.registration.fields import one_line
from bot.storage.clock import parse
from bot.storage.web import parse_ref

if TYPE_CHECKING:
    from bot.web.console import Page


@dataclass(frozen=True)
class Change:
    when: str
    who: str
    what: str


async def names(page: Page, actors: Iterable[str]) -> dict[str, str]:
    """Each actor ("telegram:123", "cli") by the name the bot knows them by: a handful of
    coordinators a page."""
    found: dict[str, str] = {}
    for actor in set(actors):
        if actor == "cli":
            found[actor] = page.t.t("audit.cli")
            continue
        ref = parse_ref(actor)
        user = await page.services.users.get(ref) if ref.id else None
        found[actor] = (one_line(user.name) if user else "") or actor
    return found


async def latest(page: Page, actions: Iterable[str], limit: int) -> list[Change]:
    """The latest of these actions, from the chat, the console and the command line alike."""
    t, services = page.t, page.services
    entries = await services.audit.latest_of(tuple(actions), limit)
    who = await names(page, (e.actor for e in entries))
    zone = services.settings.timezone
    return [
        Change(t.datetime(parse(e.at), zone), who[e.actor], what(t, e.action, e.subject))
        for e in entries
    ]
