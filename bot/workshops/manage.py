"""The coordinators' workshops once created: the list, who comes, exports, cancelling."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.core.context import Context
from bot.core.dialogs.menu import menu
from bot.core.dispatcher import Command, Dispatcher
from bot.core.messages import Button, Reply
from bot.storage.workshops import Workshop
from bot.workshops import attendees, changes, view
from bot.workshops.compose import FORM

LIST_LIMIT = 10
# a chat message stays readable; the export has everyone
SHOWN_NAMES = 30
ACTIONS = ("att", "csv", "xlsx", "edit", "cancel", "drop")

Rows = tuple[tuple[Button, ...], ...]


def _new_button(ctx: Context) -> tuple[Button, ...]:
    return (Button(ctx.t.t("wsc.button.new"), "wc:new"),)


async def listing(ctx: Context) -> list[Reply]:
    t = ctx.t
    found = await ctx.services.workshops.upcoming(LIST_LIMIT)
    if not found:
        none = t.t("wsc.list_none", command="/workshop")
        return [Reply(none, (_new_button(ctx), (ctx.menu_button(),)))]
    replies = [Reply(t.tn("wsc.list_title", "wsc.list_title_plural", len(found)))]
    replies += [await _entry(ctx, w) for w in found]
    replies.append(Reply(t.t("wsc.list_end"), (_new_button(ctx), (ctx.menu_button(),))))
    return replies


async def _entry(ctx: Context, w: Workshop) -> Reply:
    t, zone = ctx.t, ctx.services.settings.timezone
    going, waiting = await ctx.services.attendance.counts(w.id)
    text = "\n".join(
        (
            t.t("wsc.number", id=w.id),
            view.card(w, t, zone, going=going),
            "",
            t.t("wsc.counts", going=going, waiting=waiting),
        )
    )
    buttons: Rows = (
        (Button(t.t("wsc.button.attendees"), f"wc:att:{w.id}"),),
        (
            Button(t.t("wsc.button.edit_workshop"), f"wc:edit:{w.id}"),
            Button(t.t("wsc.button.cancel_workshop"), f"wc:cancel:{w.id}"),
        ),
    )
    return Reply(text, buttons)


async def on_button(ctx: Context, rest: str) -> list[Reply]:
    """wc:new, and wc:ACTION:ID for att, csv, xlsx, edit, cancel (asks), drop (cancels)."""
    t = ctx.t
    # the same answer for every copied or forged button, whatever workshop it names
    if not ctx.coordinator:
        return [ctx.with_menu_button(t.t("coordinator.only", command="/workshops"))]
    action, _, number = rest.partition(":")
    if action == "new":
        return await FORM.start(ctx)
    if action not in ACTIONS:
        return [menu(ctx, "button.expired")]
    valid = re.fullmatch(r"[0-9]{1,12}", number) is not None
    w = await ctx.services.workshops.get(int(number)) if valid else None
    if w is None:
        unknown = t.t("wsc.unknown", id=number[:20], command="/workshops")
        return [ctx.with_menu_button(unknown)]
    if action == "att":
        return [await _attendees(ctx, w)]
    if action in ("csv", "xlsx"):
        return [await _export(ctx, w, action)]
    if w.cancelled:
        return [ctx.with_menu_button(t.t("wsc.is_cancelled", title=view.title(w, t)))]
    if w.ends_at <= datetime.now(UTC):
        # a button from an old list: a cancellation notice after the event misleads everyone
        return [ctx.with_menu_button(t.t("wsc.over", title=view.title(w, t)))]
    if action == "edit":
        return await FORM.edit(ctx, w.id)
    if action == "cancel":
        return [await _ask_cancel(ctx, w)]
    return [await _cancel(ctx, w)]


async def _attendees(ctx: Context, w: Workshop) -> Reply:
    t, zone = ctx.t, ctx.services.settings.timezone
    rows = await attendees.attendee_rows(ctx.services.db, w.id)
    lines = [t.t("wsc.attendees_title", title=view.title(w, t), when=t.datetime(w.starts_at, zone))]
    if not rows:
        lines.append(t.t("wsc.attendees_none"))
        return Reply("\n".join(lines), ((ctx.menu_button(),),))
    going = [a for a in rows if a.status == "going"]
    waiting = [a for a in rows if a.status == "waiting"]
    groups = (
        (t.t("wsc.attendees_going", n=len(going)), going),
        (t.t("wsc.attendees_waiting", n=len(waiting)), waiting),
    )
    for heading, group in groups:
        lines += ["", heading]
        for number, a in enumerate(group[:SHOWN_NAMES], 1):
            where = attendees.municipality(a, t)
            lines.append(f"{number}. {a.name or a.user}" + (f", {where}" if where else ""))
        if len(group) > SHOWN_NAMES:
            lines.append(t.t("wsc.attendees_more", n=len(group) - SHOWN_NAMES))
    buttons: Rows = (
        (
            Button(t.t("wsc.button.csv"), f"wc:csv:{w.id}"),
            Button(t.t("wsc.button.xlsx"), f"wc:xlsx:{w.id}"),
        ),
        (ctx.menu_button(),),
    )
    return Reply("\n".join(lines), buttons)


async def _export(ctx: Context, w: Workshop, fmt: str) -> Reply:
    t = ctx.t
    attachment, count = await attendees.export_file(ctx.services, w.id, t, fmt, ctx.msg.user)
    title = view.title(w, t)
    caption = t.tn("wsc.export_caption", "wsc.export_caption_plural", count, title=title)
    return Reply(caption, attachment=attachment)


async def _ask_cancel(ctx: Context, w: Workshop) -> Reply:
    t, zone = ctx.t, ctx.services.settings.timezone
    # the notice goes to those coming and to the waiting list
    going, waiting = await ctx.services.attendance.counts(w.id)
    text = t.tn(
        "wsc.confirm_cancel", "wsc.confirm_cancel_plural", going + waiting,
        title=view.title(w, t), when=t.datetime(w.starts_at, zone),
    )  # fmt: skip
    buttons: Rows = (
        (Button(t.t("wsc.button.confirm_cancel"), f"wc:drop:{w.id}"),),
        (Button(t.t("wsc.button.keep"), "menu"),),
    )
    return Reply(text, buttons)


async def _cancel(ctx: Context, w: Workshop) -> Reply:
    t = ctx.t
    title = view.title(w, t)
    told = await changes.cancel(ctx.services, w, ctx.msg.user)
    if told is None:
        return ctx.with_menu_button(t.t("wsc.is_cancelled", title=title))
    return ctx.with_menu_button(
        t.tn("wsc.cancel_done", "wsc.cancel_done_plural", told, title=title)
    )


def install(dispatcher: Dispatcher) -> None:
    dispatcher.prefixes["wc"] = on_button
    dispatcher.add_command(
        Command("workshops", listing, "wsc.cmd.workshops", coordinator_only=True)
    )
