"""The main menu, help, language choice and the coordinators' statistics."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.locales import Locale, from_hint
from bot.core.messages import Button, Reply

# (payload, message id of the label); the order is the order on screen
MENU_ENTRIES = (
    ("m:faq", "menu.faq"),
    ("m:register", "menu.register"),
    ("m:workshops", "menu.workshops"),
    ("m:ask", "menu.ask"),
    ("m:language", "menu.language"),
)


def menu(ctx: Context, title_id: str = "menu.title") -> Reply:
    t = ctx.t
    buttons = [Button(t.t(label), payload) for payload, label in MENU_ENTRIES]
    # two per row keeps labels readable on a phone
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    return Reply(t.t(title_id), rows)


def language_picker(ctx: Context, title_id: str) -> Reply:
    """Ћирилица / Latinica / English, each written in itself; the likely one is marked."""
    i18n = ctx.services.i18n
    current = ctx.user.locale or from_hint(ctx.msg.language_hint) or ctx.locale
    labels = {
        Locale.SR_CYRL: i18n[Locale.SR_CYRL].t("language.cyrillic"),
        Locale.SR_LATN: i18n[Locale.SR_LATN].t("language.latin"),
        Locale.EN: i18n[Locale.EN].t("language.english"),
    }
    buttons = tuple(
        Button(
            ctx.t.t("language.preselected", label=label) if loc is current else label,
            f"lang:{loc.value}",
        )
        for loc, label in labels.items()
    )
    return Reply(ctx.t.t(title_id), (buttons,))


async def start(ctx: Context) -> list[Reply]:
    if ctx.user.locale is None:
        return [language_picker(ctx, "welcome.first")]
    # a language chosen before the first message (`chat --lang`) is no earlier visit
    if ctx.user.new:
        return [menu(ctx, "welcome.new")]
    return [menu(ctx, "welcome.back")]


async def show_menu(ctx: Context) -> list[Reply]:
    main = menu(ctx)
    if await ctx.services.dialogs.form(ctx.user.id) is None:
        return [main]
    # an unfinished form stays where it was; say so, or free text would seem to vanish in it
    resume = (Button(ctx.t.t("menu.resume"), "resume"), Button(ctx.t.t("button.cancel"), "stop"))
    return [Reply(main.text + "\n\n" + ctx.t.t("menu.unfinished"), (*main.buttons, resume))]


async def other_form_open(ctx: Context, name: str = "") -> Reply | None:
    """A person has one form at a time: starting another would silently throw away what they
    typed in the one open (other than `name`, which asks in its own words). They continue it,
    or cancel it and start again."""
    form = await ctx.services.dialogs.form(ctx.user.id)
    if form is None or form.name == name:
        return None
    t = ctx.t
    choice = (Button(t.t("menu.resume"), "resume"), Button(t.t("button.cancel"), "stop"))
    return Reply(t.t("form.other_open"), (choice,))


async def help_text(ctx: Context) -> list[Reply]:
    text = ctx.t.t("help.text")
    if ctx.coordinator:
        text += "\n\n" + ctx.t.t("help.coordinator")
    return [Reply(text, ((ctx.menu_button(),),))]


async def choose_language(ctx: Context) -> list[Reply]:
    return [language_picker(ctx, "language.choose")]


# messengers' names are brands, written as their users write them
MESSENGER_NAMES = {"telegram": "Telegram", "viber": "Viber"}


async def stats(ctx: Context) -> list[Reply]:
    t = ctx.t
    rows = await ctx.services.users.counts()
    total = sum(n for _, _, n in rows)
    lines = [t.tn("stats.people", "stats.people_plural", total)]
    for messenger, locale, n in rows:
        # in words: "Telegram, Serbian, Cyrillic: 2 people", not "telegram, sr-Cyrl: 2"
        language = t.t(f"stats.locale.{locale}") if locale else t.t("stats.no_locale")
        people = t.tn("count.people", "count.people_plural", n)
        name = MESSENGER_NAMES.get(messenger) or t.t("stats.console")
        lines.append(t.t("stats.line", messenger=name, locale=language, people=people))
    return [ctx.with_menu_button("\n".join(lines))]
