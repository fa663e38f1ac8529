"""Greetings, thanks, "ok" and goodbyes are not questions: a friendly word, never "I don't
know" or a topic; "who are you?" gets what the bot is."""

from __future__ import annotations

import re
from enum import Enum

from bot.core.script import fold


class SmallTalk(Enum):
    HELLO = "hello"
    THANKS = "thanks"
    OK = "ok"
    BYE = "bye"
    WHO = "who"


# Folded words (no diacritics); a message made only of these is small talk.
_THANKS = frozenset("hvala fala zahvaljujem thanks thank thx ty tnx".split())
_HELLO = frozenset("zdravo cao pozdrav pozdravi hello hi hey hej dobar dobro jutro vece".split())
_OK = frozenset(
    """
    ok okay okej oki u redu vazi super odlicno jasno razumem razumeo razumela shvatam dobro
    fine great cool perfect alright sure got it understood noted good
    """.split()
)
_BYE = frozenset("dovidenja dovidjenja prijatno bye goodbye laku noc see later".split())
# "who are you?", "ko ste Vi?", "jeste li bot?": whole messages only
_WHO = re.compile(
    r"^(ko|sta) (ste|si)( vi| ti)?|^(who|what) are you|^(jeste li|da li ste|jesi li|are you)"
    r"( vi| ti)? (a )?(bot|robot|covek|human|person|chatbot)"
)
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
    if not words or len(words) > 6:
        return None
    if _WHO.match(" ".join(words)) and len(words) <= 5:
        return SmallTalk.WHO
    if any(w not in _THANKS | _HELLO | _OK | _BYE | _ALSO for w in words):
        return None
    if any(w in _THANKS for w in words):
        return SmallTalk.THANKS
    if any(w in _BYE for w in words):
        return SmallTalk.BYE
    greeting = any(w in _HELLO for w in words) or words[:2] == ["good", "morning"]
    # "dobro" alone is "fine"; "dobro jutro" is good morning
    if greeting and words not in (["dobro"], ["good"]):
        return SmallTalk.HELLO
    if any(w in _OK for w in words):
        return SmallTalk.OK
    return None
