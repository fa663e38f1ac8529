"""Serbian scripts: Cyrillic to Latin (lossless) and the folded key used for matching."""

from __future__ import annotations

import re
import unicodedata

_CYR = "абвгдђежзијклљмнњопрстћуфхцчџш"
_LAT = [
    "a", "b", "v", "g", "d", "đ", "e", "ž", "z", "i", "j", "k", "l", "lj", "m", "n", "nj",
    "o", "p", "r", "s", "t", "ć", "u", "f", "h", "c", "č", "dž", "š",
]  # fmt: skip
_TABLE: dict[int, str] = {}
for _c, _l in zip(_CYR, _LAT, strict=True):
    _TABLE[ord(_c)] = _l
    _TABLE[ord(_c.upper())] = _l[0].upper() + _l[1:]

# ЉУБЉАНА must become LJUBLJANA, not LjUBLjANA: a digraph letter inside an upper-case
# word is written in capitals.
_CAPS_DIGRAPH = re.compile(r"[ЉЊЏ](?=[А-ЯЂЈЉЊЋЏ])|(?<=[А-ЯЂЈЉЊЋЏ])[ЉЊЏ](?![а-яђјљњћџ])")
_CAPS = {"Љ": "LJ", "Њ": "NJ", "Џ": "DŽ"}

CYRILLIC_LETTER = re.compile(r"[\u0400-\u04ff]")
SERBIAN_LATIN_LETTER = re.compile(r"[čćšžđČĆŠŽĐ]")


def to_latin(text: str) -> str:
    """Serbian Cyrillic → Serbian Latin; everything else is left as it is."""
    text = _CAPS_DIGRAPH.sub(lambda m: _CAPS[m.group()], text)
    return text.translate(_TABLE)


def has_cyrillic(text: str) -> bool:
    return CYRILLIC_LETTER.search(text) is not None


# Latin look-alikes typed inside Cyrillic words ("Cарадња" with a Latin C).
_LOOKALIKES = str.maketrans("aceopxyAEOPCXKMHTBj", "асеорхуАЕОРСХКМНТВј")
_WORD = re.compile(r"\w+")


def _fix_mixed_word(word: str) -> str:
    cyr = sum(1 for ch in word if CYRILLIC_LETTER.match(ch))
    if cyr and cyr * 2 >= len(word):
        return word.translate(_LOOKALIKES)
    return word


def fold(text: str) -> str:
    """The matching key: lower case, Latin, no diacritics, đ and dj as d.

    "Ђорђе", "Đorđe", "Djordje" and "Dorde" all fold to "dorde".
    """
    text = _WORD.sub(lambda m: _fix_mixed_word(m.group()), text.lower())
    text = to_latin(text)
    text = text.replace("đ", "d").replace("dj", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
