"""/audit: the latest coordinators' actions, each with who and when."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.context import Context
from bot.core.dispatcher import Command, Dispatcher
from bot.core.i18n import Translator
from bot.core.messages import Reply
from bot.storage.clock import parse

SHOWN = 20

_WHAT: dict[str, Callable[[Translator, str], str]] = {
    "answer": lambda t, s: t.t("audit.answer", subject=s),
    "close": lambda t, s: t.t("audit.close", subject=s),
    "export": lambda t, s: t.t("audit.export", subject=s),
    "export_attendees": lambda t, s: t.t("audit.export_attendees", subject=s),
    "reload": lambda t, s: t.t("audit.reload", subject=s),
    "announce": lambda t, s: t.t("audit.announce", subject=s),
    "announce_cancel": lambda t, s: t.t("audit.announce_cancel", subject=s),
    "workshop_add": lambda t, s: t.t("audit.workshop_add", subject=s),
    "workshop_edit": lambda t, s: t.t("audit.workshop_edit", subject=s),
    "workshop_cancel": lambda t, s: t.t("audit.workshop_cancel", subject=s),
    "web_signin": lambda t, s: t.t("audit.web_signin"),
}


def what(t: Translator, action: str, subject: str) -> str:
    """An action in words, as /audit and the console's pages show it."""
    return _WHAT[action](t, subject) if action in _WHAT else f"{action} {subject}"


async def audit(ctx: Context) -> list[Reply]:
    t, services = ctx.t, ctx.services
    entries = await services.audit.latest(SHOWN)
    if not entries:
        return [ctx.with_menu_button(t.t("audit.empty"))]
    zone = services.settings.timezone
    lines = [t.t("audit.title")]
    for e in entries:
        who = t.t("audit.cli") if e.actor == "cli" else e.actor
        lines.append(f"{t.datetime(parse(e.at), zone)} · {who}: {what(t, e.action, e.subject)}")
    return [ctx.with_menu_button("\n".join(lines))]


def install(dispatcher: Dispatcher) -> None:
    dispatcher.add_command(Command("audit", audit, "cmd.audit", coordinator_only=True))
