"""The console's pages, one module each; each adds its routes to the console."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.web.console import Console


def install_all(console: Console) -> None:
    from bot.web.pages import overview

    overview.install(console)
    from bot.web.pages import asked

    asked.install(console)
    from bot.web.pages import announcements

    announcements.install(console)
    from bot.web.pages import inbox

    inbox.install(console)
    from bot.web.pages import workshops

    workshops.install(console)
    from bot.web.pages import registrations

    registrations.install(console)
