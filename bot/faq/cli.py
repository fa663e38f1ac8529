"""`partnerbot faq ask` and `partnerbot faq check`: the chat's answers, for editors."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path

import aiosqlite

from bot.config import Settings
from bot.core.i18n import I18n
from bot.core.locales import Locale, detect
from bot.core.messages import Reply
from bot.faq.answers import Faq, offered, render
from bot.faq.knowledge import FAQ_DIR, check
from bot.faq.matching import Decision, Match
from bot.faq.smalltalk import SmallTalk, small_talk
from bot.storage.workshops import Workshop, Workshops

OUTCOMES = {
    Decision.ANSWER: "answered",
    Decision.CLARIFY: "suggested",
    Decision.UNKNOWN: "declined",
}


async def _upcoming(db_path: Path) -> list[Workshop]:
    """The workshops the chat would list, read without creating or changing the database."""
    # a one-off command: a blocking look at the file system is fine here
    if not db_path.exists():  # noqa: ASYNC240
        return []
    uri = f"{db_path.resolve().as_uri()}?mode=ro"  # noqa: ASYNC240
    try:
        async with aiosqlite.connect(uri, uri=True) as conn:
            conn.row_factory = aiosqlite.Row
            return await Workshops(conn).upcoming()
    except sqlite3.Error:
        return []  # an older or foreign file: the answer without the list


async def ask(settings: Settings, texts: Iterable[str], lang: Locale | None, as_json: bool) -> int:
    faq, i18n = Faq(), I18n()
    workshops = await _upcoming(settings.db_path)
    for raw in texts:
        text = raw.strip()
        if not text:
            continue
        locale = lang or detect(text) or Locale.EN
        match = faq.match(text)
        talk = small_talk(text)
        outcome = OUTCOMES[match.decision] if talk is None else "small_talk"
        if talk is not None:
            # the chat's own answer to a greeting or thanks: no topic, a friendly word
            match = Match(None, 0.0, (), Decision.UNKNOWN)
            t = i18n[locale]
            reply = Reply(
                t.t("welcome.new") if talk is SmallTalk.WHO else t.t(f"smalltalk.{talk.value}")
            )
        else:
            reply = render(faq, match, i18n[locale], settings.timezone, workshops)
        known = match.decision is not Decision.UNKNOWN
        suggested = match.decision is Decision.CLARIFY
        if as_json:
            result = {
                "topic": match.topic if known else None,
                "outcome": outcome,
                "score": round(match.score, 4),
                "locale": locale.value,
                "answer": reply.text,
                # the "did you mean" buttons' topics, in their order
                "offered": [tp.id for tp in offered(faq, match)] if suggested else [],
                "alternatives": [
                    {"topic": tid, "score": round(s, 4)} for tid, s in match.alternatives
                ],
            }
            print(json.dumps(result, ensure_ascii=False), flush=True)
        else:
            buttons = [f"[{b.label}]" for b in reply.flat_buttons]
            print(reply.text + ("\n" + " ".join(buttons) if buttons else "") + "\n", flush=True)
    return 0


def check_command(directory: Path | None) -> int:
    problems = check(directory or FAQ_DIR)
    for line in problems:
        print(line, file=sys.stderr)
    if not problems:
        print("the knowledge base is valid")
    return 1 if problems else 0
