"""Whether a text typed at a form's step reads like a question rather than an answer."""

from __future__ import annotations

import re

from bot.core.script import fold

# Serbian (folded to Latin without diacritics) and English words that open a question
_OPENERS = frozenset(
    """
    sta sto kako kada kad ko gde gdje zasto koliko koji koja koje kakav kakva kakvo cemu
    da li je moze mogu treba ima postoji
    what how when who where why which whom whose is are can could do does did will would
    should may
    """.split()
)
_WORD = re.compile(r"\w+")


def looks_like_question(text: str) -> bool:
    """A question mark, or a question word first in a sentence of several words: no name,
    address, number or town looks like that."""
    words = _WORD.findall(fold(text))
    if len(words) < 2:
        return False
    if text.rstrip().endswith("?"):
        return True
    return len(words) >= 3 and words[0] in _OPENERS and (words[0] != "da" or words[1] == "li")
