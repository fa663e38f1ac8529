"""Greetings and thanks are not questions: they get a friendly word, not "I don't know"."""

from __future__ import annotations

import re
from enum import Enum

from bot.core.script import fold


class SmallTalk(Enum):
    HELLO = "hello"
    THANKS = "thanks"


# Folded words (no diacritics); a message made only of these is small talk.
_THANKS = frozenset("hvala fala zahvaljujem thanks thank thx ty tnx".split())
_HELLO = frozenset("zdravo cao pozdrav pozdravi hello hi hey hej dobar dobro jutro vece".split())
_ALSO = frozenset(
    """
    puno mnogo velika veliko lepo vam ti you so much very lot a dan good morning afternoon
    evening day there all svima svi
    """.split()
)
_WORD = re.compile(r"[a-z]+")


# "Dobar dan, ..." / "Hello, ..." before a question says nothing about its topic, but "dobar"
# (good) and "dan" (day) elsewhere can ("dobar film"): only a leading greeting is dropped.
_GREETING = re.compile(
    r"^\s*(dobar\s+dan|dobro\s+jutro|dobro\s+vece|zdravo|cao|pozdrav|hej|hey|hello|hi|"
    r"good\s+(morning|afternoon|evening))\b[\s,.!:;-]*",
    re.IGNORECASE,
)


def without_greeting(text: str) -> str:
    folded = fold(text)
    found = _GREETING.match(folded)
    if found is None or found.end() >= len(folded):
        return text
    # folding keeps one character per character for these words, so the cut is the same
    return text[found.end() :] if len(folded) == len(text) else folded[found.end() :]


def small_talk(text: str) -> SmallTalk | None:
    words = _WORD.findall(fold(text))
    if not words or len(words) > 6 or any(w not in _THANKS | _HELLO | _ALSO for w in words):
        return None
    if any(w in _THANKS for w in words):
        return SmallTalk.THANKS
    if any(w in _HELLO for w in words) or words[:2] == ["good", "morning"]:
        return SmallTalk.HELLO
    return None
