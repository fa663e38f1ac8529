"""The person's rights over their data: see it (/mydata), erase it (/forget)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.context import Context
from bot.core.dialogs.menu import menu
from bot.core.messages import Outgoing, Reply
from bot.registration.form import as_data as registration_data
from bot.registration.form import summary
from bot.storage.clock import parse
from bot.storage.dialogs import DialogState
from bot.workshops.people import give_up_places

# Telegram lets a bot delete its own message for 48 hours; a little margin
DELETABLE = timedelta(hours=47)


async def mydata(ctx: Context) -> list[Reply]:
    t, services, user = ctx.t, ctx.services, ctx.user
    zone = services.settings.timezone
    language = t.t(f"mydata.locale.{user.locale.value}") if user.locale else t.t("mydata.no_locale")
    parts = [
        t.t(
            "mydata.profile",
            account=str(user.ref),
            name=user.name or "—",
            language=language,
            first_seen=t.datetime(parse(user.first_seen), zone),
            subscribed=t.t("registration.yes") if user.subscribed else t.t("registration.no"),
        )
    ]
    for stored in await services.registrations.of_user(user.id):
        reg = stored.registration
        parts.append(
            t.t(
                "mydata.registration",
                updated=t.datetime(parse(stored.updated_at), zone),
                consent=reg.consent_version,
            )
            + "\n"
            + summary(t, registration_data(reg))
        )
    questions = await services.questions.of_user(user.id)
    for q in questions:
        line = t.t("mydata.question", asked=t.datetime(parse(q.created_at), zone), text=q.text)
        if q.answer:
            line += "\n" + t.t("mydata.answer", answer=q.answer)
        parts.append(line)
    form = await services.dialogs.form(user.id)
    if form is not None:
        parts.append(_unfinished(ctx, form))
    kept = await services.asked.count_of_user(user.id)
    if kept:
        parts.append(t.tn("mydata.asked", "mydata.asked_plural", kept))
    parts.append(t.t("mydata.footer"))
    return [Reply("\n\n".join(parts), ((ctx.menu_button(),),))]


def _unfinished(ctx: Context, form: DialogState) -> str:
    """A form begun and not finished: kept (up to 30 days untouched) so that it can be
    continued, and so part of what is stored. A registration shows what was typed."""
    t = ctx.t
    if form.name != "register":
        return t.t("mydata.unfinished_other")
    announcements = t.t("registration.field.announcements")
    typed = [
        line
        for line in summary(t, form.data).splitlines()
        if not line.endswith(": —")
        and not (line.startswith(announcements) and "announcements" not in form.data)
    ]
    return "\n".join([t.t("mydata.unfinished"), *typed])


class ForgetDialog:
    """Erasure after an explicit confirmation."""

    name = "forget"
    resumable = False

    async def start(self, ctx: Context) -> list[Reply]:
        state = await ctx.services.dialogs.put(
            ctx.user.id, self.name, "confirm", {}, new_token=True
        )
        return [self._ask(ctx, state)]

    def _ask(self, ctx: Context, state: DialogState) -> Reply:
        t = ctx.t
        rows = (
            (ctx.dialog_button(t.t("forget.yes"), state, "yes"),),
            (ctx.dialog_button(t.t("button.cancel"), state, "no"),),
        )
        return Reply(t.t("forget.confirm"), rows)

    async def on_text(self, ctx: Context, state: DialogState, text: str) -> list[Reply]:
        return [self._ask(ctx, state)]

    async def on_button(self, ctx: Context, state: DialogState, value: str) -> list[Reply]:
        if value != "yes":
            await ctx.services.dialogs.clear(ctx.user.id, self.name)
            return [menu(ctx, "forget.kept")]
        await give_up_places(ctx)
        services = ctx.services
        # the bot's own copies of notices about them, where the messenger still allows it
        # (Telegram: 48 hours); the rest is said in the reply
        since = datetime.now(UTC) - DELETABLE
        for where, message_id in await services.notices.copies(ctx.user.id, since):
            ctx.outbox.append(Outgoing(where, Reply(""), kind="delete", delete=message_id))
        await services.users.forget(ctx.user.id)
        # the dialog rows (a form in progress too) went with the person; so do cached copies
        ctx.services.dialogs.forget(ctx.user.id)
        return [Reply(ctx.t.t("forget.done"))]

    async def resume(self, ctx: Context, state: DialogState) -> list[Reply]:
        return [self._ask(ctx, state)]
