"""Random updates through the real handlers: python-telegram-bot long-polling the loopback Bot
API double, the real App and its SQLite database (hypothesis).

Each example is one person nobody has seen before (a fresh Telegram id, a random name and app
language; now and then the coordinator), a fresh group, and a few updates in a row: texts in any
Unicode (right-to-left, zero-width, combining marks, emoji, Serbian in both scripts), texts at
and over 4096 characters, HTML, Markdown and SQL-looking strings, commands with random
arguments, forged and real button presses (so that forms get random input mid-way), every
non-text message type, service messages, edits, group and channel updates, blocking and
unblocking. Half the examples first open a form or a list (/register, /ask; a coordinator's
/announce, /workshop, /inbox) so that the random input lands inside it. Before them run the
recipes, explicit examples of deep flows random presses rarely reach (a registration to its end
and erased, a workshop created, announced and attended, a question asked and answered). Each
update is pushed alone and settled (python-telegram-bot handled it, every reply went out)
before the next, so that what the bot did is known to be its answer to that update.

The property, checked after every update:

- no unhandled exception: no log record at ERROR or above, none with a traceback, no reply the
  Bot API refused ("not delivered"), never the "something went wrong" reply;
- a private message, command or button press gets a reaction (at least one message in that
  chat, and not an unbounded number); a button press is answered (answerCallbackQuery) once;
  stickers, photos and the like get "text and buttons only", texts over 4096 characters "too
  long", invisible texts "empty", forged button data "expired" or "coordinators only";
- the documented silences: edits, my_chat_member, service messages, channel posts and the
  other update types the bot does not ask for, a group's talk that does not address the bot,
  a group that was already told once that the bot works in private chats;
- nothing goes to anyone else than the writer and the coordinators (a coordinator's answer
  goes to the asker);
- no Bot API call that Telegram would reject: non-empty text of at most 4096 UTF-16 code units
  (after HTML parsing), parseable HTML, inline keyboards within limits, callback data of 1-64
  bytes, captions of at most 1024;
- the database stays consistent: integrity_check, foreign_key_check, no dialog of a person
  who does not exist, no group in the users table, the dialogs' cache equal to what a
  restart would read.

Input classes that fail because of known bugs are left out (KNOWN_BUG_* below) until they are
fixed. A longer run of the same strategies, and of the known bugs with --known-bugs:
`uv run --frozen python -m benchmarks.fuzz`.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import logging
import re
import string
import time
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.core.i18n import I18n
from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.storage.dialogs import Dialogs
from tests.chat import settings as bot_settings
from tests.chat import shared_faq
from tests.telegram_double import ApiCall, BotApiDouble, SentMessage

JSONDict = dict[str, Any]

BOT_USERNAME = "partnerbot_test_bot"
BOT_ID = 123456
COORDINATOR = 900
EXAMPLES = 300  # the CI run: about 1,000 updates in 20 s; benchmarks/fuzz.py runs many more
SETTLE_TIMEOUT = 10.0  # seconds for one update to be handled and its replies sent
MAX_REACTION = 14  # messages in answer to one update (/inbox: a header, 10 questions, "more")

# --- strategies --------------------------------------------------------------------------------

RTL = ("\u202e", "\u202b", "\u200f", "\u061c", "مرحبا بكم", "שלום עולם", "\u202eevil\u202c")
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u2066", "\u2069")
COMBINING = ("e\u0301", "\u0308", "Z\u0336\u0336", "\u20dd", "a" + "\u0300" * 30)
EMOJI = ("👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇷🇸", "❤️", "🤷🏻‍♀️", "😀", "𝕏", "\U0001fae0")
SERBIAN = (
    "Здраво", "zdravo", "Шта је програм?", "kako da se prijavim", "Čačak", "Нови Сад",
    "opština Šabac", "Ђурђевдан џ љ њ ћ", "radionica", "Beograd", "Ниш", "hvala", "da", "ne",
    "Ana Anić", "ana@example.com", "+381 64 123 4567", "064/123-45-67", "Ko je koordinator?",
)  # fmt: skip
MARKUP = (
    "<b>", "</b>", "<i>x</i>", "&amp;", "&", "<", ">", "&lt;", "<a href=\"javascript:x\">",
    "<script>alert(1)</script>", "*bold*", "_it_", "`code`", "```", "[x](http://e.com)", "\\",
    "<tg-spoiler>", "&#0;", "&#x110000;", "</", "<<>>", "\"'",
)  # fmt: skip
SQL = ("'; DROP TABLE users; --", '" OR 1=1 --', "%", "_", "' OR ''='", "NULL", "\\x00", "?")
FORMAT = ("{}", "{0}", "{text}", "{command}", "{name!r}", "%s", "%(x)s", "{{", "}")
CONTROL = ("\x00", "\x07", "\x1b[31m", "\r\n", "\t", "\u2028", "\u2029", "\x85", "\ufffd")
PIECES = (*RTL, *ZERO_WIDTH, *COMBINING, *EMOJI, *SERBIAN, *MARKUP, *SQL, *FORMAT, *CONTROL)

COMMANDS = (
    "start", "menu", "help", "language", "cancel", "faq", "register", "mydata", "forget", "ask",
    "subscribe", "unsubscribe", "inbox", "export", "export_csv", "announce", "announcements",
    "workshops", "workshop", "stats", "registrations", "notifications", "reload",
)  # fmt: skip
BUTTONS = (
    "menu", "resume", "stop", "m:faq", "m:register", "m:workshops", "m:ask", "m:language",
    "lang:sr-Cyrl", "lang:sr-Latn", "lang:en", "lang:sr", "lang:de", "lang:", "sub:on",
    "sub:off", "sub:", "wc:new", "fq:", "d:", "d::", "q:", "f:", "fc:", "ho:", ":", "",
)  # fmt: skip
NUMBERED = (
    "q:reply", "q:done", "q:back", "w:show", "w:go", "w:leave", "w:ics", "w:x", "wc:att",
    "wc:csv", "wc:xlsx", "wc:edit", "wc:cancel", "wc:drop", "an:cancel", "an:ws", "an:report",
    "an:x", "ho", "f", "fc:workshops", "fq", "d:000000", "d:zz",
)  # fmt: skip
NUMBERS = (
    "", "0", "1", "2", "-1", "0x1f", " 7", "7 ", "²", "١٢", "७", "1e3", "00000000000001",
    "999999999999", "9" * 19, "9" * 30, "1.5", "١", "𝟙",
)  # fmt: skip
LANGUAGE_CODES = (None, "sr", "en", "hr", "bs", "de", "sr-Latn", "sr-Cyrl", "ru", "ar", "he")


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    id_size: int  # 0: a small id, 1: over 2**32, 2: near 2**52 (Telegram's largest)
    coordinator: bool


@dataclass(frozen=True)
class Say:
    """A private text (commands included), with formatting entities of Telegram's kinds."""

    text: str
    entities: tuple[tuple[int, int, str], ...] = ()


@dataclass(frozen=True)
class Press:
    """A press of a forged button: any data (None: a game's button) on any message."""

    data: str | None
    twice: bool = False
    inline: bool = False  # pressed under an inline-mode message: no message in the update


@dataclass(frozen=True)
class PressShown:
    """A press of a button the bot showed this person: `back` messages before the last."""

    back: int
    index: int
    twice: bool = False


@dataclass(frozen=True)
class Media:
    """A private non-text message (a sticker, a photo with a caption, a poll, ...)."""

    kind: str
    caption: str | None = None


@dataclass(frozen=True)
class Service:
    """A private service message: a pin, an auto-delete timer, ..."""

    kind: str


@dataclass(frozen=True)
class Edit:
    text: str
    back: int  # which of the person's earlier messages (an unknown id when there is none)
    group: bool = False


@dataclass(frozen=True)
class Member:
    """my_chat_member: the person blocks or unblocks the bot, or the group adds or removes it."""

    status: str
    group: bool = False


@dataclass(frozen=True)
class GroupSay:
    text: str
    sender: str  # member, anonymous (an admin as the group), channel (a linked channel)


@dataclass(frozen=True)
class GroupOther:
    """A group's non-text message or service message."""

    kind: str
    caption: str | None = None


@dataclass(frozen=True)
class Elsewhere:
    """An update of a type the bot does not ask for: channel posts, inline queries, ..."""

    kind: str


Action = (
    Say | Press | PressShown | Media | Service | Edit | Member | GroupSay | GroupOther | Elsewhere
)


@dataclass(frozen=True)
class Scenario:
    person: Person
    supergroup: bool
    actions: tuple[Action, ...]


def _fit(data: str, limit: int = 64) -> str:
    """At most `limit` UTF-8 bytes, cut at a character."""
    while len(data.encode()) > limit:
        data = data[:-1]
    return data


def _long(unit: str, size: int, utf16: bool, head: str) -> str:
    """A text of exactly `size` characters (or UTF-16 code units) starting with `head`."""
    measure = _utf16_len if utf16 else len
    text = head + unit * (size // max(1, measure(unit)) + 2)
    while measure(text) > size:
        text = text[:-1]
    return text


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


pieces = st.one_of(
    st.sampled_from(PIECES), st.text(max_size=6), st.sampled_from((" ", " ", "\n", "  ", "\n\n"))
)
short_text = st.one_of(st.text(max_size=30), st.lists(pieces, max_size=10).map("".join))
LONG_UNITS = ("a", "ж", "word ", "e\u0301", "\u200b", "<b>&", "line\n")
ASTRAL_UNITS = ("😀", "👨‍👩‍👧")  # two UTF-16 code units a character (and a ZWJ sequence)


def long_texts(units: Sequence[str]) -> st.SearchStrategy[str]:
    """Texts at and over 4096 characters or UTF-16 code units, bare or after a command."""
    return st.builds(
        _long,
        st.sampled_from(units),
        st.integers(4090, 4100),
        st.booleans(),
        st.sampled_from(("", "/", "/ask ", f"@{BOT_USERNAME} ", " " * 5)),
    )


long_text = long_texts((*LONG_UNITS, *ASTRAL_UNITS))
invisible_text = st.lists(
    st.sampled_from((*ZERO_WIDTH, " ", "\n", "\t", "\u3000", "\u202e", "\x00")), min_size=1
).map("".join)
command_text = st.builds(
    lambda name, case, at, rest: "/" + case(name) + at + rest,
    st.one_of(
        st.sampled_from(COMMANDS),
        st.text(string.ascii_letters + string.digits + "_", min_size=1, max_size=34),
        st.text(max_size=8),
    ),
    st.sampled_from((str.lower, str.upper, str.title)),
    st.sampled_from(("", "", f"@{BOT_USERNAME}", f"@{BOT_USERNAME.upper()}", "@other_bot", "@")),
    st.one_of(st.just(""), short_text.map(lambda s: " " + s), short_text),
)
any_text = st.one_of(short_text, command_text, long_text, invisible_text, st.sampled_from(SERBIAN))
entity_kinds = st.sampled_from(
    (
        "bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre", "text_link",
        "text_mention", "blockquote", "expandable_blockquote", "custom_emoji", "url", "mention",
        "hashtag", "email",
    )
)  # fmt: skip
# (where, how long, kind): placed on the text as Telegram would (see Harness._entities)
entities = st.lists(
    st.tuples(st.integers(0, 5000), st.integers(0, 60), entity_kinds), max_size=4
).map(tuple)
# a text_link's URL: LINKS[where % len(LINKS)]
LINKS = (
    "https://example.com/?a=1&b=2", "https://example.com/<b>?c=d&amp;", "tg://user?id=1",
    "http://пример.срб/", 'https://example.com/?q="x"',
)  # fmt: skip
QUOTED_LINK = 4


def _no_quoted_links(found: tuple[tuple[int, int, str], ...]) -> tuple[tuple[int, int, str], ...]:
    return tuple(
        (where + 1, size, kind)
        if kind == "text_link" and where % len(LINKS) == QUOTED_LINK
        else (where, size, kind)
        for where, size, kind in found
    )


numbers = st.one_of(st.sampled_from(NUMBERS), st.integers(0, 40).map(str), st.text(max_size=6))
numbered = st.builds("{}:{}".format, st.sampled_from(NUMBERED), numbers)
button_data = st.one_of(
    st.sampled_from(BUTTONS),
    numbered,
    numbered,
    numbered,
    st.builds("d:{}:{}".format, st.text("0123456789abcdef", max_size=8), st.text(max_size=12)),
    st.builds("fc:{}:{}".format, st.text(max_size=12), numbers),
    st.builds("lang:{}".format, st.text(max_size=10)),
    st.text(max_size=64),
    st.binary(max_size=64).map(lambda b: b.decode("utf-8", "replace")),
).map(_fit)
MEDIA = (
    "sticker", "photo", "voice", "audio", "video", "video_note", "document", "animation",
    "location", "venue", "contact", "poll", "dice", "story", "game",
)  # fmt: skip
PRIVATE_SERVICE = ("pinned_message", "message_auto_delete_timer_changed", "write_access_allowed")
GROUP_SERVICE = (
    "new_chat_members", "new_chat_members_bot", "left_chat_member", "new_chat_title",
    "pinned_message", "group_chat_created", "delete_chat_photo", "migrate_to_chat_id",
    "video_chat_started", "message_auto_delete_timer_changed",
)  # fmt: skip
ELSEWHERE = (
    "channel_post",
    "edited_channel_post",
    "inline_query",
    "chat_join_request",
    "poll_answer",
)
group_text = st.one_of(
    short_text,
    command_text,
    st.builds(
        lambda before, bot, after: f"{before}{bot}{after}",
        st.one_of(st.just(""), short_text.map(lambda s: s + " ")),
        st.sampled_from((f"@{BOT_USERNAME}", f"@{BOT_USERNAME.upper()}", "@other_bot")),
        st.one_of(st.just(""), short_text.map(lambda s: " " + s)),
    ),
    long_text,
)
# Input classes that fail because of bugs in the bot, left out of the CI run until they are
# fixed; `python -m benchmarks.fuzz --known-bugs` sends them (remove each once it is fixed).
# BUG: a person whose first_name is "" gets "something went wrong" to every message:
# python-telegram-bot's User.full_name is None then, and users.name is NOT NULL.
KNOWN_BUG_EMPTY_NAME = False
# BUG: a private service message (a pin, an auto-delete timer, "allowed to write") is answered
# "I understand text and buttons only" instead of the documented silence.
KNOWN_BUG_PRIVATE_SERVICE = False
# BUG: replies are cut into pieces of 4096 characters (code points) where Telegram counts UTF-16
# code units: "/" and 2047 emoji (4095 units, as Telegram delivers) is answered "I do not know
# the command /😀…" in one piece of 4149 units, which Telegram refuses: no answer at all.
KNOWN_BUG_UTF16 = False
# BUG: "Send to a coordinator" with forged data ho:² (a digit Python's int() does not take) or
# ho:9999999999999999999 (over SQLite's 64 bits) answers "something went wrong".
KNOWN_BUG_OFFER_NUMBER = False
# BUG: a coordinator's announcement preview puts the text three times (one per locale) in one
# HTML message: a text of 3,600 characters, accepted by the form, makes a preview of 11,000
# that Telegram refuses; the coordinator gets no answer and cannot confirm.
KNOWN_BUG_PREVIEW = False
# BUG: a coordinator's text with a link whose URL has a double quote makes HTML Telegram cannot
# parse: python-telegram-bot's Message.text_html puts the URL into href="..." unescaped.
KNOWN_BUG_QUOTED_LINK = False


def _bad_offer_number(data: str) -> bool:
    number = data.removeprefix("ho:")
    if not data.startswith("ho:") or not number.isdigit():
        return False
    try:
        return int(number) >= 2**63
    except ValueError:  # "²": a digit to str.isdigit, not to int()
        return True


def scenarios(known_bugs: bool = False) -> st.SearchStrategy[Scenario]:
    """One person, one group and 1-6 actions; `known_bugs`: with the input classes above."""
    names = st.one_of(
        st.sampled_from(("Ana", "Марко", "", " ", "\u202eanA", "👨‍👩‍👧", "<b>x</b>", "{name}")),
        st.text(max_size=64),
    )
    if KNOWN_BUG_EMPTY_NAME and not known_bugs:
        names = names.filter(bool)
    person = st.builds(
        Person,
        first_name=names,
        last_name=st.one_of(st.none(), st.text(max_size=20)),
        username=st.one_of(
            st.none(), st.text(string.ascii_letters + string.digits + "_", min_size=5, max_size=32)
        ),
        language_code=st.one_of(st.sampled_from(LANGUAGE_CODES), st.text(max_size=8)),
        id_size=st.integers(0, 2),
        coordinator=st.integers(0, 5).map(lambda n: n == 0),
    )
    texts = any_text
    if KNOWN_BUG_UTF16 and not known_bugs:
        texts = st.one_of(
            short_text,
            command_text,
            long_texts(LONG_UNITS),
            invisible_text,
            st.sampled_from(SERBIAN),
        )
    formatting = entities
    if KNOWN_BUG_QUOTED_LINK and not known_bugs:
        formatting = entities.map(_no_quoted_links)
    say = st.builds(Say, texts, formatting)
    data = button_data
    if KNOWN_BUG_OFFER_NUMBER and not known_bugs:
        data = data.filter(lambda d: not _bad_offer_number(d))
    press = st.builds(Press, data | st.none(), st.booleans(), st.booleans())
    shown = st.builds(PressShown, st.integers(0, 3), st.integers(0, 20), st.booleans())
    group_say = st.builds(
        GroupSay, group_text, st.sampled_from(("member", "member", "anonymous", "channel"))
    )
    # repeated entries weigh more: private texts and presses are where the code is
    actions: list[st.SearchStrategy[Action]] = [
        say,
        say,
        st.builds(Say, command_text),
        press,
        press,
        shown,
        shown,
        st.builds(Media, st.sampled_from(MEDIA), st.none() | short_text | command_text),
        st.builds(Edit, any_text, st.integers(0, 3), st.booleans()),
        st.builds(Member, st.sampled_from(("kicked", "member", "left")), st.booleans()),
        group_say,
        st.one_of(
            st.builds(
                GroupOther, st.sampled_from((*MEDIA, *GROUP_SERVICE)), st.none() | group_text
            ),
            st.builds(Elsewhere, st.sampled_from(ELSEWHERE)),
        ),
    ]
    if not KNOWN_BUG_PRIVATE_SERVICE or known_bugs:
        actions.append(st.builds(Service, st.sampled_from(PRIVATE_SERVICE)))
    steps = st.lists(st.one_of(actions), min_size=1, max_size=6).map(tuple)
    return st.builds(_opening, person, st.booleans(), st.sampled_from(OPENINGS), steps)


# Half the examples open a form or a list first, so that the random input lands inside it.
OPENINGS = ("", "", "", "", "", "/register", "/ask", "/language", "/start", "/menu")
COORDINATOR_OPENINGS = ("/announce", "/workshop", "/inbox", "/workshops", "/announcements")


def _opening(person: Person, group: bool, opening: str, steps: tuple[Action, ...]) -> Scenario:
    if person.coordinator and opening:
        opening = COORDINATOR_OPENINGS[OPENINGS.index(opening) % len(COORDINATOR_OPENINGS)]
    return Scenario(person, group, ((Say(opening),) if opening else ()) + steps)


def recipes(known_bugs: bool = False) -> list[Scenario]:
    """Explicit examples, run first: deep flows that random presses rarely reach, and the
    shrunk inputs of the bugs above (while they are known, only with `known_bugs`)."""
    ana = Person("Ana", "Anić", None, "sr", 0, False)
    bo = Person("Bo", None, "bo_bo", "en", 1, False)
    coordinator = Person("Koordinatorka", None, None, "en", 0, True)
    stray = "'; DROP TABLE users; -- <b>&amp;</b> {text} \u202e👨‍👩‍👧"
    press = PressShown(0, 0)  # the first button of the last message with buttons
    formatted = "Poziv <b> & radionica 👍🏽 za opštine"
    formats = (
        (0, 4, "bold"), (6, 2, "text_link"), (12, 8, "spoiler"), (21, 1, "custom_emoji"),
        (24, 40, "italic"),
    )  # fmt: skip
    found = [
        # a registration to its end, stray input at its steps, a double tap on Confirm, then
        # the person's data shown and erased, and a message after the erasure
        Scenario(ana, False, (
            Say("/register"), Say("Čačak"), press, Media("sticker"), Say(stray), Say("Ana Anić"),
            press, Say("ana@example.com"), Say("064 123 4567"), press, PressShown(0, 6), press,
            press, press, PressShown(0, 0, twice=True), Say("/mydata"), Say("/forget"), press,
            Say("zdravo"),
        )),
        # a question for the coordinators, and the coordinator's inbox and answer
        Scenario(bo, False, (Say("/ask"), Say(stray), press, Press("q:back:1"))),
        Scenario(coordinator, False, (Say("/inbox"), press, Say(stray), Say("/announcements"))),
        # a coordinator creates a workshop (one place) and announces it; a person signs up,
        # gets the calendar file and gives the place up
        Scenario(coordinator, False, (
            Say("/workshop"), Say("Radionica o EU fondovima <b>"), press, press,
            Say("15.12.2030 10:00"), Say("Скупштина & https://meet.example.com/x?a=<b>"), press,
            Say("За општине које траже партнера. {text} <i>"), press, press, Say("1"), press,
            press, press, press, press, press, press,
        )),
        Scenario(ana, False, (
            Press("m:workshops"), press, press, PressShown(0, 1), press, Say("/subscribe"),
            Press("w:go:1", twice=True), Say("/unsubscribe"),
        )),
        # an announcement with formatting (HTML) to its preview, sent, listed and cancelled
        Scenario(coordinator, False, (
            Say("/announce"), Say(formatted, formats), press, press, press, press,
            Say("/announcements"), press,
        )),
        # a group: addressed twice (told once), a channel's and an admin's messages, joins
        Scenario(ana, True, (
            GroupSay(f"/start@{BOT_USERNAME}", "member"),
            GroupSay(f"@{BOT_USERNAME} hi", "anonymous"), GroupOther("new_chat_members_bot"),
            Member("member", True), GroupSay("/help", "channel"), Elsewhere("channel_post"),
        )),
        # forged data everywhere, a double tap, a game's button, an inline message's button
        Scenario(bo, False, (
            Press("d:000000:yes"), Press("q:reply:1", twice=True), Press(None),
            Press("menu", inline=True), Press("lang:xx"), Press("fc:\u202e:9999"),
        )),
    ]  # fmt: skip
    if known_bugs or not KNOWN_BUG_EMPTY_NAME:
        found.append(Scenario(Person("", None, None, None, 0, False), False, (Say("zdravo"),)))
    if known_bugs or not KNOWN_BUG_PRIVATE_SERVICE:
        found.append(Scenario(ana, False, (Service("pinned_message"),)))
    if known_bugs or not KNOWN_BUG_UTF16:
        found.append(Scenario(bo, False, (Say("/" + "😀" * 2047),)))
        flowers = Person("Ana 🌻🌻🌻🌻🌻🌻🌻🌻🌻🌻🌻🌻🌻🌻🌻🌻🌻🌻🌻🌻", None, None, "en", 0, False)
        found.append(Scenario(flowers, False, (Say("/ask"), Say("😀" * 2000))))
    if known_bugs or not KNOWN_BUG_OFFER_NUMBER:
        found.append(Scenario(bo, False, (Press("ho:²"),)))
        found.append(Scenario(bo, False, (Press("ho:" + "9" * 19),)))
    if known_bugs or not KNOWN_BUG_QUOTED_LINK:
        quoted = ((4, 5, "text_link"),)  # LINKS[4]
        to_preview = (Say("/announce"), Say(formatted, quoted), press, press, press)
        found.append(Scenario(coordinator, False, to_preview))
    if known_bugs or not KNOWN_BUG_PREVIEW:
        # the text, then Skip (no English), All subscribers, Now: the preview
        announce: tuple[Action, ...] = (Say("/announce"), Say("Obaveštenje " * 300))
        announce += (PressShown(0, 0),) * 3
        found.append(Scenario(coordinator, False, announce))
    return found


# --- what Telegram would reject ------------------------------------------------------------------

_HTML_TAGS = frozenset(
    "b strong i em u ins s strike del a code pre span tg-spoiler tg-emoji blockquote".split()
)
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)"
    r"\s*>"
)
_HTML_ENTITY = re.compile(r"&(#[0-9]{1,8}|#x[0-9a-fA-F]{1,8}|lt|gt|amp|quot);")


def html_text(text: str) -> tuple[str, str]:
    """(the text Telegram would show, a problem or ""): Telegram's HTML subset as TDLib parses
    it, strictly for tags (any stray "<" is an error), leniently for "&" (left as it is)."""
    shown: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "<":
            tag = _TAG.match(text, i)
            if tag is None:
                return "", f"a stray '<' at {i}: {text[i : i + 20]!r}"
            closing, name, attrs = tag.group(1) == "/", tag.group(2).lower(), tag.group(3)
            if name not in _HTML_TAGS:
                return "", f"unsupported tag <{name}>"
            if closing:
                if not stack or stack[-1] != name:
                    return "", f"unexpected </{name}>, open: {stack}"
                stack.pop()
            else:
                if name == "span" and "tg-spoiler" not in attrs:
                    return "", "a <span> without class tg-spoiler"
                if name == "tg-emoji" and "emoji-id" not in attrs:
                    return "", "a <tg-emoji> without emoji-id"
                stack.append(name)
            i = tag.end()
            continue
        entity = _HTML_ENTITY.match(text, i) if text[i] == "&" else None
        if entity is not None:
            shown.append(html.unescape(entity.group(0)))
            i = entity.end()
            continue
        shown.append(text[i])
        i += 1
    if stack:
        return "", f"unclosed <{stack[-1]}>"
    return "".join(shown), ""


def _check_text(text: object, parse_mode: object, limit: int, empty_ok: bool) -> list[str]:
    if not isinstance(text, str):
        return [f"text is {type(text).__name__}"]
    problems = []
    shown = text
    if parse_mode == "HTML":
        shown, problem = html_text(text)
        if problem:
            problems.append(f"HTML Telegram cannot parse: {problem}")
    elif parse_mode is not None:
        problems.append(f"parse_mode {parse_mode!r}")
    if problems:
        return problems
    if not empty_ok and not shown.strip():
        problems.append("empty text")
    if _utf16_len(shown) > limit:
        problems.append(f"text of {_utf16_len(shown)} UTF-16 code units (limit {limit})")
    return problems


def _check_markup(markup: object) -> list[str]:
    if markup is None:
        return []
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        return [f"reply_markup {markup!r}"]
    rows = markup["inline_keyboard"]
    problems = []
    if sum(len(row) for row in rows) > 100:
        problems.append("over 100 buttons")
    for row in rows:
        if not row or len(row) > 8:
            problems.append(f"a row of {len(row)} buttons")
        for button in row:
            label, data = button.get("text"), button.get("callback_data")
            if not isinstance(label, str) or not label.strip():
                problems.append(f"button label {label!r}")
            if data is None and "url" not in button:
                problems.append(f"button {label!r} without callback_data or url")
            if data is not None and not (isinstance(data, str) and 1 <= len(data.encode()) <= 64):
                problems.append(f"callback_data {data!r} (1-64 bytes)")
    return problems


def call_problems(call: ApiCall) -> list[str]:
    """What Telegram would answer 400 (or worse) to, in a call the bot made."""
    p, method = call.params, call.method
    if method in ("sendMessage", "editMessageText"):
        problems = _check_text(p.get("text"), p.get("parse_mode"), 4096, empty_ok=False)
        problems += _check_markup(p.get("reply_markup"))
        if not isinstance(p.get("chat_id"), int):
            problems.append(f"chat_id {p.get('chat_id')!r}")
        if method == "editMessageText" and not isinstance(p.get("message_id"), int):
            problems.append(f"message_id {p.get('message_id')!r}")
    elif method == "sendDocument":
        problems = _check_text(p.get("caption") or "", p.get("parse_mode"), 1024, empty_ok=True)
        problems += _check_markup(p.get("reply_markup"))
        if p.get("document") is None:
            problems.append("no document")
    elif method in ("deleteMessage", "deleteMessages"):
        problems = [] if isinstance(p.get("chat_id"), int) else [f"chat_id {p.get('chat_id')!r}"]
        ids: object = p.get("message_ids") if method == "deleteMessages" else [p.get("message_id")]
        if not (
            isinstance(ids, list) and 1 <= len(ids) <= 100 and all(isinstance(i, int) for i in ids)
        ):
            problems.append(f"message ids {ids!r}")
    elif method == "answerCallbackQuery":
        problems = _check_text(p.get("text") or "", None, 200, empty_ok=True)
    elif method == "setMyCommands":
        problems = []
        commands = p.get("commands") or []
        if len(commands) > 100:
            problems.append(f"{len(commands)} commands")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                problems.append(f"command {command.get('command')!r}")
            if not 1 <= len(command.get("description", "")) <= 256:
                problems.append(f"description {command.get('description')!r}")
    elif method in (
        "getMe", "getUpdates", "deleteWebhook", "getWebhookInfo", "sendChatAction",
        "deleteMyCommands", "getMyCommands", "editMessageReplyMarkup",
    ):  # fmt: skip
        problems = []
    else:
        problems = [f"a call the double does not know: {method}"]
    return [f"{method}: {problem}" for problem in problems]


# --- the documented answers --------------------------------------------------------------------


class Texts:
    """Whether a text is one of the bot's messages (in any locale, any placeholders)."""

    def __init__(self, i18n: I18n) -> None:
        self._i18n = i18n
        self._patterns: dict[str, list[re.Pattern[str]]] = {}

    def _compiled(self, msgid: str) -> list[re.Pattern[str]]:
        if msgid not in self._patterns:
            found = []
            for locale in Locale:
                template = self._i18n[locale].t(msgid)
                parts = re.split(r"\{[^{}]*\}", template)
                found.append(re.compile(".*?".join(re.escape(p) for p in parts), re.DOTALL))
            self._patterns[msgid] = found
        return self._patterns[msgid]

    def matches(self, msgid: str, text: str) -> bool:
        return any(p.fullmatch(text) for p in self._compiled(msgid))

    def starts(self, msgid: str, text: str) -> bool:
        return any(p.match(text) for p in self._compiled(msgid))


def addressed(text: str) -> bool:
    """The documented rule: in a group, a command without @ or with @ the bot's username, or
    a mention of the bot, is meant for it."""
    words = text.split()
    if words and words[0].startswith("/"):
        _, at, name = words[0].partition("@")
        return not at or name.lower() == BOT_USERNAME
    return f"@{BOT_USERNAME}" in text.lower()


def invisible(text: str) -> bool:
    categories = ("Cf", "Cc", "Zs", "Zl", "Zp")
    return all(ch.isspace() or unicodedata.category(ch) in categories for ch in text)


# --- the bot under test ------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.WARNING)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@dataclass
class Stats:
    examples: int = 0
    updates: Counter[str] = field(default_factory=Counter)
    messages: int = 0
    calls: int = 0
    longest_reaction: int = 0
    seconds: float = 0.0


_SENDS = ("sendMessage", "editMessageText", "sendDocument")


@dataclass(frozen=True)
class Sent:
    """A message the bot sent (or tried to: a refused call fails the log check)."""

    method: str
    chat_id: object
    text: str
    parse_mode: object

    @classmethod
    def of(cls, call: ApiCall) -> Sent:
        p = call.params
        text = p.get("caption" if call.method == "sendDocument" else "text") or ""
        return cls(call.method, p.get("chat_id"), str(text), p.get("parse_mode"))


@dataclass
class _Example:
    person: Person
    uid: int
    group: JSONDict
    told: bool = False  # the group heard "private chats only"
    written: list[int] = field(default_factory=list)  # the person's own message ids
    group_written: list[int] = field(default_factory=list)


class Harness:
    """One running bot that many examples talk to, each as people it has never seen."""

    def __init__(self, api: BotApiDouble, app: App, channel: TelegramChannel, i18n: I18n) -> None:
        self.api, self.app, self.channel = api, app, channel
        self.texts = Texts(i18n)
        self.records: list[logging.LogRecord] = []
        self.stats = Stats()
        self._handled: set[int] = set()
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(10_000)
        self._answered: Counter[str] = Counter()
        # called with each action and what the bot sent for it (benchmarks/fuzz.py --verbose)
        self.trace: Callable[[Action, Sequence[Sent]], None] | None = None
        self._checked_calls = 0

    async def _mark(self, update: object, _: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs after the bot's own handler (group 1): the update has been handled."""
        if isinstance(update, Update):
            self._handled.add(update.update_id)
            self._changed.set()

    # --- one example ---------------------------------------------------------------------------

    async def play(self, scenario: Scenario) -> None:
        started = time.monotonic()
        await self._quiet()
        # what an earlier example left (it failed before its checks ran) was reported with it
        self._checked_calls = len(self.api.calls)
        self.records.clear()
        ex = await self._example(scenario)
        for act in scenario.actions:
            await self._perform(ex, act)
        await self._check_database(ex)
        self.stats.examples += 1
        self.stats.seconds += time.monotonic() - started

    async def _example(self, scenario: Scenario) -> _Example:
        n = next(self._ids)
        p = scenario.person
        if p.coordinator:
            uid = COORDINATOR
            # the one coordinator's open dialogs would make examples depend on each other
            services = self.app.services
            user = await services.users.get(UserRef("telegram", str(uid)))
            if user is not None:
                for state in await services.dialogs.both(user.id):
                    await services.dialogs.clear(user.id, state.name)
        else:
            uid = (1_000_000 + n, 2**32 + n, 2**52 - n)[p.id_size]
        if scenario.supergroup:
            group = {"id": -1_000_000_000_000 - n, "type": "supergroup", "title": "Сарадња <b>"}
        else:
            group = {"id": -n, "type": "group", "title": "Opštine & partneri"}
        return _Example(p, uid, group)

    def _user(self, ex: _Example) -> JSONDict:
        p = ex.person
        user: JSONDict = {"id": ex.uid, "is_bot": False, "first_name": p.first_name}
        if p.last_name is not None:
            user["last_name"] = p.last_name
        if p.username is not None:
            user["username"] = p.username
        if p.language_code is not None:
            user["language_code"] = p.language_code
        return user

    def _private(self, ex: _Example) -> JSONDict:
        chat: JSONDict = {"id": ex.uid, "type": "private", "first_name": ex.person.first_name}
        if ex.person.username is not None:
            chat["username"] = ex.person.username
        return chat

    def _message(self, ex: _Example, group: bool, content: JSONDict) -> JSONDict:
        mid = next(self._message_ids)
        (ex.group_written if group else ex.written).append(mid)
        chat = ex.group if group else self._private(ex)
        msg = {"message_id": mid, "date": int(time.time()), "chat": chat, "from": self._user(ex)}
        return msg | content

    async def _perform(self, ex: _Example, act: Action) -> None:
        api = self.api
        calls_before = len(api.calls)
        updates, queries = self._updates(ex, act)
        handled: list[int] = []
        for update in updates:
            # a malformed update would stop python-telegram-bot's polling, not test the bot
            Update.de_json({"update_id": 0, **update}, self.channel.application.bot)
            uid = api.push_raw(update)
            if not set(update) & {"channel_post", "edited_channel_post", "inline_query",
                                  "chat_join_request", "poll_answer"}:  # fmt: skip
                handled.append(uid)  # the bot asks for these types only
        await self._settle(handled, act)
        self.stats.updates[type(act).__name__] += len(updates)
        calls = api.calls[calls_before:]
        new = [Sent.of(call) for call in calls if call.method in _SENDS]
        self.stats.messages += len(new)
        if self.trace is not None:
            self.trace(act, new)
        self.stats.calls += len(calls)
        self._check_calls()
        self._check_logs(act, new)
        for query in queries:
            assert self._answered[query] == 1, (
                f"callback query {query} answered {self._answered[query]} times after {act!r}"
            )
        self._check_reaction(ex, act, new, len(handled))

    async def _settle(self, update_ids: Sequence[int], act: Action) -> None:
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while not self._handled.issuperset(update_ids):
            self._changed.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                missing = sorted(set(update_ids) - self._handled)
                raise AssertionError(f"updates {missing} not handled in time after {act!r}")
            with suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
        await self._quiet(act)

    async def _quiet(self, act: Action | None = None) -> None:
        try:
            await asyncio.wait_for(self.app.outbound.join(), SETTLE_TIMEOUT)
        except TimeoutError:
            raise AssertionError(f"replies not sent in time after {act!r}") from None
        assert not self.app.dispatcher.busy, f"the dispatcher is still busy after {act!r}"

    # --- the updates ---------------------------------------------------------------------------

    def _updates(self, ex: _Example, act: Action) -> tuple[list[JSONDict], list[str]]:
        """The updates an action sends, and the ids of the callback queries among them."""
        match act:
            case Say(text, raw):
                content = {"text": text, **self._entities(text, raw)}
                return [{"message": self._message(ex, False, content)}], []
            case Press(data, twice, inline):
                return self._press(ex, data, None if inline else self._last_shown(ex), twice)
            case PressShown(back, index, twice):
                shown = [
                    m for m in self.api.sent(ex.uid) if any(d for r in m.buttons for _, d in r)
                ]
                if not shown:
                    return self._press(ex, "menu", self._last_shown(ex), twice)
                message = shown[-1 - back % len(shown)]
                flat = [d for row in message.buttons for _, d in row if d]
                return self._press(ex, flat[index % len(flat)], message, twice)
            case Media(kind, caption):
                content = _media(kind, next(self._message_ids))
                if caption is not None and kind in ("photo", "video", "document", "audio",
                                                    "voice", "animation"):  # fmt: skip
                    content["caption"] = caption
                return [{"message": self._message(ex, False, content)}], []
            case Service(kind):
                return [
                    {"message": self._message(ex, False, _service(kind, ex, self._user(ex)))}
                ], []
            case Edit(text, back, group):
                written = ex.group_written if group else ex.written
                mid = written[-1 - back % len(written)] if written else 1
                chat = ex.group if group else self._private(ex)
                now = int(time.time())
                msg = {"message_id": mid, "date": now - 5, "edit_date": now, "chat": chat}
                msg |= {"from": self._user(ex), "text": text}
                return [{"edited_message": msg}], []
            case Member(status, group):
                chat = ex.group if group else self._private(ex)
                bot = {"id": BOT_ID, "is_bot": True, "first_name": "PartnerBot",
                       "username": BOT_USERNAME}  # fmt: skip
                old = "member" if status != "member" else "kicked"
                member = {"chat": chat, "from": self._user(ex), "date": int(time.time())}
                member |= {"old_chat_member": _chat_member(old, bot)}
                member |= {"new_chat_member": _chat_member(status, bot)}
                return [{"my_chat_member": member}], []
            case GroupSay(text, sender):
                msg = self._message(ex, True, {"text": text, **self._entities(text, ())})
                if sender != "member" and ex.group["type"] == "supergroup":
                    if sender == "anonymous":
                        msg["from"] = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                                       "username": "GroupAnonymousBot"}  # fmt: skip
                        msg["sender_chat"] = ex.group
                    else:
                        msg["from"] = {"id": 136817688, "is_bot": True, "first_name": "Channel",
                                       "username": "Channel_Bot"}  # fmt: skip
                        msg["sender_chat"] = {"id": -1_009_999_999_999, "type": "channel",
                                              "title": "Вести"}  # fmt: skip
                return [{"message": msg}], []
            case GroupOther(kind, caption):
                if kind in MEDIA:
                    content = _media(kind, next(self._message_ids))
                    if caption is not None and "photo" in content:
                        content["caption"] = caption
                else:
                    content = _service(kind, ex, self._user(ex))
                return [{"message": self._message(ex, True, content)}], []
            case Elsewhere(kind):
                return [_elsewhere(kind, ex, self._user(ex), next(self._message_ids))], []
        raise AssertionError(f"unknown action {act!r}")

    def _last_shown(self, ex: _Example) -> SentMessage | None:
        sent = self.api.sent(ex.uid)
        return sent[-1] if sent else None

    def _press(
        self, ex: _Example, data: str | None, message: SentMessage | None, twice: bool
    ) -> tuple[list[JSONDict], list[str]]:
        updates, queries = [], []
        for _ in range(2 if twice else 1):
            query_id = f"{ex.uid}-{next(self._message_ids)}"
            query: JSONDict = {"id": query_id, "from": self._user(ex), "chat_instance": "42"}
            if data is not None:
                query["data"] = data
            else:
                query["game_short_name"] = "quiz"
            if message is None:
                query["inline_message_id"] = "AAAA-inline"
            else:
                sent: JSONDict = {"message_id": message.message_id, "date": int(time.time())}
                sent |= {"chat": self._private(ex), "text": message.text}
                sent["from"] = {"id": BOT_ID, "is_bot": True, "first_name": "PartnerBot"}
                query["message"] = sent
            updates.append({"callback_query": query})
            queries.append(query_id)
        return updates, queries

    def _entities(self, text: str, raw: tuple[tuple[int, int, str], ...]) -> JSONDict:
        found: list[JSONDict] = []
        taken = 0
        command = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{5,32})?(?![^\s])", text)
        if command is not None:
            found.append({"type": "bot_command", "offset": 0, "length": command.end()})
            taken = command.end()
        if text:
            for start, length, kind in sorted(raw):
                begin = start % len(text)
                end = min(len(text), begin + 1 + length)
                if begin < taken:
                    continue
                entity: JSONDict = {"type": kind, "offset": _utf16_len(text[:begin])}
                entity["length"] = _utf16_len(text[begin:end])
                if kind == "text_link":
                    entity["url"] = LINKS[start % len(LINKS)]
                elif kind == "text_mention":
                    entity["user"] = {"id": 77, "is_bot": False, "first_name": "<Ana & Bo>"}
                elif kind == "pre":
                    entity["language"] = "py<thon>"
                elif kind == "custom_emoji":
                    entity["custom_emoji_id"] = "5368324170671202286"
                found.append(entity)
                taken = end
        return {"entities": found} if found else {}

    # --- the checks ----------------------------------------------------------------------------

    def _check_calls(self) -> None:
        calls = self.api.calls[self._checked_calls :]
        self._checked_calls += len(calls)
        problems = [problem for call in calls for problem in call_problems(call)]
        for call in calls:
            if call.method == "answerCallbackQuery":
                self._answered[str(call.params.get("callback_query_id"))] += 1
        assert not problems, f"calls Telegram would reject: {problems}"

    def _check_logs(self, act: Action | None, new: list[Sent]) -> None:
        bad = [
            r
            for r in self.records
            if r.levelno >= logging.ERROR
            or r.exc_info
            or "Traceback" in r.getMessage()
            or (r.name.startswith("bot.") and "not delivered" in r.getMessage())
            or r.name.startswith(("telegram", "bot.channels"))
        ]
        self.records.clear()
        if bad:
            shown = [f"{r.levelname} {r.name}: {r.getMessage()}" for r in bad]
            traces = [logging.Formatter().formatException(r.exc_info) for r in bad if r.exc_info]
            sends = [
                f"{m.method} to {m.chat_id}, {len(m.text)} characters, {m.parse_mode}: "
                f"{m.text[:300]!r}"
                for m in new
            ]
            raise AssertionError(f"after {act!r}: {shown}\n" + "\n".join(traces + sends))

    def _check_reaction(self, ex: _Example, act: Action, new: list[Sent], handled: int) -> None:
        texts = self.texts
        for message in new:
            assert not texts.matches("error.internal", message.text), (
                f"'something went wrong' after {act!r}"
            )
        mine = [m for m in new if m.chat_id == ex.uid]
        to_group = [m for m in new if m.chat_id == ex.group["id"]]
        elsewhere = [m for m in new if m.chat_id not in (ex.uid, ex.group["id"])]
        private = isinstance(act, Say | Press | PressShown | Media)
        if private:
            self.stats.longest_reaction = max(self.stats.longest_reaction, len(mine))
            assert len(mine) >= handled, f"{len(mine)} messages for {handled} updates: {act!r}"
            assert len(mine) <= MAX_REACTION * handled, f"{len(mine)} messages after {act!r}"
            assert not to_group, f"a private action answered in the group: {act!r}"
            if not ex.person.coordinator:
                # only coordinators hear of other people (a question, a registration)
                strangers = [m for m in elsewhere if m.chat_id != COORDINATOR]
                assert not strangers, f"messages to {[m.chat_id for m in strangers]}: {act!r}"
        first = mine[0].text if mine else ""
        match act:
            case Say(text) if len(text.strip()) > 4096:
                assert texts.matches("input.too_long", first), f"not 'too long': {first[:200]!r}"
            case Say(text) if invisible(text):
                assert texts.matches("input.empty", first), f"not 'empty': {first[:200]!r}"
            case Say(text):
                assert not texts.matches("input.too_long", first), f"'too long': {act!r}"
            case Media():
                assert texts.matches("input.unsupported", first), f"not 'text only': {first!r}"
            case Press(data) if data is None or not self._known(data):
                for message in mine:
                    assert texts.starts("button.expired", message.text) or texts.matches(
                        "coordinator.only", message.text
                    ), f"forged {data!r} answered {message.text[:200]!r}"
            case GroupSay(text) if addressed(text) and not ex.told:
                assert len(to_group) == 1 and not mine and not elsewhere, (
                    f"{len(to_group)} messages to the group, {len(mine)} to the person, "
                    f"{len(elsewhere)} elsewhere after {act!r}"
                )
                assert texts.matches("chat.private_only", to_group[0].text), to_group[0].text
                ex.told = True
            case Service() | Edit() | Member() | GroupSay() | GroupOther() | Elsewhere():
                assert not new, (
                    f"{act!r} wants no answer; the bot sent {[(m.chat_id, m.text) for m in new]}"
                )

    def _known(self, data: str) -> bool:
        """Data a real button could carry (any other is forged and has expired)."""
        dispatcher = self.app.dispatcher
        if data in ("menu", "resume", "stop") or data in dispatcher.menu_entries:
            return True
        if data.startswith("lang:"):
            try:
                Locale.parse(data.removeprefix("lang:"))
            except ValueError:
                return False
            return True
        return data.startswith(("d:", "fq:")) or data.split(":", 1)[0] in dispatcher.prefixes

    async def _check_database(self, ex: _Example) -> None:
        db = self.app.services.db

        async def rows(sql: str, *args: object) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in await db.execute_fetchall(sql, args)]

        assert await rows("PRAGMA integrity_check") == [("ok",)]
        assert await rows("PRAGMA foreign_key_check") == []
        orphans = await rows(
            "SELECT user_id, name FROM dialog_slots WHERE user_id NOT IN (SELECT id FROM users)"
        )
        assert orphans == [], f"dialogs of people who do not exist: {orphans}"
        groups = await rows("SELECT external_id FROM users WHERE external_id LIKE '-%'")
        assert groups == [], f"groups stored as people: {groups}"
        user = await self.app.services.users.get(UserRef("telegram", str(ex.uid)))
        if user is not None:
            dialogs = self.app.services.dialogs
            fresh = Dialogs(db, frozenset(dialogs.form_names))
            cached, stored = await dialogs.both(user.id), await fresh.both(user.id)
            assert cached == stored, f"dialogs in memory {cached}, in the database {stored}"


def _media(kind: str, n: int) -> JSONDict:
    f = {"file_id": f"F{n}", "file_unique_id": f"U{n}"}
    location = {"latitude": 44.8125, "longitude": 20.4612}
    table: dict[str, JSONDict] = {
        "sticker": {"sticker": f | {"type": "regular", "width": 512, "height": 512,
                                    "is_animated": False, "is_video": False, "emoji": "👍"}},
        "photo": {"photo": [f | {"width": 90, "height": 90}, f | {"width": 800, "height": 600}]},
        "voice": {"voice": f | {"duration": 3, "mime_type": "audio/ogg"}},
        "audio": {"audio": f | {"duration": 200, "title": "Химна", "performer": "<x>"}},
        "video": {"video": f | {"width": 640, "height": 480, "duration": 5}},
        "video_note": {"video_note": f | {"length": 240, "duration": 5}},
        "document": {"document": f | {"file_name": "'; DROP TABLE users; --.pdf"}},
        "animation": {"animation": f | {"width": 1, "height": 1, "duration": 1}, "document": f},
        "location": {"location": location},
        "venue": {"location": location, "venue": {"location": location, "title": "Скупштина",
                                                  "address": "Trg 1"}},
        "contact": {"contact": {"phone_number": "+381641234567", "first_name": "Ана"}},
        "poll": {"poll": {"id": f"P{n}", "question": "Да или не?", "total_voter_count": 0,
                          "options": [{"text": "Да", "voter_count": 0, "persistent_id": "a"},
                                      {"text": "Не", "voter_count": 0, "persistent_id": "b"}],
                          "is_closed": False, "is_anonymous": True, "type": "regular",
                          "allows_multiple_answers": False, "allows_revoting": False,
                          "members_only": False}},
        "dice": {"dice": {"emoji": "🎲", "value": 6}},
        "story": {"story": {"chat": {"id": 5, "type": "private"}, "id": 1}},
        "game": {"game": {"title": "Quiz", "description": "?", "photo": [f | {"width": 1,
                                                                               "height": 1}]}},
    }  # fmt: skip
    return table[kind]


def _service(kind: str, ex: _Example, user: JSONDict) -> JSONDict:
    bot = {"id": BOT_ID, "is_bot": True, "first_name": "PartnerBot", "username": BOT_USERNAME}
    pinned = {"message_id": 1, "date": 0, "chat": ex.group}
    table: dict[str, JSONDict] = {
        "pinned_message": {"pinned_message": pinned},
        "message_auto_delete_timer_changed": {
            "message_auto_delete_timer_changed": {"message_auto_delete_time": 86400}
        },
        "write_access_allowed": {"write_access_allowed": {"from_request": True}},
        "new_chat_members": {"new_chat_members": [user]},
        "new_chat_members_bot": {"new_chat_members": [bot]},
        "left_chat_member": {"left_chat_member": user},
        "new_chat_title": {"new_chat_title": "Нови <i>назив</i>"},
        "group_chat_created": {"group_chat_created": True},
        "delete_chat_photo": {"delete_chat_photo": True},
        "migrate_to_chat_id": {"migrate_to_chat_id": -1_009_000_000_000},
        "video_chat_started": {"video_chat_started": {}},
    }
    return table[kind]


def _chat_member(status: str, user: JSONDict) -> JSONDict:
    member: JSONDict = {"status": status, "user": user}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _elsewhere(kind: str, ex: _Example, user: JSONDict, n: int) -> JSONDict:
    channel = {"id": -1_008_000_000_000 - n, "type": "channel", "title": "Канал"}
    post = {"message_id": n, "date": int(time.time()), "chat": channel, "text": "/start"}
    table: dict[str, JSONDict] = {
        "channel_post": {"channel_post": post},
        "edited_channel_post": {"edited_channel_post": post | {"edit_date": int(time.time())}},
        "inline_query": {"inline_query": {"id": str(n), "from": user, "query": "q", "offset": ""}},
        "chat_join_request": {"chat_join_request": {"chat": ex.group, "from": user,
                                                    "user_chat_id": user["id"], "date": 0}},
        "poll_answer": {"poll_answer": {"poll_id": "P1", "option_ids": [0], "user": user,
                                        "option_persistent_ids": ["a"]}},
    }  # fmt: skip
    return table[kind]


@asynccontextmanager
async def running_bot(db_path: Path, i18n: I18n) -> AsyncIterator[Harness]:
    """The real App and TelegramChannel polling a fresh Bot API double, with the coordinator
    of tests/e2e and no quiet hours; log records at WARNING and above are collected."""
    records: list[logging.LogRecord] = []
    collect = _Collect(records)
    logging.getLogger().addHandler(collect)
    try:
        async with BotApiDouble(bot_id=BOT_ID, bot_username=BOT_USERNAME) as api:
            coordinators = frozenset({UserRef("telegram", str(COORDINATOR))})
            app = await App.open(
                bot_settings(db_path, coordinators=coordinators, quiet_hours=None),
                i18n,
                faq=shared_faq(),
            )
            try:
                channel = TelegramChannel(app, api.token, api.base_url)
                harness = Harness(api, app, channel, i18n)
                harness.records = records
                channel.application.add_handler(TypeHandler(Update, harness._mark), group=1)
                await channel.start()
                try:
                    harness._check_calls()  # the command menus
                    harness._check_logs(None, [])
                    yield harness
                finally:
                    await channel.stop()
            finally:
                await app.close()
    finally:
        logging.getLogger().removeHandler(collect)


def explore(
    harness: Harness,
    loop: asyncio.AbstractEventLoop,
    examples: int,
    *,
    seed: int | None = None,
    known_bugs: bool = False,
    explicit: bool = True,
) -> None:
    """Runs hypothesis (in this thread) against the bot running on `loop` (another thread)."""

    @hsettings(
        max_examples=examples,
        deadline=None,
        derandomize=seed is None,
        database=None,
        print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenarios(known_bugs))
    def one(s: Scenario) -> None:
        asyncio.run_coroutine_threadsafe(harness.play(s), loop).result()

    for recipe in reversed(recipes(known_bugs) if explicit else []):
        one = hypothesis.example(recipe)(one)
    if seed is not None:
        one = hypothesis.seed(seed)(one)
    one()


# about 20 s when the property holds; a failure is shrunk (replayed many times) before it is
# reported, which takes longer than the suite's 60 s
@pytest.mark.timeout(300)
def test_random_updates_through_the_real_handlers(tmp_path: Path, i18n: I18n) -> None:
    async def main() -> None:
        async with running_bot(tmp_path / "bot.sqlite3", i18n) as harness:
            loop = asyncio.get_running_loop()
            await asyncio.to_thread(explore, harness, loop, EXAMPLES)
            assert harness.stats.examples >= EXAMPLES

    asyncio.run(main())
