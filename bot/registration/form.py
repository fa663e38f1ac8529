"""The registration form: one question per step, state written at every step."""

from __future__ import annotations

from typing import Any

from bot.core.context import Context
from bot.core.dialogs.menu import menu, other_form_open
from bot.core.i18n import Translator
from bot.core.messages import Button, Reply
from bot.registration import fields
from bot.registration.fields import AREAS, CONSENT_VERSION, POSITIONS, STAGES, Invalid
from bot.registration.municipalities import Municipality, all_municipalities, search
from bot.storage.dialogs import DialogState
from bot.storage.registrations import Registration, Stored

STEPS = (
    "municipality", "name", "position", "email", "phone", "areas", "stage", "consent",
    "announcements", "summary",
)  # fmt: skip
# Fields the summary's Edit can jump to (the consent is given again by confirming).
EDITABLE = ("municipality", "name", "position", "email", "phone", "areas", "stage", "announcements")
REQUIRED = ("municipality", "name", "position", "email", "areas", "stage", "consent")
TEXT_STEPS = {"municipality", "name", "position_other", "email", "phone"}

Rows = tuple[tuple[Button, ...], ...]


def municipality_label(m: Municipality, t: Translator) -> str:
    name = m.name_cyrl if t.locale.value == "sr-Cyrl" else m.name_latn
    if m.type != "city municipality":
        return name
    parent = m.parent_cyrl if t.locale.value == "sr-Cyrl" else m.parent_latn
    return t.t("registration.city_municipality", name=name, parent=parent)


def shown_phone(t: Translator, stored: str) -> str:
    if not stored:
        return t.t("registration.no_phone")
    number, extension = fields.phone_parts(stored)
    return (
        t.t("registration.phone_extension", number=number, ext=extension) if extension else number
    )


def choice_label(t: Translator, kind: str, key: str) -> str:
    return t.t(f"registration.{kind}.{key}")


class RegistrationForm:
    name = "register"
    resumable = True

    async def start(self, ctx: Context) -> list[Reply]:
        existing = await ctx.services.dialogs.form(ctx.user.id)
        if existing is not None and existing.name == self.name:
            # what was typed so far is not thrown away by a second press of "Register"
            t = ctx.t
            choice = (
                Button(t.t("menu.resume"), "resume"),
                ctx.dialog_button(t.t("registration.start_over"), existing, "restart"),
            )
            return [Reply(t.t("registration.in_progress"), (choice,))]
        if (other := await other_form_open(ctx, self.name)) is not None:
            return [other]
        return await self._begin(ctx)

    async def _begin(self, ctx: Context) -> list[Reply]:
        state = await ctx.services.dialogs.put(
            ctx.user.id, self.name, "municipality", {"areas": []}, new_token=True
        )
        return [Reply(ctx.t.t("registration.intro")), self._prompt(ctx, state)]

    async def resume(self, ctx: Context, state: DialogState) -> list[Reply]:
        return [self._prompt(ctx, state)]

    # -- what each step asks ---------------------------------------------------------------

    def _nav(self, ctx: Context, state: DialogState) -> tuple[Button, ...]:
        t = ctx.t
        back = () if state.step == "municipality" and not state.data.get("editing") else (
            ctx.dialog_button(t.t("registration.back"), state, f"{state.step}|back"),
        )  # fmt: skip
        return (*back, ctx.dialog_button(t.t("button.cancel"), state, "cancel"))

    def _prompt(self, ctx: Context, state: DialogState, prefix: str = "") -> Reply:
        t, data, step = ctx.t, state.data, state.step
        rows: list[tuple[Button, ...]] = []

        def b(label: str, state: DialogState, value: str) -> Button:
            # a button answers only the step it was shown for: a double tap or an old
            # message's button must not answer the next question
            return ctx.dialog_button(label, state, f"{state.step}|{value}")

        if step == "municipality":
            offered = [all_municipalities()[c] for c in data.get("offered", [])]
            rows += [(b(municipality_label(m, t), state, f"m={m.code}"),) for m in offered]
            text = t.t("registration.ask_municipality")
        elif step == "name":
            text = t.t("registration.ask_name")
        elif step == "position":
            rows += [(b(choice_label(t, "position", k), state, f"p={k}"),) for k in POSITIONS]
            text = t.t("registration.ask_position")
        elif step == "position_other":
            text = t.t("registration.ask_position_other")
        elif step == "email":
            text = t.t("registration.ask_email")
        elif step == "phone":
            rows.append((b(t.t("registration.skip_phone"), state, "phone_skip"),))
            text = t.t("registration.ask_phone")
        elif step == "areas":
            chosen = set(data.get("areas", []))
            for k in AREAS:
                mark = "registration.toggle_on" if k in chosen else "registration.toggle_off"
                label = t.t(mark, label=choice_label(t, "area", k))
                rows.append((b(label, state, f"a={k}"),))
            rows.append((b(t.t("registration.areas_done"), state, "a_done"),))
            text = t.t("registration.ask_areas")
        elif step == "stage":
            rows += [(b(choice_label(t, "stage", k), state, f"s={k}"),) for k in STAGES]
            text = t.t("registration.ask_stage")
        elif step == "consent":
            rows.append((b(t.t("registration.consent_yes"), state, "consent=yes"),))
            rows.append((b(t.t("registration.consent_no"), state, "consent=no"),))
            text = t.t("registration.consent", version=CONSENT_VERSION)
        elif step == "announcements":
            rows.append(
                (
                    b(t.t("registration.yes"), state, "ann=yes"),
                    b(t.t("registration.no"), state, "ann=no"),
                )
            )
            text = t.t("registration.ask_announcements")
        elif step == "summary":
            rows.append((b(t.t("registration.confirm"), state, "confirm"),))
            rows.append((b(t.t("registration.edit"), state, "edit"),))
            text = t.t("registration.summary_title") + "\n\n" + summary(t, data)
        else:  # "edit": which field
            rows += [(b(t.t(f"registration.field.{f}"), state, f"edit={f}"),) for f in EDITABLE]
            text = t.t("registration.ask_edit")
        rows.append(self._nav(ctx, state))
        return Reply(prefix + text, tuple(rows))

    # -- moving between steps ----------------------------------------------------------------

    async def _go(self, ctx: Context, state: DialogState, step: str, **changes: Any) -> DialogState:
        data = {**state.data, **changes}
        return await ctx.services.dialogs.put(ctx.user.id, self.name, step, data)

    def _after(self, state: DialogState, step: str) -> str:
        if state.data.get("editing"):
            return "summary"
        if step == "position_other":
            return "email"
        return STEPS[STEPS.index(step) + 1]

    def _before(self, state: DialogState) -> str:
        if state.data.get("editing") or state.step == "edit":
            return "summary"
        if state.step == "position_other":
            return "position"
        index = STEPS.index(state.step)
        if state.step == "email" and state.data.get("position") == "other":
            return "position_other"
        return STEPS[max(index - 1, 0)]

    async def _advance(self, ctx: Context, state: DialogState, **changes: Any) -> list[Reply]:
        target = self._after(state, state.step)
        if target == "summary":
            changes["editing"] = False
        new = await self._go(ctx, state, target, **changes)
        return [self._prompt(ctx, new)]

    async def on_text(self, ctx: Context, state: DialogState, text: str) -> list[Reply]:
        step, t = state.step, ctx.t
        if step not in TEXT_STEPS:
            return [self._prompt(ctx, state, t.t("registration.use_buttons") + "\n\n")]
        try:
            if step == "municipality":
                found = search(text)
                if not found:
                    raise Invalid("registration.municipality_unknown")
                state = await self._go(ctx, state, step, offered=[m.code for m in found])
                return [self._prompt(ctx, state, t.t("registration.municipality_pick") + "\n\n")]
            if step == "name":
                return await self._advance(ctx, state, name=fields.person_name(text))
            if step == "position_other":
                other = fields.free_text(text)
                return await self._advance(ctx, state, position="other", position_other=other)
            if step == "email":
                return await self._advance(ctx, state, email=fields.email(text))
            return await self._advance(ctx, state, phone=fields.phone(text))
        except Invalid as problem:
            reason = t.t(problem.reason, text=text.strip()[:60])
            return [self._prompt(ctx, state, reason + "\n\n")]

    async def on_button(self, ctx: Context, state: DialogState, value: str) -> list[Reply]:
        if value == "restart":
            return await self._begin(ctx)
        step, _, value = value.rpartition("|")
        key, _, arg = value.partition("=")
        if key != "cancel" and step != state.step:
            return [self._prompt(ctx, state, ctx.t.t("registration.old_button") + "\n\n")]
        if key == "cancel":
            await ctx.services.dialogs.clear(ctx.user.id, self.name)
            return [menu(ctx, "registration.cancelled")]
        if key == "back":
            back = await self._go(ctx, state, self._before(state), editing=False)
            return [self._prompt(ctx, back)]
        if key == "m" and arg in all_municipalities():
            return await self._advance(ctx, state, municipality=arg, offered=[])
        if key == "p" and arg in POSITIONS:
            if arg == "other":
                new = await self._go(ctx, state, "position_other")
                return [self._prompt(ctx, new)]
            return await self._advance(ctx, state, position=arg, position_other="")
        if key == "phone_skip":
            return await self._advance(ctx, state, phone="")
        if key == "a" and arg in AREAS:
            chosen = list(state.data.get("areas", []))
            chosen = [a for a in chosen if a != arg] if arg in chosen else [*chosen, arg]
            new = await self._go(ctx, state, "areas", areas=[a for a in AREAS if a in chosen])
            return [self._prompt(ctx, new)]
        if key == "a_done":
            if not state.data.get("areas"):
                return [self._prompt(ctx, state, ctx.t.t("registration.areas_none") + "\n\n")]
            return await self._advance(ctx, state)
        if key == "s" and arg in STAGES:
            return await self._advance(ctx, state, stage=arg)
        if key == "consent":
            if arg != "yes":
                await ctx.services.dialogs.clear(ctx.user.id, self.name)
                return [menu(ctx, "registration.no_consent")]
            return await self._advance(ctx, state, consent=CONSENT_VERSION)
        if key == "ann":
            return await self._advance(ctx, state, announcements=arg == "yes")
        if key == "edit" and not arg:
            new = await self._go(ctx, state, "edit")
            return [self._prompt(ctx, new)]
        if key == "edit" and arg in EDITABLE:
            new = await self._go(ctx, state, arg, editing=True)
            return [self._prompt(ctx, new)]
        if key == "confirm" and state.step == "summary":
            return await self._confirm(ctx, state)
        return [self._prompt(ctx, state, ctx.t.t("button.expired") + "\n\n")]

    async def _confirm(self, ctx: Context, state: DialogState) -> list[Reply]:
        data, services = state.data, ctx.services
        missing = [f for f in REQUIRED if not data.get(f)]
        if missing:
            # cannot happen through the buttons; if it does, ask instead of failing
            new = await self._go(ctx, state, missing[0], editing=False)
            return [self._prompt(ctx, new)]
        registration = Registration(
            municipality=data["municipality"], name=data["name"], position=data["position"],
            position_other=data.get("position_other", ""), email=data["email"],
            phone=data.get("phone", ""), areas=tuple(data["areas"]), stage=data["stage"],
            announcements=bool(data["announcements"]), consent_version=data["consent"],
            locale=ctx.locale.value,
        )  # fmt: skip
        # one transaction: saved, the form closed and the coordinators' notices queued, or
        # none of it (a crash cannot leave the form open over a saved registration, nor lose
        # a notice); "registered" is said after the commit
        async with ctx.atomic():
            # the answer is the person's one switch, "no" included (as /unsubscribe would)
            await services.users.set_subscribed(ctx.user.id, registration.announcements)
            stored = await services.registrations.save(ctx.user.id, registration)
            await services.dialogs.clear(ctx.user.id, self.name)
            await self._notify(ctx, stored)
        municipality = municipality_label(all_municipalities()[registration.municipality], ctx.t)
        done = "registration.updated" if stored.is_update else "registration.done"
        return [Reply(ctx.t.t(done, municipality=municipality)), menu(ctx)]

    async def _notify(self, ctx: Context, stored: Stored) -> None:
        for coordinator in sorted(ctx.services.settings.coordinators, key=str):
            if not await ctx.services.registrations.wants_notifications(coordinator):
                continue
            t = await ctx.translator_for(coordinator)
            kind = "registration.notify_updated" if stored.is_update else "registration.notify_new"
            text = t.t(kind) + "\n\n" + summary(t, as_data(stored.registration))
            await ctx.services.notices.add(ctx.user.id, coordinator, Reply(text))


def as_data(reg: Registration) -> dict[str, Any]:
    return {
        "municipality": reg.municipality, "name": reg.name, "position": reg.position,
        "position_other": reg.position_other, "email": reg.email, "phone": reg.phone,
        "areas": list(reg.areas), "stage": reg.stage, "announcements": reg.announcements,
    }  # fmt: skip


def summary(t: Translator, data: dict[str, Any]) -> str:
    """The form's answers, one line a field, in the reader's locale."""
    municipality = all_municipalities().get(data.get("municipality", ""))
    position = data.get("position", "")
    lines = [
        (
            "municipality",
            municipality_label(municipality, t) if municipality else "—",
        ),
        ("name", data.get("name", "—")),
        (
            "position",
            data.get("position_other")
            if position == "other" and data.get("position_other")
            else choice_label(t, "position", position)
            if position
            else "—",
        ),
        ("email", data.get("email", "—")),
        ("phone", shown_phone(t, data.get("phone", ""))),
        ("areas", ", ".join(choice_label(t, "area", a) for a in data.get("areas", [])) or "—"),
        ("stage", choice_label(t, "stage", data["stage"]) if data.get("stage") else "—"),
        (
            "announcements",
            t.t("registration.yes") if data.get("announcements") else t.t("registration.no"),
        ),
    ]
    return "\n".join(f"{t.t(f'registration.field.{key}')}: {value}" for key, value in lines)
