"""/subscribe and /unsubscribe: the person's own switch for announcements."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.dispatcher import Command, Dispatcher
from bot.core.messages import Reply


async def subscribe(ctx: Context) -> list[Reply]:
    await ctx.services.users.set_subscribed(ctx.user.id, True)
    return [ctx.with_menu_button(ctx.t.t("subscription.on"))]


async def unsubscribe(ctx: Context) -> list[Reply]:
    await ctx.services.users.set_subscribed(ctx.user.id, False)
    return [ctx.with_menu_button(ctx.t.t("subscription.off"))]


async def on_button(ctx: Context, value: str) -> list[Reply]:
    return await (subscribe(ctx) if value == "on" else unsubscribe(ctx))


def install(dispatcher: Dispatcher) -> None:
    dispatcher.add_command(Command("subscribe", subscribe, "cmd.subscribe"))
    dispatcher.add_command(Command("unsubscribe", unsubscribe, "cmd.unsubscribe"))
    dispatcher.prefixes["sub"] = on_button
