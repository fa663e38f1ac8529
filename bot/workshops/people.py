"""What people see and do with workshops: the list, a workshop's card, attending, giving a
place up, the calendar file. Announcements carry the same buttons, so any of them may be
pressed weeks later, for a workshop since changed, cancelled or over."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from bot.core.context import Context, Services, reader_locale
from bot.core.dialogs.menu import menu
from bot.core.dispatcher import Dispatcher, Handler
from bot.core.i18n import Translator
from bot.core.messages import Attachment, Button, Outgoing, Reply, UserRef
from bot.storage.workshops import Workshop
from bot.workshops import view
from bot.workshops.calendar import ics

LISTED = 5
# ids as the bot writes them: anything else in a payload was not written by the bot
_ID = re.compile(r"[0-9]{1,12}")

Action = Callable[[Context, Workshop], Awaitable[list[Reply]]]


def install(dispatcher: Dispatcher) -> None:
    """After the FAQ's install: with no workshop ahead, the menu entry keeps the FAQ's
    answer ("none scheduled", the subscribe button)."""
    before = dispatcher.menu_entries.get("m:workshops")

    async def listing(ctx: Context) -> list[Reply]:
        return await upcoming(ctx, before)

    dispatcher.menu_entries["m:workshops"] = listing
    dispatcher.prefixes["w"] = on_button


async def upcoming(ctx: Context, none_scheduled: Handler | None = None) -> list[Reply]:
    t, zone = ctx.t, ctx.services.settings.timezone
    workshops = await ctx.services.workshops.upcoming(limit=LISTED)
    if not workshops and none_scheduled is not None:
        return await none_scheduled(ctx)
    subscribe = () if ctx.user.subscribed else ((Button(t.t("faq.subscribe_button"), "sub:on"),),)
    if not workshops:
        if ctx.user.subscribed:
            text = t.t("faq.no_workshops_subscribed")
        else:
            text = t.t("faq.no_workshops")
        return [Reply(text, (*subscribe, (ctx.menu_button(),)))]
    text = "\n".join([t.t("wsp.upcoming"), *(view.line(w, t, zone) for w in workshops)])
    rows = tuple((view.details_button(w, t),) for w in workshops)
    return [Reply(text, (*rows, *subscribe, (ctx.menu_button(),)))]


async def on_button(ctx: Context, rest: str) -> list[Reply]:
    name, _, arg = rest.partition(":")
    action = ACTIONS.get(name)
    if action is None or not _ID.fullmatch(arg):
        return [menu(ctx, "button.expired")]
    w = await ctx.services.workshops.get(int(arg))
    if w is None or w.cancelled or w.ends_at <= _now():
        return [_closed(ctx, w)]
    return await action(ctx, w)


def _now() -> datetime:
    return datetime.now(UTC)


def _closed(ctx: Context, w: Workshop | None) -> Reply:
    t = ctx.t
    if w is not None and w.cancelled:
        text = t.t("wsp.cancelled", title=view.title(w, t))
    else:
        text = t.t("wsp.gone")
    return Reply(text, ((Button(t.t("menu.workshops"), "m:workshops"), ctx.menu_button()),))


def _buttons(w: Workshop, t: Translator, status: str | None) -> tuple[tuple[Button, ...], ...]:
    rows = view.attend_buttons(w, t, status)
    if status is None and _now() >= w.signup_closes:
        rows = rows[1:]  # no "I'll attend" that can only say "closed"
    back = (Button(t.t("menu.workshops"), "m:workshops"), Button(t.t("button.menu"), "menu"))
    return (*rows, back)


def _about(ctx: Context, w: Workshop) -> dict[str, str]:
    t = ctx.t
    return {
        "title": view.title(w, t),
        "when": t.datetime(w.starts_at, ctx.services.settings.timezone),
    }


def _reply(ctx: Context, w: Workshop, status: str | None, text: str) -> list[Reply]:
    return [Reply(text, _buttons(w, ctx.t, status))]


async def show(ctx: Context, w: Workshop) -> list[Reply]:
    t, attendance = ctx.t, ctx.services.attendance
    status = await attendance.status(w.id, ctx.user.id)
    going = (await attendance.counts(w.id))[0] if w.capacity is not None else None
    text = view.card(w, t, ctx.services.settings.timezone, going=going)
    if status == "going":
        text += "\n\n" + t.t("wsp.you_going")
    elif status == "waiting":
        text += "\n\n" + t.t("wsp.you_waiting")
    return [Reply(text, _buttons(w, t, status))]


async def go(ctx: Context, w: Workshop) -> list[Reply]:
    t, attendance, uid = ctx.t, ctx.services.attendance, ctx.user.id
    about = _about(ctx, w)
    status = await attendance.status(w.id, uid)
    if status == "going":
        return _reply(ctx, w, status, t.t("wsp.already_going", **about))
    if status == "waiting":
        return _reply(ctx, w, status, t.t("wsp.already_waiting", **about))
    now = _now()
    if now >= w.starts_at:
        return _reply(ctx, w, None, t.t("wsp.started", **about))
    if now >= w.signup_closes:
        closed = t.datetime(w.signup_closes, ctx.services.settings.timezone)
        return _reply(ctx, w, None, t.t("wsp.signup_closed", title=about["title"], when=closed))
    status = await attendance.join(w.id, uid)
    if status == "going":
        return _reply(ctx, w, status, t.t("wsp.signed_up", **about))
    if status == "waiting":
        return _reply(ctx, w, status, t.t("wsp.waiting", **about))
    return [_closed(ctx, None)]  # deleted between the read and the write


async def leave(ctx: Context, w: Workshop) -> list[Reply]:
    t, attendance, about = ctx.t, ctx.services.attendance, _about(ctx, w)
    if _now() >= w.starts_at:
        # a place given up now is of no use to the waiting list
        status = await attendance.status(w.id, ctx.user.id)
        return _reply(ctx, w, status, t.t("wsp.started", **about))
    was, moved_up = await attendance.leave(w.id, ctx.user.id)
    if was is None:
        return _reply(ctx, w, None, t.t("wsp.not_signed_up", **about))
    if moved_up is not None:
        await tell_moved_up(ctx, w, moved_up)
    if was == "going":
        return _reply(ctx, w, None, t.t("wsp.left", **about))
    return _reply(ctx, w, None, t.t("wsp.left_waiting", **about))


async def give_up_places(ctx: Context) -> None:
    """Before /forget erases someone: the erasure would take their places with it (a cascade
    that moves nobody up), so each place still of use goes to the waiting list first."""
    services, uid = ctx.services, ctx.user.id
    for workshop_id in await services.attendance.places_of(uid):
        w = await services.workshops.get(workshop_id)
        if w is None or w.cancelled or _now() >= w.starts_at:
            continue
        _, moved_up = await services.attendance.leave(w.id, uid)
        if moved_up is not None:
            await tell_moved_up(ctx, w, moved_up)


async def tell_moved_up(ctx: Context, w: Workshop, user_id: int) -> None:
    notice = await moved_up_notice(ctx.services, w, user_id)
    if notice is not None:
        ctx.outbox.append(notice)


async def moved_up_notice(services: Services, w: Workshop, user_id: int) -> Outgoing | None:
    """The news that a place opened, to someone moved up from the waiting list, in their
    language."""
    found = await services.attendance.ref_of(user_id)
    if found is None:
        return None
    ref = UserRef(*found)
    t = services.i18n[reader_locale(await services.users.get(ref))]
    when = t.datetime(w.starts_at, services.settings.timezone)
    text = t.t("wsp.moved_up", title=view.title(w, t), when=when)
    return Outgoing(ref, Reply(text, _buttons(w, t, "going")), kind="notice")


async def calendar(ctx: Context, w: Workshop) -> list[Reply]:
    t = ctx.t
    content = ics(w, t, ctx.services.settings.timezone)
    text = t.t("wsp.ics_caption", title=view.title(w, t))
    attachment = Attachment(f"workshop-{w.id}.ics", content)
    return [Reply(text, ((ctx.menu_button(),),), attachment=attachment)]


ACTIONS: dict[str, Action] = {"show": show, "go": go, "leave": leave, "ics": calendar}
