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


# Serbian Latin → Cyrillic. The digraphs come first so that "lj" is one letter (љ), not two.
_LAT_TO_CYR = {
    "lj": "љ", "nj": "њ", "dž": "џ", "ǉ": "љ", "ǌ": "њ", "ǆ": "џ",
    "a": "а", "b": "б", "c": "ц", "č": "ч", "ć": "ћ", "d": "д", "đ": "ђ", "e": "е", "f": "ф",
    "g": "г", "h": "х", "i": "и", "j": "ј", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о",
    "p": "п", "r": "р", "s": "с", "š": "ш", "t": "т", "u": "у", "v": "в", "z": "з", "ž": "ж",
}  # fmt: skip
_LATIN_LETTERS = re.compile(r"(?:lj|nj|dž|[abcčćdđefghijklmnoprsštuvzžǉǌǆ])+", re.IGNORECASE)
_LATIN_PIECE = re.compile(r"lj|nj|dž|.", re.IGNORECASE | re.DOTALL)
# links and e-mail addresses stay as typed; words (letters only) are looked at one by one
_TOKEN = re.compile(r"(?P<keep>(?:https?://|www\.)\S+|\S+@\S+\.\S+)|(?P<word>[^\W\d_]+)")


def _cyrillic_word(word: str) -> str:
    # a word with q, w, x, y or any letter Serbian Latin lacks is a foreign name ("Zoom" is not
    # caught: the coordinator sees the result and can type the Cyrillic), and an acronym in
    # capitals (ICLD, EU) is kept as the programme writes it
    if not _LATIN_LETTERS.fullmatch(word) or (len(word) > 1 and word.isupper()):
        return word
    out = []
    for piece in _LATIN_PIECE.findall(word):
        cyr = _LAT_TO_CYR[piece.lower()]
        out.append(cyr.upper() if piece[0].isupper() else cyr)
    return "".join(out)


def to_cyrillic(text: str) -> str:
    """Serbian Latin → Serbian Cyrillic, word by word; links, e-mail addresses, acronyms in
    capitals and foreign words stay as they are. "dj" stays дј: only đ is ђ."""
    return _TOKEN.sub(
        lambda m: _cyrillic_word(m["word"]) if m["word"] else m.group(),
        unicodedata.normalize("NFC", text),
    )


def is_latin_serbian(text: str) -> bool:
    """Latin text that has a Cyrillic form to offer (no Cyrillic letter in it yet)."""
    return not has_cyrillic(text) and to_cyrillic(text) != text
