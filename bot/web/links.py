"""/web: a coordinator's one-time link into the web console."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.dispatcher import Command, Dispatcher
from bot.core.messages import Reply
from bot.storage.web import LINK_LIFETIME, WebSessions


async def web(ctx: Context) -> list[Reply]:
    settings = ctx.services.settings
    if not settings.web_console:
        return [ctx.with_menu_button(ctx.t.t("web.off"))]
    secret = await WebSessions(ctx.services.db).new_link(ctx.msg.user)
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    url = f"{settings.console_url}/signin/{secret}"
    return [ctx.with_menu_button(ctx.t.t("web.link", url=url, minutes=minutes))]


def install(dispatcher: Dispatcher) -> None:
    dispatcher.add_command(Command("web", web, "cmd.web", coordinator_only=True))
