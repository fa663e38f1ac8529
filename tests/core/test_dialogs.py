"""Dialog state lives in the database: a restart resumes it, stale buttons expire."""

from __future__ import annotations

from pathlib import Path

from bot.app import App
from bot.core.context import Context
from bot.core.i18n import I18n
from bot.core.messages import Reply, UserRef
from bot.storage.dialogs import DialogState
from tests.chat import Person, settings, shared_faq


class Counter:
    """A two-step form: a number, then a yes/no button."""

    name = "counter"
    resumable = True

    async def start(self, ctx: Context) -> list[Reply]:
        await ctx.services.dialogs.put(ctx.user.id, self.name, "number", {})
        return [Reply("number?")]

    async def on_text(self, ctx: Context, state: DialogState, text: str) -> list[Reply]:
        if state.step != "number" or not text.isdigit():
            return [Reply("a number, please")]
        state = await ctx.services.dialogs.put(ctx.user.id, self.name, "confirm", {"n": text})
        return [Reply(f"keep {text}?", ((ctx.dialog_button("yes", state, "yes"),),))]

    async def on_button(self, ctx: Context, state: DialogState, value: str) -> list[Reply]:
        await ctx.services.dialogs.clear(ctx.user.id, self.name)
        return [Reply(f"kept {state.data['n']}")]

    async def resume(self, ctx: Context, state: DialogState) -> list[Reply]:
        return [Reply(f"still at {state.step}")]


async def _open(db: Path, i18n: I18n) -> App:
    app = await App.open(settings(db), i18n, faq=shared_faq())
    dialog = Counter()
    app.dispatcher.add_dialog(dialog)

    async def start(ctx: Context) -> list[Reply]:
        return await dialog.start(ctx)

    app.dispatcher.menu_entries["m:count"] = start
    return app


async def test_a_restart_in_the_middle_of_a_dialog_resumes_it(db_path: Path, i18n: I18n) -> None:
    app = await _open(db_path, i18n)
    ana = Person(app, UserRef("console", "1"), hint="en")
    await ana.press_payload("m:count")
    await ana.say("42")
    yes = ana.button("yes")
    await app.close()

    app = await _open(db_path, i18n)
    ana = Person(app, UserRef("console", "1"), hint="en")
    await ana.press_payload(yes.payload)
    assert ana.text == "kept 42"
    await ana.press_payload(yes.payload)
    assert "This button has expired" in ana.text, "the dialog is over: its buttons are stale"
    await app.close()


async def test_a_new_dialog_makes_the_old_ones_buttons_expire(db_path: Path, i18n: I18n) -> None:
    app = await _open(db_path, i18n)
    ana = Person(app, UserRef("console", "1"), hint="en")
    await ana.press_payload("m:count")
    await ana.say("1")
    old = ana.button("yes")
    await ana.say("/cancel")
    assert "Cancelled" in ana.text
    await ana.press_payload("m:count")
    await ana.say("2")
    new = ana.button("yes")
    assert new.payload != old.payload
    await ana.press_payload(old.payload)
    assert "This button has expired" in ana.text
    await ana.press_payload(new.payload)
    assert ana.text == "kept 2"
    await app.close()


async def test_the_chosen_language_survives_a_restart(db_path: Path, i18n: I18n) -> None:
    app = await App.open(settings(db_path), i18n, faq=shared_faq())
    ana = Person(app, UserRef("console", "1"), hint="en")
    await ana.say("/start")
    await ana.press("Latinica")
    await app.close()

    app = await App.open(settings(db_path), i18n, faq=shared_faq())
    ana = Person(app, UserRef("console", "1"), hint="en")
    await ana.say("hello, what can you do?")
    assert ana.labels()[-1] == "Meni"
    await app.close()
