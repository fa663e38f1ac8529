"""Alphabetical order as Serbian readers expect it, in the script they read.

Python's own order puts ђ, ј, љ, њ, ћ, џ after я and č, ć, š, ž after z; a reader of Cyrillic
expects азбука order (… д ђ е …), a reader of Latin abeceda order (… c č ć d dž đ …). A name
written in the other script sorts where its letters would in the reader's script.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bot.core.erasure import holds_personal_data
from bot.core.script import to_latin

_AZBUKA = "абвгдђежзијклљмнњопрстћуфхцчџш"
# with the letters English adds, where English has them
_ABECEDA = "a b c č ć d dž đ e f g h i j k l lj m n nj o p q r s š t u v w x y z ž".split()
_PIECE = re.compile(r"lj|nj|dž|.", re.DOTALL)
# letters neither alphabet has (ä, ø, …) come after every letter both have
_OTHER = 1000


def _tables() -> tuple[dict[str, int], dict[str, int]]:
    latin = {letter: rank for rank, letter in enumerate(_ABECEDA, start=1)}
    cyrillic = {letter: rank for rank, letter in enumerate(_AZBUKA, start=1)}
    for letter in _AZBUKA:
        latin[letter] = latin[to_latin(letter)]
    for letter, rank in list(latin.items()):
        if letter in _AZBUKA:
            continue
        # the Latin letter's Cyrillic twin; q, w, x, y have none and follow ш
        twins = [c for c in _AZBUKA if to_latin(c) == letter]
        cyrillic[letter] = cyrillic[twins[0]] if twins else len(_AZBUKA) + rank
    return cyrillic, latin


_CYRILLIC_ORDER, _LATIN_ORDER = _tables()


def _rank(piece: str, order: dict[str, int]) -> int:
    if piece in order:
        return order[piece]
    if piece.isdecimal():
        return -10 + int(piece)
    if not piece.isalnum():
        return -20  # spaces and punctuation first: "Novi Sad" before "Novigrad"
    base = unicodedata.normalize("NFD", piece)[0]
    return order.get(base, _OTHER + ord(piece[0]))


@lru_cache(maxsize=65_536)
def sort_key(text: str, cyrillic: bool) -> tuple[int, ...]:
    """The key that puts `text` in alphabetical order for a reader of Cyrillic or Latin."""
    order = _CYRILLIC_ORDER if cyrillic else _LATIN_ORDER
    return tuple(_rank(p, order) for p in _PIECE.findall(text.lower()))


holds_personal_data(sort_key.cache_clear)  # names of people sorted in the console
