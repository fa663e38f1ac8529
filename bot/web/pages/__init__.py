"""The console's pages, one module each; each adds its routes to the console."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.web.console import Console


def install_all(console: Console) -> None:
    from bot.web.pages import announcements, asked, inbox, overview, registrations, workshops

    for page in (overview, registrations, inbox, workshops, announcements, asked):
        page.install(console)
