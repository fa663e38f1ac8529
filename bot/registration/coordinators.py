"""What coordinators do with registrations: counts, exports, notifications on or off."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.dispatcher import Command, Dispatcher
from bot.core.messages import Reply
from bot.registration import export, rights
from bot.registration.form import RegistrationForm, choice_label, municipality_label
from bot.registration.municipalities import all_municipalities
from bot.storage.clock import parse

LATEST = 5
TOP = 10


async def registrations(ctx: Context) -> list[Reply]:
    t, services = ctx.t, ctx.services
    by_municipality, by_area, by_stage = await services.registrations.summary()
    total = sum(by_municipality.values())
    if not total:
        return [ctx.with_menu_button(t.t("coordinators.none"))]
    names = all_municipalities()
    lines = [t.tn("coordinators.total", "coordinators.total_plural", total), ""]
    lines.append(t.t("coordinators.by_municipality"))
    for code, n in by_municipality.most_common(TOP):
        label = municipality_label(names[code], t) if code in names else code
        lines.append(f"  {label}: {n}")
    lines += ["", t.t("coordinators.by_area")]
    lines += [f"  {choice_label(t, 'area', a)}: {n}" for a, n in by_area.most_common()]
    lines += ["", t.t("coordinators.by_stage")]
    lines += [f"  {choice_label(t, 'stage', s)}: {n}" for s, n in by_stage.most_common()]
    latest = await services.registrations.latest(LATEST)
    lines += ["", t.t("coordinators.latest")]
    zone = services.settings.timezone
    for stored in latest:
        r = stored.registration
        label = municipality_label(names[r.municipality], t) if r.municipality in names else ""
        when = t.datetime(parse(stored.updated_at), zone)
        lines.append(f"  {when}: {label}, {r.name}, {r.email}")
    return [Reply("\n".join(lines), ((ctx.menu_button(),),))]


async def export_file(ctx: Context, fmt: str = "xlsx") -> list[Reply]:
    rows = await ctx.services.registrations.all()
    attachment = await export.export_file(ctx.services, rows, ctx.t, fmt, ctx.msg.user)
    return [
        Reply(ctx.t.tn("export.caption", "export.caption_plural", len(rows)), attachment=attachment)
    ]


async def export_xlsx(ctx: Context) -> list[Reply]:
    return await export_file(ctx, "xlsx")


async def export_csv(ctx: Context) -> list[Reply]:
    return await export_file(ctx, "csv")


async def toggle_notifications(ctx: Context) -> list[Reply]:
    me = ctx.msg.user
    on = not await ctx.services.registrations.wants_notifications(me)
    await ctx.services.registrations.set_notifications(me, on)
    text = ctx.t.t("coordinators.notify_on") if on else ctx.t.t("coordinators.notify_off")
    return [ctx.with_menu_button(text)]


def install(dispatcher: Dispatcher) -> None:
    form = RegistrationForm()
    forget = rights.ForgetDialog()
    dispatcher.add_dialog(form)
    dispatcher.add_dialog(forget)
    dispatcher.menu_entries["m:register"] = form.start
    dispatcher.add_command(Command("register", form.start, "cmd.register"))
    dispatcher.add_command(Command("mydata", rights.mydata, "cmd.mydata"))
    dispatcher.add_command(Command("forget", forget.start, "cmd.forget"))
    dispatcher.add_command(
        Command("registrations", registrations, "cmd.registrations", coordinator_only=True)
    )
    dispatcher.add_command(Command("export", export_xlsx, "cmd.export", coordinator_only=True))
    dispatcher.add_command(
        Command("export_csv", export_csv, "cmd.export_csv", coordinator_only=True)
    )
    dispatcher.add_command(
        Command("notifications", toggle_notifications, "cmd.notifications", coordinator_only=True)
    )
