"""The three locales and how the locale of a reply is chosen (design.md, "Locales")."""

from __future__ import annotations

import re
from enum import Enum

from bot.core.script import SERBIAN_LATIN_LETTER, fold, has_cyrillic


class Locale(Enum):
    SR_CYRL = "sr-Cyrl"
    SR_LATN = "sr-Latn"
    EN = "en"

    @property
    def babel_id(self) -> str:
        return {"sr-Cyrl": "sr", "sr-Latn": "sr_Latn", "en": "en"}[self.value]

    @classmethod
    def parse(cls, tag: str) -> Locale:
        """A BCP 47 tag as users and settings write it; ValueError if unknown."""
        norm = tag.strip().replace("_", "-").lower()
        for loc in cls:
            if loc.value.lower() == norm:
                return loc
        aliases = {"sr": cls.SR_CYRL, "sr-rs": cls.SR_CYRL, "sr-latn-rs": cls.SR_LATN}
        if norm in aliases:
            return aliases[norm]
        raise ValueError(f"unknown locale {tag!r} (use sr-Cyrl, sr-Latn or en)")


def from_hint(hint: str | None) -> Locale | None:
    """A messenger's language code: sr* → Cyrillic, hr/bs/sh → Latin, anything else English."""
    if not hint:
        return None
    lang = hint.strip().lower().replace("_", "-")
    if lang.startswith("sr"):
        return Locale.SR_LATN if "latn" in lang else Locale.SR_CYRL
    if lang.split("-")[0] in {"hr", "bs", "sh", "cnr"}:
        return Locale.SR_LATN
    return Locale.EN


# Folded (ASCII) words that mark a text as Serbian or as English. Words both languages use
# ("program", "partner", acronyms) are in neither list.
_SERBIAN_WORDS = frozenset(
    """
    a ako ali bi bih bilo biti ce cemo ces da dobar dobro dan do gde gradu grad grada ide ili
    ima imamo imate ja je jeste jos kad kada kako kakav kakva ko koga koja koje koji koliko
    kome li me meni mi mogu moze mozemo mozete moj moja na nam nama nas nasa nase nasoj ne
    nema nije niko nista o od ono ova ovaj ovde ovo pa po pod pomoc posle pre preko pri
    prijava prijaviti prijavim program programa programu radionica radionice radionici sa sam
    saradnja saradnje saradnji se sta sto su svedska svedske svedskom svedskim svedski ta
    tako te treba ti to u uz vam vas zasto za zdravo zelim zelimo hvala molim cao opstina
    opstine opstini opstinu opstinama partnerstvo partnerstva partnerstvu jezik jezika
    projekat projekta projekti novac novca ko kojoj kojim sve svi
    """.split()
)
_ENGLISH_WORDS = frozenset(
    """
    a about an and are as at be by can could do does for from get give have hello help hi how
    i if in is it me my of on or our please should tell thanks thank the there this to us
    want was we what when where which who why will with would you your municipality
    municipalities partnership partnerships programme sweden swedish workshop workshops
    register language apply funding fund funds who whom next find more information
    """.split()
)
_SERBIAN_ENDINGS = ("ija", "ije", "iji", "ost", "ati", "iti", "eti", "ski", "cki", "ama", "ima")
_TOKEN = re.compile(r"[a-z]+")
# e-mail addresses, links and commands are no words of any language
_NOT_WORDS = re.compile(r"\S+@\S+|\S*://\S+|www\.\S+|(?<!\S)/\w+")


def detect(text: str) -> Locale | None:
    """The language and script a message is written in, or None when it does not say."""
    text = _NOT_WORDS.sub(" ", text)
    if has_cyrillic(text):
        return Locale.SR_CYRL
    words = _TOKEN.findall(fold(text))
    # a letter such as š or č says Serbian strongly, but not against a whole English
    # sentence around a place's name ("How much is a ticket to Niš?")
    serbian = 1.5 if SERBIAN_LATIN_LETTER.search(text) else 0.0
    english = 0.0
    for w in words:
        in_sr, in_en = w in _SERBIAN_WORDS, w in _ENGLISH_WORDS
        if in_sr and not in_en:
            serbian += 1
        elif in_en and not in_sr:
            english += 1
        elif not in_sr and not in_en and len(w) > 4 and w.endswith(_SERBIAN_ENDINGS):
            serbian += 0.5
    if serbian > english:
        return Locale.SR_LATN
    if english > serbian:
        return Locale.EN
    return None


def choose(chosen: Locale | None, text: str, last: Locale | None, hint: str | None) -> Locale:
    """The locale of a reply: the person's explicit choice, else the message's own
    language and script, else what we answered in before, else the messenger's hint."""
    if chosen is not None:
        return chosen
    return detect(text) or last or from_hint(hint) or Locale.EN
