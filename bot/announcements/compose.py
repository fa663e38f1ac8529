"""/announce: a coordinator composes an announcement on a phone, step by step.

Text (or a workshop), English or Skip, audience with its count, time, a preview per locale,
confirm. The form survives other actions like any other; only the confirmation writes."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.announcements import audience as audiences
from bot.announcements import render
from bot.announcements.quiet import is_quiet, quiet_ends
from bot.core.context import Context
from bot.core.dialogs.menu import menu, other_form_open
from bot.core.i18n import Translator
from bot.core.locales import Locale
from bot.core.messages import Button, Reply
from bot.core.numbers import number
from bot.registration.fields import AREAS, STAGES
from bot.registration.form import choice_label, municipality_label
from bot.registration.municipalities import all_municipalities, search
from bot.storage.announcements import Announcement
from bot.storage.dialogs import DialogState
from bot.storage.workshops import Workshop
from bot.workshops import view
from bot.workshops.when import WhenError, parse_when

TEXT_STEPS = {"text", "english", "note", "municipality", "when"}
LOCALE_NAMES = {
    Locale.SR_CYRL: "language.cyrillic", Locale.SR_LATN: "language.latin",
    Locale.EN: "language.english",
}  # fmt: skip


def _packed(parts: list[str], limit: int) -> list[str]:
    """HTML parts joined into as few messages as fit Telegram's limit, in order."""
    messages: list[str] = []
    current = ""
    for part in parts:
        joined = f"{current}\n\n{part}" if current else part
        if current and render.visible_length(joined, True) > limit:
            messages.append(current)
            joined = part
        current = joined
    messages.append(current)
    return messages


def _draft(data: dict[str, Any], created_by: str) -> Announcement:
    at = datetime.fromisoformat(data["at"]) if data.get("at") else datetime.now(UTC)
    return Announcement(
        id=0, kind=data.get("kind", "news"), body_sr=data.get("body_sr", ""),
        body_en=data.get("body_en", ""), html=True, workshop_id=data.get("workshop_id"),
        audience=data.get("audience", "all"), at=at, force=bool(data.get("force")),
        status="scheduled", created_by=created_by, created_at=at, started_at=None,
        finished_at=None, progress_ref="",
    )  # fmt: skip


def announceable(w: Workshop) -> bool:
    """Its card offers "I'll attend": not for a workshop cancelled, begun or over."""
    return not w.cancelled and w.starts_at > datetime.now(UTC)


def _districts() -> list[str]:
    return sorted(audiences.districts().values())


def describe(t: Translator, spec: str) -> str:
    """The audience in words: "subscribers in Nišavski okrug"."""
    try:
        who = audiences.parse(spec)
    except audiences.AudienceError:
        return spec
    if who.key == "all":
        return t.t("announce.audience_all")
    if who.key == "municipality":
        names = [municipality_label(all_municipalities()[c], t) for c in who.values]
        value = ", ".join(names)
    elif who.key in ("area", "stage"):
        value = ", ".join(choice_label(t, who.key, v) for v in who.values)
    elif who.key == "locale":
        value = ", ".join(t.t(LOCALE_NAMES[Locale(v)]) for v in who.values)
    elif who.key == "workshop":
        return t.t("announce.audience_workshop", number=who.values[0])
    else:
        value = ", ".join(who.values)
    return t.t(
        "announce.audience_some", criterion=t.t(f"announce.criterion.{who.key}"), value=value
    )


class AnnounceForm:
    name = "announce"
    resumable = True
    # an announcement may well end with a question mark: it is not one for the bot
    free_text_steps = frozenset({"text", "english", "note"})

    async def start(self, ctx: Context, workshop_id: int | None = None) -> list[Reply]:
        # a draft of this form too: a second /announce does not silently throw it away
        if (other := await other_form_open(ctx)) is not None:
            return [other]
        if workshop_id is not None:
            w = await ctx.services.workshops.get(workshop_id)
            if w is None or not announceable(w):
                return [ctx.with_menu_button(ctx.t.t("announce.no_workshop"))]
            data: dict[str, Any] = {"kind": "workshop", "workshop_id": w.id}
            state = await ctx.services.dialogs.put(
                ctx.user.id, self.name, "note", data, new_token=True
            )
        else:
            state = await ctx.services.dialogs.put(
                ctx.user.id, self.name, "text", {"kind": "news"}, new_token=True
            )
        return await self._prompt(ctx, state)

    async def resume(self, ctx: Context, state: DialogState) -> list[Reply]:
        return await self._prompt(ctx, state)

    def _b(self, ctx: Context, state: DialogState, label: str, value: str) -> Button:
        # buttons answer the step they were shown for, not a later one
        return ctx.dialog_button(label, state, f"{state.step}|{value}")

    async def _prompt(self, ctx: Context, state: DialogState, prefix: str = "") -> list[Reply]:
        if state.step == "preview":
            return await self._preview(ctx, state, prefix)
        return [await self._ask(ctx, state, prefix)]

    async def _ask(self, ctx: Context, state: DialogState, prefix: str) -> Reply:
        t, step, data = ctx.t, state.step, state.data
        rows: list[tuple[Button, ...]] = []
        if step == "text":
            text = t.t("announce.ask_text")
            upcoming = await ctx.services.workshops.upcoming(limit=3)
            for w in filter(announceable, upcoming):
                label = t.t("announce.button.from_workshop", title=view.title(w, t))
                rows.append((self._b(ctx, state, label, f"ws={w.id}"),))
        elif step == "english":
            text = t.t("announce.ask_english")
            rows.append((self._b(ctx, state, t.t("announce.button.skip"), "skip"),))
        elif step == "note":
            text = t.t("announce.ask_note")
            rows.append((self._b(ctx, state, t.t("announce.button.skip"), "skip"),))
        elif step == "audience":
            text = t.t("announce.ask_audience")
            if data.get("kind") == "workshop":
                label = t.t("announce.button.to_attendees")
                rows.append((self._b(ctx, state, label, "aud=attendees"),))
            keys = ("all", "district", "municipality", "area", "stage", "locale")
            for key in keys:
                label = t.t("announce.audience_all") if key == "all" else t.t(f"announce.by.{key}")
                rows.append((self._b(ctx, state, label, f"aud={key}"),))
        elif step == "district":
            text = t.t("announce.ask_district")
            names = _districts()
            buttons = [self._b(ctx, state, n, f"pick=district:{i}") for i, n in enumerate(names)]
            rows += [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
        elif step == "municipality":
            text = t.t("announce.ask_municipality")
            for code in data.get("offered", []):
                label = municipality_label(all_municipalities()[code], t)
                rows.append((self._b(ctx, state, label, f"pick=municipality:{code}"),))
        elif step in ("area", "stage"):
            text = t.t(f"announce.ask_{step}")
            for key in AREAS if step == "area" else STAGES:
                label = choice_label(t, step, key)
                rows.append((self._b(ctx, state, label, f"pick={step}:{key}"),))
        elif step == "locale":
            text = t.t("announce.ask_locale")
            for loc in Locale:
                label = t.t(LOCALE_NAMES[loc])
                rows.append((self._b(ctx, state, label, f"pick=locale:{loc.value}"),))
        elif step == "when":
            count = await audiences.count(ctx.services.db, audiences.parse(data["audience"]))
            people = t.tn("count.people", "count.people_plural", count)
            text = t.t("announce.ask_when", audience=describe(t, data["audience"]), people=people)
            rows.append((self._b(ctx, state, t.t("announce.button.now"), "now"),))
        elif step == "quiet":
            settings = ctx.services.settings
            ends = quiet_ends(datetime.now(UTC), settings.quiet_hours, settings.timezone)
            text = t.t("announce.quiet_now", until=f"{ends.astimezone(settings.timezone):%H:%M}")
            rows.append((self._b(ctx, state, t.t("announce.button.send_anyway"), "force=yes"),))
            rows.append((self._b(ctx, state, t.t("announce.button.wait_morning"), "force=no"),))
        else:
            raise ValueError(f"no such step {step!r}")
        nav = [self._b(ctx, state, t.t("registration.back"), "back")] if step != "text" else []
        rows.append((*nav, ctx.dialog_button(t.t("button.cancel"), state, "cancel")))
        return Reply(prefix + text, tuple(rows))

    async def _preview(self, ctx: Context, state: DialogState, prefix: str) -> list[Reply]:
        t, data = ctx.t, state.data
        services = ctx.services
        zone = services.settings.timezone
        draft = _draft(data, str(ctx.msg.user))
        workshop = await services.workshops.get(draft.workshop_id) if draft.workshop_id else None
        parts = [html.escape(prefix + t.t("announce.preview_title"))]
        for loc in Locale:
            shown = render.message(draft, services.i18n[loc], zone, workshop, None)
            parts.append(f"<b>{html.escape(t.t(LOCALE_NAMES[loc]))}</b>")
            parts.append(shown.text)
        if draft.kind == "news" and not draft.body_en.strip():
            parts.append(html.escape(t.t("announce.english_gets_latin")))
        count = await audiences.count(services.db, audiences.parse(draft.audience))
        people = t.tn("count.people", "count.people_plural", count)
        when = t.t("announce.when_now") if not data.get("at") else t.datetime(draft.at, zone)
        summary = t.t(
            "announce.summary", audience=describe(t, draft.audience), people=people, when=when
        )
        parts.append(html.escape(summary))
        billed = await audiences.outside_session(
            services.db, audiences.parse(draft.audience), max(draft.at, datetime.now(UTC))
        )
        if billed:
            parts.append(html.escape(t.tn("announce.billed", "announce.billed_plural", billed)))
        rows = (
            (self._b(ctx, state, t.t("announce.button.confirm"), "confirm"),),
            (
                self._b(ctx, state, t.t("registration.back"), "back"),
                ctx.dialog_button(t.t("button.cancel"), state, "cancel"),
            ),
        )
        # three renderings of a long text do not fit one message: as many as needed, the
        # buttons under the last
        texts = _packed(parts, render.MAX_TEXT)
        return [Reply(text, rows if i == len(texts) - 1 else (), html=True)
                for i, text in enumerate(texts)]  # fmt: skip

    async def _with_card(self, ctx: Context, state: DialogState, note: str) -> int:
        """The longest message a note makes with its workshop's card, over the locales."""
        services = ctx.services
        draft = _draft({**state.data, "body_sr": note}, str(ctx.msg.user))
        workshop = await services.workshops.get(draft.workshop_id) if draft.workshop_id else None
        zone = services.settings.timezone
        return max(
            render.visible_length(
                render.message(draft, services.i18n[loc], zone, workshop, None).text, True
            )
            for loc in Locale
        )

    async def _go(self, ctx: Context, state: DialogState, step: str, **changes: Any) -> list[Reply]:
        data = {**state.data, **changes}
        new = await ctx.services.dialogs.put(ctx.user.id, self.name, step, data)
        return await self._prompt(ctx, new)

    async def on_text(self, ctx: Context, state: DialogState, text: str) -> list[Reply]:
        t, step = ctx.t, state.step
        if not ctx.coordinator:
            # the rights are checked at every step: they may have been taken away meanwhile
            await ctx.services.dialogs.clear(ctx.user.id, self.name)
            return [ctx.with_menu_button(t.t("coordinator.only", command="/announce"))]
        if step not in TEXT_STEPS:
            return await self._prompt(ctx, state, t.t("registration.use_buttons") + "\n\n")
        marked = ctx.msg.html or html.escape(text, quote=False)
        if step in ("text", "english", "note"):
            if not any(ch.isalnum() for ch in text):
                # a zero-width space or "…" would go out as an empty message, or none at all
                return await self._prompt(ctx, state, t.t("announce.empty") + "\n\n")
            length = render.visible_length(marked, True)
            if step == "text" or step == "note":
                length = max(length, render.visible_length(render.latin(marked, True), True))
            if step == "note":
                # the note goes out under the workshop's card, in one message
                length = await self._with_card(ctx, state, marked)
            if length > render.MAX_TEXT:
                problem = t.t(
                    "announce.too_long",
                    length=t.characters(length),
                    limit=t.characters(render.MAX_TEXT),
                )
                return await self._prompt(ctx, state, problem + "\n\n")
            if step == "text":
                return await self._go(ctx, state, "english", body_sr=marked)
            if step == "english":
                return await self._go(ctx, state, "audience", body_en=marked)
            return await self._go(ctx, state, "audience", body_sr=marked)
        if step == "municipality":
            found = search(text)
            if not found:
                problem = t.t("registration.municipality_unknown", text=text[:60])
                return await self._prompt(ctx, state, problem + "\n\n")
            return await self._go(ctx, state, "municipality", offered=[m.code for m in found])
        # when
        settings = ctx.services.settings
        try:
            at = parse_when(text, datetime.now(UTC), settings.timezone)
        except WhenError as exc:
            return await self._prompt(ctx, state, t.t(exc.reason) + "\n\n")
        force = False
        note = ""
        if is_quiet(at, settings.quiet_hours, settings.timezone):
            ends = quiet_ends(at, settings.quiet_hours, settings.timezone)
            note = t.t("announce.moved_to_morning", when=t.datetime(ends, settings.timezone))
            at = ends
        new = {**state.data, "at": at.astimezone(UTC).isoformat(), "force": force}
        saved = await ctx.services.dialogs.put(ctx.user.id, self.name, "preview", new)
        return await self._prompt(ctx, saved, html.escape(note) + "\n\n" if note else "")

    async def on_button(self, ctx: Context, state: DialogState, value: str) -> list[Reply]:
        step, _, value = value.rpartition("|")
        key, _, arg = value.partition("=")
        if key == "cancel":
            await ctx.services.dialogs.clear(ctx.user.id, self.name)
            return [menu(ctx, "announce.cancelled_draft")]
        if not ctx.coordinator:
            await ctx.services.dialogs.clear(ctx.user.id, self.name)
            return [ctx.with_menu_button(ctx.t.t("coordinator.only", command="/announce"))]
        if step != state.step:
            return await self._prompt(ctx, state, ctx.t.t("registration.old_button") + "\n\n")
        if key == "back":
            return await self._go(ctx, state, self._before(state))
        if key == "ws" and (workshop_id := number(arg)) is not None:
            await ctx.services.dialogs.clear(ctx.user.id, self.name)
            return await self.start(ctx, workshop_id)
        if key == "skip" and step in ("english", "note"):
            return await self._go(ctx, state, "audience")
        if key == "aud":
            if arg == "all":
                return await self._go(ctx, state, "when", audience="all")
            if arg == "attendees" and state.data.get("workshop_id"):
                spec = f"workshop:{state.data['workshop_id']}"
                return await self._go(ctx, state, "when", audience=spec)
            if arg in ("district", "municipality", "area", "stage", "locale"):
                return await self._go(ctx, state, arg, offered=[])
        if key == "pick":
            criterion, _, choice = arg.partition(":")
            index = number(choice)
            if criterion == "district" and index is not None and index < len(_districts()):
                choice = _districts()[index]
            try:
                spec = audiences.parse(f"{criterion}:{choice}").spec
            except audiences.AudienceError:
                return await self._prompt(ctx, state, ctx.t.t("button.expired") + "\n\n")
            return await self._go(ctx, state, "when", audience=spec)
        if key == "now":
            settings = ctx.services.settings
            if is_quiet(datetime.now(UTC), settings.quiet_hours, settings.timezone):
                return await self._go(ctx, state, "quiet")
            return await self._go(ctx, state, "preview", at="", force=False)
        if key == "force" and step == "quiet":
            if arg == "yes":
                return await self._go(ctx, state, "preview", at="", force=True)
            settings = ctx.services.settings
            ends = quiet_ends(datetime.now(UTC), settings.quiet_hours, settings.timezone)
            at = ends.astimezone(UTC).isoformat()
            return await self._go(ctx, state, "preview", at=at, force=False)
        if key == "confirm" and step == "preview":
            return await self._confirm(ctx, state)
        return await self._prompt(ctx, state, ctx.t.t("button.expired") + "\n\n")

    def _before(self, state: DialogState) -> str:
        step, data = state.step, state.data
        if step in ("district", "municipality", "area", "stage", "locale", "when"):
            return "audience"
        if step in ("preview", "quiet"):
            return "when"
        if step == "audience":
            return "note" if data.get("kind") == "workshop" else "english"
        return "text"

    async def _confirm(self, ctx: Context, state: DialogState) -> list[Reply]:
        data, services, t = state.data, ctx.services, ctx.t
        settings = services.settings
        now = datetime.now(UTC)
        at = datetime.fromisoformat(data["at"]) if data.get("at") else now
        if at < now - timedelta(minutes=1):
            # the preview waited too long: the time it names has passed
            problem = t.t("when.past")
            new = await ctx.services.dialogs.put(ctx.user.id, self.name, "when", data)
            return await self._prompt(ctx, new, problem + "\n\n")
        if data.get("workshop_id"):
            w = await services.workshops.get(int(data["workshop_id"]))
            if w is None or not announceable(w):
                await services.dialogs.clear(ctx.user.id, self.name)
                return [ctx.with_menu_button(t.t("announce.no_workshop"))]
        number = await services.announcements.add(
            kind=data.get("kind", "news"), audience=data.get("audience", "all"), at=at,
            created_by=str(ctx.msg.user), body_sr=data.get("body_sr", ""),
            body_en=data.get("body_en", ""), html=True, workshop_id=data.get("workshop_id"),
            force=bool(data.get("force")),
        )  # fmt: skip
        await services.dialogs.clear(ctx.user.id, self.name)
        assert number is not None
        await services.audit.record(ctx.msg.user, "announce", number)
        count = await audiences.count(services.db, audiences.parse(data.get("audience", "all")))
        people = t.tn("count.people", "count.people_plural", count)
        if data.get("at"):
            text = t.t(
                "announce.scheduled", number=number, when=t.datetime(at, settings.timezone),
                people=people,
            )  # fmt: skip
        else:
            text = t.t("announce.sending", number=number, people=people)
        return [ctx.with_menu_button(text)]


FORM = AnnounceForm()
