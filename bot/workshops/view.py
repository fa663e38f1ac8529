"""How a workshop reads in each locale (a card, a line in a list), and the buttons people press
under it."""

from __future__ import annotations

from datetime import tzinfo

from bot.core.i18n import Translator
from bot.core.locales import Locale
from bot.core.messages import Button
from bot.core.script import to_latin
from bot.storage.workshops import Workshop

Rows = tuple[tuple[Button, ...], ...]


def localized(t: Translator, sr: str, en: str) -> str:
    """Serbian (Cyrillic) text in the reader's script; English where it was given, else the
    Serbian Latin (the preview says so)."""
    if t.locale is Locale.EN and en:
        return en
    return sr if t.locale is Locale.SR_CYRL else to_latin(sr)


def title(w: Workshop, t: Translator) -> str:
    return localized(t, w.title_sr, w.title_en)


def place(w: Workshop, t: Translator) -> str:
    return localized(t, w.place_sr, w.place_en)


def card(w: Workshop, t: Translator, zone: tzinfo, *, going: int | None = None) -> str:
    """Title, time, place or link, description, and seats when the workshop has a limit."""
    lines = [t.t("workshop.title_line", title=title(w, t))]
    lines.append(t.t("workshop.when", when=t.datetime(w.starts_at, zone)))
    if w.place_sr or w.place_en:
        lines.append(t.t("workshop.where", place=place(w, t)))
    if w.link:
        lines.append(t.t("workshop.online", link=w.link))
    description = localized(t, w.description_sr, w.description_en)
    if description:
        lines.append("")
        lines.append(description)
    if w.signup_until is not None:
        lines.append(t.t("workshop.signup_until", when=t.datetime(w.signup_until, zone)))
    if w.capacity is not None and going is not None:
        left = max(w.capacity - going, 0)
        lines.append(
            t.tn("workshop.seats_left", "workshop.seats_left_plural", left)
            if left
            else t.t("workshop.full")
        )
    return "\n".join(lines)


def attend_buttons(w: Workshop, t: Translator, status: str | None) -> Rows:
    """I'll attend / Cancel my attendance, and Add to calendar."""
    if status is None:
        first = Button(t.t("workshop.button.attend"), f"w:go:{w.id}")
    else:
        first = Button(t.t("workshop.button.leave"), f"w:leave:{w.id}")
    return ((first,), (Button(t.t("workshop.button.calendar"), f"w:ics:{w.id}"),))


def details_button(w: Workshop, t: Translator) -> Button:
    return Button(t.t("wsp.details", title=title(w, t)), f"w:show:{w.id}")


def line(w: Workshop, t: Translator, zone: tzinfo) -> str:
    where = place(w, t) if (w.place_sr or w.place_en) else ""
    where = where or (t.t("wsp.online") if w.link else "—")
    when = t.datetime(w.starts_at, zone)
    return t.t("faq.workshop_line", title=title(w, t), when=when, place=where)
