"""/announce and /announcements: compose, list, cancel, and read delivery reports."""

from __future__ import annotations

import html
import re

from bot.announcements import engine
from bot.announcements.compose import FORM, describe
from bot.core.context import Context, Services
from bot.core.dispatcher import Command, Dispatcher
from bot.core.messages import Button, Reply, UserRef
from bot.storage.announcements import Announcement
from bot.storage.db import transaction

SHOWN = 10


def excerpt(a: Announcement, limit: int = 80) -> str:
    """The start of its Serbian text, on one line and without markup."""
    text = html.unescape(re.sub(r"<[^>]+>", "", a.body_sr)) if a.html else a.body_sr
    text = " ".join(text.split())
    return text[:limit] + "…" if len(text) > limit else text


async def cancel(services: Services, who: UserRef, number: int) -> str | None:
    """Cancels a scheduled or running announcement, recording who did; the status it had
    (None: there is no such announcement)."""
    # cancelled and recorded, or neither: the record is the only trace of who stopped it
    async with transaction(services.db):
        was = await services.announcements.cancel(number)
        if was in ("scheduled", "running"):
            await services.audit.record(who, "announce_cancel", number)
    return was


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
        if preview := excerpt(a):
            text += "\n" + preview
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
        was = await cancel(ctx.services, ctx.msg.user, a.id)
        if was in ("scheduled", "running"):
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
