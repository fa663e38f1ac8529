"""An announcement as one recipient reads it: their locale and script, its buttons."""

from __future__ import annotations

import html
import re
from datetime import tzinfo

from bot.channels.text import utf16_length
from bot.core.i18n import Translator
from bot.core.locales import Locale
from bot.core.messages import Button, Reply
from bot.core.script import to_latin
from bot.storage.announcements import Announcement
from bot.storage.workshops import Workshop
from bot.workshops import view

# Telegram's limit for one message, on the text a person reads (markup not counted)
MAX_TEXT = 4096
_TAG = re.compile(r"(<[^>]*>)")


def latin(text: str, markup: bool) -> str:
    """Serbian Latin of a text; in marked-up text only the words, never tags or links."""
    if not markup:
        return to_latin(text)
    return "".join(part if _TAG.fullmatch(part) else to_latin(part) for part in _TAG.split(text))


def visible_length(text: str, markup: bool) -> int:
    """As Telegram counts it: in UTF-16 units, after the markup."""
    return utf16_length(html.unescape(_TAG.sub("", text)) if markup else text)


def body(a: Announcement, locale: Locale) -> str:
    """Cyrillic readers get the Serbian as written; Latin readers its Latin (a Latin text
    stays as written); English readers the English, or else the Serbian Latin."""
    if locale is Locale.EN and a.body_en.strip():
        return a.body_en
    if locale is Locale.SR_CYRL:
        return a.body_sr
    return latin(a.body_sr, a.html)


def too_long(a: Announcement) -> int:
    """The longest rendering's length when one is over Telegram's limit, else 0."""
    longest = max(visible_length(body(a, loc), a.html) for loc in Locale)
    return longest if longest > MAX_TEXT else 0


def _escaped(text: str, markup: bool) -> str:
    return html.escape(text, quote=False) if markup else text


def message(
    a: Announcement, t: Translator, zone: tzinfo, workshop: Workshop | None, status: str | None
) -> Reply:
    """`status`: the reader's attendance of the workshop ('going', 'waiting' or None)."""
    unsubscribe = (Button(t.t("announce.button.unsubscribe"), "sub:off"),)
    text = body(a, t.locale).strip()
    if a.kind == "news" or workshop is None:
        return Reply(text, (unsubscribe,), html=a.html)
    card = _escaped(view.card(workshop, t, zone), a.html)
    name = view.title(workshop, t)
    if a.kind == "workshop":
        heading = t.t("announce.workshop_heading")
        rows = (*view.attend_buttons(workshop, t, status), unsubscribe)
    elif a.kind == "reminder":
        when = t.datetime(workshop.starts_at, zone)
        heading = t.t("announce.reminder", title=name, when=when)
        rows = view.attend_buttons(workshop, t, status)
    elif a.kind == "change":
        heading = t.t("announce.changed", title=name)
        rows = view.attend_buttons(workshop, t, status)
    else:  # cancelled
        when = t.datetime(workshop.starts_at, zone)
        return Reply(_escaped(t.t("announce.cancelled", title=name, when=when), a.html))
    parts = [_escaped(heading, a.html), card]
    if text:
        parts.append(text)
    return Reply("\n\n".join(parts), rows, html=a.html)
