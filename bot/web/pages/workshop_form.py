"""The console's workshop form: what was typed, checked as the chat's form checks it, and made
a workshop (Serbian typed once in either script, kept in Cyrillic)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.core.i18n import Translator
from bot.core.numbers import number
from bot.core.script import has_cyrillic, is_latin_serbian, to_cyrillic
from bot.storage.workshops import DEFAULT_MINUTES, DEFAULT_REMINDERS, Workshop
from bot.workshops.changes import values
from bot.workshops.compose import LIMITS, MAX_CAPACITY, when_problem
from bot.workshops.when import WhenError, parse_when

DAY_BEFORE, HOUR_BEFORE = 1440, 60
MAX_MINUTES = 24 * 60
MAX_LINK = 500
EXAMPLE_LINK = "https://meet.example.org/partners"
T = TypeVar("T")
# what <input type="datetime-local"> sends; seconds only when its step asks for them
_LOCAL = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?")


@dataclass(frozen=True)
class Draft:
    """The form's fields as typed (or as stored, for an edit): shown again after an error."""

    title: str = ""
    title_en: str = ""
    description: str = ""
    description_en: str = ""
    starts: str = ""
    minutes: str = str(DEFAULT_MINUTES)
    place: str = ""
    place_en: str = ""
    link: str = ""
    deadline: str = ""
    capacity: str = ""
    remind_day: bool = DAY_BEFORE in DEFAULT_REMINDERS
    remind_hour: bool = HOUR_BEFORE in DEFAULT_REMINDERS


TEXTS = tuple(f.name for f in fields(Draft) if not f.name.startswith("remind_"))


@dataclass(frozen=True)
class Checked:
    """The workshop the draft makes, or why it makes none: {field: message}."""

    workshop: Workshop | None
    errors: dict[str, str] = field(default_factory=dict)


def local_value(moment: datetime | None, zone: ZoneInfo) -> str:
    """A moment as <input type="datetime-local"> shows it, in the bot's time zone."""
    return f"{moment.astimezone(zone):%Y-%m-%dT%H:%M}" if moment is not None else ""


def version(w: Workshop) -> str:
    """A fingerprint of what a coordinator can change: the edit form carries the one of the
    row it was filled from, so that saving it over a colleague's change is noticed."""
    return hashlib.sha256(repr(sorted(values(w).items())).encode()).hexdigest()[:16]


def from_workshop(w: Workshop, zone: ZoneInfo) -> Draft:
    return Draft(
        title=w.title_sr, title_en=w.title_en, description=w.description_sr,
        description_en=w.description_en, starts=local_value(w.starts_at, zone),
        minutes=str(w.minutes), place=w.place_sr, place_en=w.place_en, link=w.link,
        deadline=local_value(w.signup_until, zone),
        capacity=str(w.capacity) if w.capacity is not None else "",
        remind_day=DAY_BEFORE in w.reminders, remind_hour=HOUR_BEFORE in w.reminders,
    )  # fmt: skip


def from_form(form: dict[str, str]) -> Draft:
    def text(name: str) -> str:
        # browsers send line breaks as CRLF; the chats have LF
        return form.get(name, "").replace("\r\n", "\n").strip()

    return Draft(
        **{name: text(name) for name in TEXTS},
        remind_day="remind_day" in form, remind_hour="remind_hour" in form,
    )  # fmt: skip


class _Refused(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _words(t: Translator, kind: str, text: str) -> str:
    # "…" or "-" is no title: something to read must be there
    if not any(ch.isalnum() for ch in text):
        raise _Refused(t.t("wsc.empty"))
    limit = LIMITS[kind]
    if len(text) > limit:
        length, most = t.characters(len(text)), t.characters(limit)
        raise _Refused(t.t("wsc.too_long", length=length, limit=most))
    return text


def _serbian(t: Translator, kind: str, text: str) -> str:
    text = _words(t, kind, text)
    return to_cyrillic(text) if is_latin_serbian(text) else text


def _english(t: Translator, kind: str, text: str) -> str:
    if not text:
        return ""
    if has_cyrillic(text):
        raise _Refused(t.t("web.workshops.error.english"))
    return _words(t, kind, text)


def _link(t: Translator, text: str) -> str:
    if not text:
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        raise _Refused(t.t("web.workshops.error.link", example=EXAMPLE_LINK)) from None
    if (
        parts.scheme.lower() not in ("http", "https") or not parts.hostname
        or any(ch.isspace() for ch in text) or len(text) > MAX_LINK
    ):  # fmt: skip
        raise _Refused(t.t("web.workshops.error.link", example=EXAMPLE_LINK))
    return text


def _moment(
    t: Translator, text: str, zone: ZoneInfo, now: datetime, *, need_time: bool = True
) -> datetime:
    # the browser's 2026-12-05T10:00 is read by the chat's reader; a browser without the
    # date picker shows a text box, where "5.12.2026 10:00" works as in the chat
    found = _LOCAL.fullmatch(text)
    typed = f"{found[1]} {found[2]}" if found else text
    try:
        return parse_when(typed, now, zone, need_time=need_time)
    except WhenError as problem:
        if problem.reason == "when.unreadable":
            raise _Refused(t.t("web.workshops.error.when")) from None
        raise _Refused(when_problem(t, problem.reason)) from None


def _count(text: str, most: int, message: str) -> int:
    # "1.000" and "1 000" as people write them; ASCII digits only, and few of them (int()
    # refuses a number of thousands of digits)
    found = number(text.replace(".", "").replace(" ", ""))
    if found is None or not 1 <= found <= most:
        raise _Refused(message)
    return found


class _Fields:
    """Reads the fields one by one, keeping every problem (not only the first)."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def take(self, name: str, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except _Refused as refused:
            self.errors[name] = refused.text
            return None


def check(
    t: Translator, draft: Draft, zone: ZoneInfo, old: Workshop | None = None,
    now: datetime | None = None,
) -> Checked:  # fmt: skip
    """The draft as a workshop (a change to `old` when given), or every field's problem.

    A time or deadline left as it was is kept even when it has passed meanwhile; a new one
    must lie ahead, as in the chat."""
    moment = now or datetime.now(UTC)
    f = _Fields()
    title = f.take("title", lambda: _serbian(t, "title", draft.title))
    title_en = f.take("title_en", lambda: _english(t, "title", draft.title_en))
    description = f.take("description", lambda: _serbian(t, "description", draft.description))
    description_en = f.take(
        "description_en", lambda: _english(t, "description", draft.description_en)
    )
    place = f.take("place", lambda: _serbian(t, "place", draft.place) if draft.place else "")
    place_en = f.take("place_en", lambda: _english(t, "place", draft.place_en))
    link = f.take("link", lambda: _link(t, draft.link))
    if not draft.place and not draft.link:
        f.errors["place"] = t.t("web.workshops.error.where")
    if draft.place_en and not draft.place:
        f.errors.setdefault("place_en", t.t("web.workshops.error.place_en_alone"))

    def starts() -> datetime:
        if not draft.starts:
            raise _Refused(t.t("web.workshops.error.when_missing"))
        if old is not None and draft.starts == local_value(old.starts_at, zone):
            return old.starts_at
        return _moment(t, draft.starts, zone, moment)

    start = f.take("starts", starts)
    minutes_bad = t.t("web.workshops.error.minutes", limit=MAX_MINUTES)
    minutes = f.take(
        "minutes", lambda: _count(draft.minutes or str(DEFAULT_MINUTES), MAX_MINUTES, minutes_bad)
    )
    capacity_bad = t.t("web.workshops.error.capacity", limit=MAX_CAPACITY)
    capacity = f.take(
        "capacity",
        lambda: _count(draft.capacity, MAX_CAPACITY, capacity_bad) if draft.capacity else None,
    )

    def deadline() -> datetime | None:
        if not draft.deadline:
            return None
        if old is not None and draft.deadline == local_value(old.signup_until, zone):
            until = old.signup_until
        else:
            until = _moment(t, draft.deadline, zone, moment, need_time=False)
        if start is not None and until is not None and until >= start:
            raise _Refused(t.t("wsc.deadline_after_start", start=t.datetime(start, zone)))
        return until

    until = f.take("deadline", deadline)
    if f.errors or start is None:
        return Checked(None, f.errors)
    reminders = tuple(
        m for m, on in ((DAY_BEFORE, draft.remind_day), (HOUR_BEFORE, draft.remind_hour)) if on
    )
    w = Workshop(
        id=old.id if old else 0, title_sr=title or "", title_en=title_en or "",
        place_sr=place or "", place_en=(place_en or "") if place else "", starts_at=start,
        description_sr=description or "", description_en=description_en or "",
        link=link or "", capacity=capacity, signup_until=until,
        minutes=minutes or DEFAULT_MINUTES, reminders=reminders,
    )  # fmt: skip
    return Checked(w)
