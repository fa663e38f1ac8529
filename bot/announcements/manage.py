"""/announce and /announcements: compose, list, cancel, and read delivery reports."""

from __future__ import annotations

import html
import re

from bot.announcements import engine
from bot.announcements.compose import FORM, describe
from bot.core.context import Context
from bot.core.dispatcher import Command, Dispatcher
from bot.core.messages import Button, Reply

SHOWN = 10


async def announce(ctx: Context) -> list[Reply]:
    return await FORM.start(ctx)


async def listing(ctx: Context) -> list[Reply]:
    t, services = ctx.t, ctx.services
    zone = services.settings.timezone
    shown = await services.announcements.listing(
        ("scheduled", "running", "done", "cancelled"), SHOWN
    )
    if not shown:
        return [ctx.with_menu_button(t.t("announcements.none"))]
    replies = [Reply(t.t("announcements.title"))]
    for a in shown:
        text = t.t(
            f"announcements.status.{a.status}", number=a.id, when=t.datetime(a.at, zone),
            audience=describe(t, a.audience),
        )  # fmt: skip
        preview = html.unescape(re.sub(r"<[^>]+>", "", a.body_sr)).strip().replace("\n", " ")
        if preview:
            text += "\n" + (preview[:80] + "…" if len(preview) > 80 else preview)
        buttons: tuple[Button, ...] = ()
        if a.status in ("scheduled", "running"):
            buttons = (Button(t.t("announcements.button.cancel"), f"an:cancel:{a.id}"),)
        elif a.status == "done":
            buttons = (Button(t.t("announcements.button.report"), f"an:report:{a.id}"),)
        replies.append(Reply(text, (buttons,) if buttons else ()))
    replies.append(ctx.with_menu_button(t.t("announcements.new_hint")))
    return replies


async def on_button(ctx: Context, rest: str) -> list[Reply]:
    """an:ws:N (announce a workshop), an:cancel:N, an:report:N: coordinators only, and the
    same answer for anyone else whatever the number."""
    if not ctx.coordinator:
        return [ctx.with_menu_button(ctx.t.t("coordinator.only", command="/announcements"))]
    action, _, number = rest.partition(":")
    if not re.fullmatch(r"[0-9]{1,12}", number):
        return [ctx.with_menu_button(ctx.t.t("button.expired"))]
    t, store = ctx.t, ctx.services.announcements
    if action == "ws":
        return await FORM.start(ctx, int(number))
    a = await store.get(int(number))
    if a is None:
        return [ctx.with_menu_button(t.t("announcements.unknown", number=number))]
    if action == "cancel":
        was = await store.cancel(a.id)
        if was in ("scheduled", "running"):
            await ctx.services.audit.record(ctx.msg.user, "announce_cancel", a.id)
            report = await store.report(a.id)
            text = t.t("announcements.cancelled", number=a.id)
            if was == "running":
                text += "\n" + t.t(
                    "announcements.cancelled_running", done=report.done, total=report.total
                )
            return [ctx.with_menu_button(text)]
        return [ctx.with_menu_button(t.t("announcements.not_cancellable", number=a.id))]
    if action == "report":
        report = await store.report(a.id)
        took = 0.0
        if a.started_at and a.finished_at:
            took = (a.finished_at - a.started_at).total_seconds()
        return [ctx.with_menu_button(engine.final_report(t, a, report, took))]
    return [ctx.with_menu_button(t.t("button.expired"))]


def install(dispatcher: Dispatcher) -> None:
    dispatcher.add_dialog(FORM)
    dispatcher.prefixes["an"] = on_button
    dispatcher.add_command(Command("announce", announce, "cmd.announce", coordinator_only=True))
    dispatcher.add_command(
        Command("announcements", listing, "cmd.announcements", coordinator_only=True)
    )
