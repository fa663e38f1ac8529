"""The coordinators' workshop form: a new workshop, or changes to one, a step at a time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from bot.core.context import Context
from bot.core.dialogs.menu import menu, other_form_open
from bot.core.dispatcher import Command, Dispatcher
from bot.core.i18n import Translator
from bot.core.locales import Locale
from bot.core.messages import Button, Reply
from bot.core.numbers import number
from bot.core.script import has_cyrillic, is_latin_serbian, to_cyrillic
from bot.storage.clock import parse, stamp
from bot.storage.dialogs import DialogState
from bot.storage.workshops import DEFAULT_MINUTES, DEFAULT_REMINDERS, Workshop
from bot.workshops import changes, people, view
from bot.workshops.when import WhenError, coming_days, parse_when

NAME = "workshop"
STEPS = (
    "title", "title_en", "when", "place", "place_en", "description", "description_en",
    "deadline", "capacity", "reminders", "preview",
)  # fmt: skip
EDITABLE = STEPS[:-1]
# Serbian is typed once, in either script, and stored in Cyrillic under these keys
SERBIAN = {"title": "title_sr", "place": "place_sr", "description": "description_sr"}
ENGLISH = ("title_en", "place_en", "description_en")
# the step that offers the Cyrillic of a text typed in Latin, and the step it belongs to
CONFIRM = {"title_cyr": "title", "place_cyr": "place", "description_cyr": "description"}
TEXT_STEPS = {*SERBIAN, *ENGLISH, *CONFIRM, "when", "time", "deadline", "capacity"}
# a card must fit one Telegram message three times over in the preview
LIMITS = {"title": 150, "place": 300, "description": 800}
REMINDERS: dict[str, tuple[int, ...]] = {
    "both": DEFAULT_REMINDERS, "day": (1440,), "hour": (60,), "none": (),
}  # fmt: skip
TIMES = ("09:00", "10:00", "12:00", "14:00", "16:00")
MAX_CAPACITY = 10_000
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Rows = tuple[tuple[Button, ...], ...]


class Invalid(Exception):
    """Input refused at a step; `text` is the one line that says why, already translated."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def when_problem(t: Translator, reason: str) -> str:
    # written out so that each message id appears literally for the catalogue check
    if reason == "when.past":
        return t.t("when.past")
    if reason == "when.no_time":
        return t.t("when.no_time")
    if reason == "when.impossible":
        return t.t("when.impossible")
    return t.t("when.unreadable")


def field_label(t: Translator, field: str) -> str:
    labels = {
        "title": t.t("wsc.field.title"),
        "title_en": t.t("wsc.field.title_en"),
        "when": t.t("wsc.field.when"),
        "place": t.t("wsc.field.place"),
        "place_en": t.t("wsc.field.place_en"),
        "description": t.t("wsc.field.description"),
        "description_en": t.t("wsc.field.description_en"),
        "deadline": t.t("wsc.field.deadline"),
        "capacity": t.t("wsc.field.capacity"),
        "reminders": t.t("wsc.field.reminders"),
    }
    return labels[field]


def reminders_label(t: Translator, minutes: tuple[int, ...]) -> str:
    chosen = next((k for k, v in REMINDERS.items() if v == tuple(minutes)), "both")
    labels = {
        "both": t.t("wsc.reminders.both"),
        "day": t.t("wsc.reminders.day"),
        "hour": t.t("wsc.reminders.hour"),
        "none": t.t("wsc.reminders.none"),
    }
    return labels[chosen]


def as_data(w: Workshop) -> dict[str, Any]:
    """A stored workshop as the form keeps it, to be changed field by field."""
    return {
        "wid": w.id, "title_sr": w.title_sr, "title_en": w.title_en, "place_sr": w.place_sr,
        "place_en": w.place_en, "link": w.link, "description_sr": w.description_sr,
        "description_en": w.description_en, "starts_at": stamp(w.starts_at),
        "signup_until": stamp(w.signup_until) if w.signup_until else None,
        "capacity": w.capacity, "reminders": list(w.reminders), "minutes": w.minutes,
    }  # fmt: skip


def as_workshop(data: dict[str, Any]) -> Workshop:
    """The form's answers as a workshop, for the preview and for saving."""
    return Workshop(
        id=int(data.get("wid") or 0), title_sr=data.get("title_sr", ""),
        title_en=data.get("title_en", ""), place_sr=data.get("place_sr", ""),
        place_en=data.get("place_en", ""),
        starts_at=parse(data["starts_at"]) if data.get("starts_at") else datetime.now(UTC),
        description_sr=data.get("description_sr", ""),
        description_en=data.get("description_en", ""), link=data.get("link", ""),
        capacity=data.get("capacity"),
        signup_until=parse(data["signup_until"]) if data.get("signup_until") else None,
        reminders=tuple(data.get("reminders", DEFAULT_REMINDERS)),
        minutes=int(data.get("minutes") or DEFAULT_MINUTES),
    )  # fmt: skip


def preview(ctx: Context, data: dict[str, Any]) -> str:
    """The workshop as each locale will read it, then what only coordinators see."""
    t, zone, i18n = ctx.t, ctx.services.settings.timezone, ctx.services.i18n
    w = as_workshop(data)
    headings = (
        (Locale.SR_CYRL, t.t("wsc.preview_cyrl")),
        (Locale.SR_LATN, t.t("wsc.preview_latn")),
        (Locale.EN, t.t("wsc.preview_en")),
    )
    parts = [t.t("wsc.preview_intro")]
    parts += [f"{heading}\n{view.card(w, i18n[loc], zone)}" for loc, heading in headings]
    if not w.title_en or not w.description_en or (w.place_sr and not w.place_en):
        parts.append(t.t("wsc.preview_no_english"))
    settings = [
        t.t("wsc.preview_capacity", n=w.capacity)
        if w.capacity is not None
        else t.t("wsc.preview_no_limit"),
        t.t("wsc.preview_reminders", reminders=reminders_label(t, w.reminders)),
    ]
    if w.signup_until is None:
        settings.insert(0, t.t("wsc.preview_no_deadline"))
    parts.append("\n".join(settings))
    return "\n\n".join(parts)


class WorkshopForm:
    name = NAME
    resumable = True
    # a title may well end with a question mark ("Kako do partnera?"): not one for the bot
    free_text_steps = frozenset({*SERBIAN, *ENGLISH, *CONFIRM})

    # -- opening the form ----------------------------------------------------------------

    async def start(self, ctx: Context) -> list[Reply]:
        return await self._open(ctx, "new")

    async def edit(self, ctx: Context, workshop_id: int) -> list[Reply]:
        return await self._open(ctx, str(workshop_id))

    async def _open(self, ctx: Context, target: str) -> list[Reply]:
        existing = await ctx.services.dialogs.form(ctx.user.id)
        if existing is not None and existing.name == self.name:
            # what was typed so far is not thrown away by a second /workshop or Edit
            t = ctx.t
            choice = (
                Button(t.t("menu.resume"), "resume"),
                ctx.dialog_button(t.t("wsc.button.start_over"), existing, f"restart={target}"),
            )
            return [Reply(t.t("wsc.in_progress"), (choice,))]
        if (other := await other_form_open(ctx, self.name)) is not None:
            return [other]
        return await self._begin(ctx, target)

    async def _begin(self, ctx: Context, target: str) -> list[Reply]:
        t, dialogs = ctx.t, ctx.services.dialogs
        if target == "new":
            data: dict[str, Any] = {"wid": None, "reminders": list(DEFAULT_REMINDERS)}
            state = await dialogs.put(ctx.user.id, self.name, "title", data, new_token=True)
            return [Reply(t.t("wsc.intro")), self._prompt(ctx, state)]
        wid = number(target)
        w = await ctx.services.workshops.get(wid) if wid is not None else None
        if w is None:
            unknown = t.t("wsc.unknown", id=target[:20], command="/workshops")
            return [ctx.with_menu_button(unknown)]
        if w.cancelled:
            cancelled = t.t("wsc.is_cancelled", title=view.title(w, t))
            return [ctx.with_menu_button(cancelled)]
        state = await dialogs.put(ctx.user.id, self.name, "edit", as_data(w), new_token=True)
        return [self._prompt(ctx, state)]

    async def resume(self, ctx: Context, state: DialogState) -> list[Reply]:
        if not ctx.coordinator:
            return await self._not_coordinator(ctx)
        return [self._prompt(ctx, state)]

    async def _not_coordinator(self, ctx: Context) -> list[Reply]:
        # someone no longer a coordinator (the settings changed) keeps nothing half-made
        await ctx.services.dialogs.clear(ctx.user.id, self.name)
        return [ctx.with_menu_button(ctx.t.t("coordinator.only", command="/workshop"))]

    # -- what each step asks -------------------------------------------------------------

    def _nav(self, ctx: Context, state: DialogState) -> tuple[Button, ...]:
        t = ctx.t
        first = state.step == "title" and not state.data.get("editing")
        back = () if first else (
            ctx.dialog_button(t.t("wsc.button.back"), state, f"{state.step}|back"),
        )  # fmt: skip
        return (*back, ctx.dialog_button(t.t("button.cancel"), state, "cancel"))

    def _prompt(self, ctx: Context, state: DialogState, problem: str = "") -> Reply:
        t, data, step = ctx.t, state.data, state.step
        zone = ctx.services.settings.timezone
        rows: list[tuple[Button, ...]] = []

        def b(label: str, value: str) -> Button:
            # a button answers only the step it was shown for: a double tap or an old
            # message's button must not answer the next question
            return ctx.dialog_button(label, state, f"{step}|{value}")

        skip = (b(t.t("wsc.button.skip"), "skip"),)
        if step == "title":
            text = t.t("wsc.ask_title")
        elif step in CONFIRM:
            offered = to_cyrillic(str(data.get("pending", "")))
            rows.append((b(t.t("wsc.button.accept_cyrillic"), "accept"),))
            text = t.t("wsc.offer_cyrillic", cyrillic=offered)
        elif step == "title_en":
            rows.append(skip)
            text = t.t("wsc.ask_title_en")
        elif step == "when":
            now = datetime.now(UTC)
            for day in coming_days(now, zone):
                noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
                rows.append((b(t.date(noon, zone), f"day={day.isoformat()}"),))
            text = t.t("wsc.ask_when")
        elif step == "time":
            day = date.fromisoformat(str(data["day"]))
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
            rows.append(tuple(b(hhmm, f"at={hhmm}") for hhmm in TIMES))
            text = t.t("wsc.ask_time", date=t.date(noon, zone))
        elif step == "place":
            text = t.t("wsc.ask_place")
        elif step == "place_en":
            rows.append(skip)
            text = t.t("wsc.ask_place_en")
        elif step == "description":
            text = t.t("wsc.ask_description")
        elif step == "description_en":
            rows.append(skip)
            text = t.t("wsc.ask_description_en")
        elif step == "deadline":
            rows.append((b(t.t("wsc.button.no_deadline"), "none"),))
            text = t.t("wsc.ask_deadline")
        elif step == "capacity":
            rows.append((b(t.t("wsc.button.no_limit"), "none"),))
            text = t.t("wsc.ask_capacity")
        elif step == "reminders":
            current = tuple(data.get("reminders", DEFAULT_REMINDERS))
            for key, minutes in REMINDERS.items():
                label = reminders_label(t, minutes)
                mark = "wsc.choice_on" if minutes == current else "wsc.choice_off"
                rows.append((b(t.t(mark, label=label), f"r={key}"),))
            text = t.t("wsc.ask_reminders")
        elif step == "preview":
            save = "wsc.button.save_changes" if data.get("wid") else "wsc.button.save"
            rows.append((b(t.t(save), "save"),))
            rows.append((b(t.t("wsc.button.change"), "edit"),))
            text = preview(ctx, data)
        else:  # "edit": which field
            rows += [(b(field_label(t, f), f"edit={f}"),) for f in EDITABLE]
            if data.get("wid"):
                rows.append((b(t.t("wsc.button.to_preview"), "show"),))
            card = view.card(as_workshop(data), t, zone)
            text = card + "\n\n" + t.t("wsc.ask_edit")
        rows.append(self._nav(ctx, state))
        return Reply(f"{problem}\n\n{text}" if problem else text, tuple(rows))

    # -- moving between steps ------------------------------------------------------------

    async def _go(self, ctx: Context, state: DialogState, step: str, **changes: Any) -> DialogState:
        data = {**state.data, **changes}
        return await ctx.services.dialogs.put(ctx.user.id, self.name, step, data)

    async def _advance(
        self, ctx: Context, state: DialogState, answered: str, **changes: Any
    ) -> list[Reply]:
        """Stores the answer to step `answered` and asks the next question."""
        data = {**state.data, **changes, "pending": "", "day": None}
        if data.get("editing"):
            target = "preview"
        else:
            target = STEPS[STEPS.index(answered) + 1]
            if target == "place_en" and not data.get("place_sr"):
                target = "description"  # online only: no place to translate
        if target == "preview":
            data["editing"] = False
        new = await ctx.services.dialogs.put(ctx.user.id, self.name, target, data)
        return [self._prompt(ctx, new)]

    def _before(self, state: DialogState) -> str:
        step, data = state.step, state.data
        if step == "preview" and data.get("wid"):
            return "edit"
        if data.get("editing") or step == "edit":
            return "preview"
        if step in CONFIRM:
            return CONFIRM[step]
        if step == "time":
            return "when"
        before = STEPS[max(STEPS.index(step) - 1, 0)]
        if before == "place_en" and not data.get("place_sr"):
            return "place"
        return before

    # -- text answers ------------------------------------------------------------------

    async def on_text(self, ctx: Context, state: DialogState, text: str) -> list[Reply]:
        if not ctx.coordinator:
            return await self._not_coordinator(ctx)
        if state.step not in TEXT_STEPS:
            return [self._prompt(ctx, state, ctx.t.t("wsc.use_buttons"))]
        return await self._answer(ctx, state, text.strip())

    async def _answer(self, ctx: Context, state: DialogState, text: str) -> list[Reply]:
        """The step's answer, or the reason it was refused and the same question again."""
        try:
            return await self._text(ctx, state, text)
        except Invalid as problem:
            return [self._prompt(ctx, state, problem.text)]
        except WhenError as problem:
            return [self._prompt(ctx, state, when_problem(ctx.t, problem.reason))]

    def _checked(self, t: Translator, field: str, text: str) -> str:
        # "…" or "-" is no title: something to read must be there
        if not any(ch.isalnum() for ch in text):
            raise Invalid(t.t("wsc.empty"))
        limit = LIMITS[field]
        if len(text) > limit:
            raise Invalid(
                t.t("wsc.too_long", length=t.characters(len(text)), limit=t.characters(limit))
            )
        return text

    async def _text(self, ctx: Context, state: DialogState, text: str) -> list[Reply]:
        t, step = ctx.t, state.step
        zone = ctx.services.settings.timezone
        now = datetime.now(UTC)
        if step in SERBIAN:
            return await self._serbian(ctx, state, step, text)
        if step in CONFIRM:
            field = CONFIRM[step]
            if has_cyrillic(text):  # the coordinator typed the Cyrillic themselves
                cyrillic = self._checked(t, field, text)
                return await self._advance(ctx, state, field, **{SERBIAN[field]: cyrillic})
            return await self._serbian(ctx, state, field, text)
        if step in ENGLISH:
            if has_cyrillic(text):
                raise Invalid(t.t("wsc.english_expected"))
            english = self._checked(t, step.removesuffix("_en"), text)
            return await self._advance(ctx, state, step, **{step: english})
        if step == "when":
            return await self._start_at(ctx, state, parse_when(text, now, zone))
        if step == "time":
            day = str(state.data["day"])
            return await self._start_at(ctx, state, parse_when(f"{day} {text}", now, zone))
        if step == "deadline":
            until = parse_when(text, now, zone, need_time=False)
            start = parse(state.data["starts_at"])
            if until >= start:
                when = t.datetime(start, zone)
                raise Invalid(t.t("wsc.deadline_after_start", start=when))
            return await self._advance(ctx, state, step, signup_until=stamp(until))
        # capacity
        number = text.replace(".", "").replace(" ", "")
        # isdecimal, not isdigit: "²" is a digit that int() refuses
        if not number.isdecimal() or not 1 <= int(number) <= MAX_CAPACITY:
            raise Invalid(t.t("wsc.capacity_bad", limit=MAX_CAPACITY))
        return await self._advance(ctx, state, step, capacity=int(number))

    async def _serbian(
        self, ctx: Context, state: DialogState, field: str, text: str
    ) -> list[Reply]:
        """A Serbian text: Cyrillic is kept; Latin gets its Cyrillic offered first."""
        changes: dict[str, Any] = {}
        if field == "place":
            # "Сала 3, https://meet…": the link goes to its own field, the rest is the place
            links = _URL.findall(text)
            changes["link"] = links[0] if links else ""
            text = _URL.sub("", text).strip(" ,;:-–—\n")
            if not text and links:
                changes.update(place_sr="", place_en="")
                return await self._advance(ctx, state, field, **changes)
        text = self._checked(ctx.t, field, text)
        if not is_latin_serbian(text):
            return await self._advance(ctx, state, field, **changes, **{SERBIAN[field]: text})
        new = await self._go(ctx, state, f"{field}_cyr", pending=text, **changes)
        return [self._prompt(ctx, new)]

    async def _start_at(self, ctx: Context, state: DialogState, moment: datetime) -> list[Reply]:
        changes: dict[str, Any] = {"starts_at": stamp(moment)}
        until = state.data.get("signup_until")
        if until and parse(until) >= moment:
            # a deadline after the new start would never close: it is asked again
            changes["signup_until"] = None
            new = await self._go(ctx, state, "deadline", **changes, pending="", day=None)
            return [self._prompt(ctx, new, ctx.t.t("wsc.deadline_dropped"))]
        return await self._advance(ctx, state, "when", **changes)

    # -- buttons -----------------------------------------------------------------------

    async def on_button(self, ctx: Context, state: DialogState, value: str) -> list[Reply]:
        if not ctx.coordinator:
            return await self._not_coordinator(ctx)
        if value.startswith("restart="):
            await ctx.services.dialogs.clear(ctx.user.id, self.name)
            return await self._begin(ctx, value.removeprefix("restart="))
        step, _, value = value.rpartition("|")
        key, _, arg = value.partition("=")
        t = ctx.t
        if key != "cancel" and step != state.step:
            return [self._prompt(ctx, state, t.t("wsc.old_button"))]
        if key == "cancel":
            await ctx.services.dialogs.clear(ctx.user.id, self.name)
            return [menu(ctx, "wsc.cancelled")]
        if key == "back":
            back = await self._go(ctx, state, self._before(state), editing=False)
            return [self._prompt(ctx, back)]
        if key == "accept" and step in CONFIRM:
            field = CONFIRM[step]
            cyrillic = to_cyrillic(str(state.data.get("pending", "")))
            return await self._advance(ctx, state, field, **{SERBIAN[field]: cyrillic})
        if key == "skip" and step in ENGLISH:
            return await self._advance(ctx, state, step, **{step: ""})
        if key == "day" and step == "when" and _DAY.fullmatch(arg):
            new = await self._go(ctx, state, "time", day=arg)
            return [self._prompt(ctx, new)]
        if key == "at" and step == "time" and arg in TIMES:
            return await self._answer(ctx, state, arg)
        if key == "none" and step == "deadline":
            return await self._advance(ctx, state, step, signup_until=None)
        if key == "none" and step == "capacity":
            return await self._advance(ctx, state, step, capacity=None)
        if key == "r" and arg in REMINDERS:
            return await self._advance(ctx, state, step, reminders=list(REMINDERS[arg]))
        if key == "edit" and not arg:
            return [self._prompt(ctx, await self._go(ctx, state, "edit"))]
        if key == "edit" and arg in EDITABLE:
            return [self._prompt(ctx, await self._go(ctx, state, arg, editing=True))]
        if key == "show" and step == "edit":
            return [self._prompt(ctx, await self._go(ctx, state, "preview", editing=False))]
        if key == "save" and step == "preview":
            return await self._save(ctx, state)
        return [self._prompt(ctx, state, t.t("wsc.old_button"))]

    # -- saving ------------------------------------------------------------------------

    async def _save(self, ctx: Context, state: DialogState) -> list[Reply]:
        t, services, data = ctx.t, ctx.services, state.data
        zone = services.settings.timezone
        missing = next(
            (
                step
                for step, present in (
                    ("title", data.get("title_sr")),
                    ("when", data.get("starts_at")),
                    ("place", data.get("place_sr") or data.get("link")),
                    ("description", data.get("description_sr")),
                )
                if not present
            ),
            None,
        )
        if missing is not None:
            # cannot happen through the buttons; if it does, ask instead of failing
            new = await self._go(ctx, state, missing, editing=True)
            return [self._prompt(ctx, new)]
        w = as_workshop(data)
        wid = data.get("wid")
        old = await services.workshops.get(int(wid)) if wid else None
        if wid and (old is None or old.cancelled):
            await services.dialogs.clear(ctx.user.id, self.name)
            return [ctx.with_menu_button(t.t("wsc.gone", title=view.title(w, t)))]
        moved = old is None or old.starts_at != w.starts_at
        if moved and w.starts_at <= datetime.now(UTC):
            # the form waited long enough for its time to pass
            new = await self._go(ctx, state, "when", editing=True)
            return [self._prompt(ctx, new, t.t("when.past"))]
        when = t.datetime(w.starts_at, zone)
        title = view.title(w, t)
        if old is None:
            new_id = await changes.add(services, w, ctx.msg.user)
            await services.dialogs.clear(ctx.user.id, self.name)
            buttons: Rows = (
                (Button(t.t("wsc.button.announce"), f"an:ws:{new_id}"),),
                (ctx.menu_button(),),
            )
            return [Reply(t.t("wsc.saved", title=title, when=when, id=new_id), buttons)]
        changed = await changes.change(services, old, w, ctx.msg.user)
        await services.dialogs.clear(ctx.user.id, self.name)
        if changed is None:
            return [ctx.with_menu_button(t.t("wsc.gone", title=title))]
        for user_id in changed.moved_up:
            await people.tell_moved_up(ctx, changed.workshop, user_id)
        lines = [t.t("wsc.saved_changes", title=title, when=when)]
        if changed.told is not None:
            lines.append(t.tn("wsc.change_told", "wsc.change_told_plural", changed.told))
        return [Reply("\n\n".join(lines), ((ctx.menu_button(),),))]


FORM = WorkshopForm()


def install(dispatcher: Dispatcher) -> None:
    dispatcher.add_dialog(FORM)
    dispatcher.add_command(
        Command("workshop", FORM.start, "wsc.cmd.workshop", coordinator_only=True)
    )
