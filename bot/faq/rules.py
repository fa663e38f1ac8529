"""Content rules for FAQ texts: length, script, links and placeholders."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# An answer has to fit a phone screen without scrolling past a button or two.
MAX_ANSWER = 700

# What the bot computes itself (topics.yaml `live`); only these answers may hold placeholders,
# because only there does code run that could fill them.
LIVE_KINDS = frozenset({"workshops"})

# Latin words that Serbian Cyrillic text keeps as they are: names of organisations and
# documents that are never transliterated. Phrases go first so that "of" is allowed only there.
LATIN_PHRASES = ("Declaration of Interest",)
LATIN_WORDS = frozenset(
    "ICLD SKGO SALAR SCTM Sida SDG SDGs EU IPA NALAS CEMR OK PDF".split()
)  # fmt: skip

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DOMAIN = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b(?:/\S*)?", re.IGNORECASE)
_COMMAND = re.compile(r"(?<![\w/])/[a-z_]+\b")
_ROMAN = re.compile(r"^[IVXLCDM]+$")
_LATIN_RUN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def stray_latin(text: str) -> list[str]:
    """Latin words in Serbian Cyrillic text that are not addresses, commands or known names.

    Also catches Latin look-alike letters inside Cyrillic words ("прогрaм" with a Latin a),
    which would break folding and transliteration alike.
    """
    for pattern in (_URL, _EMAIL, _DOMAIN, _COMMAND, _PLACEHOLDER):
        text = pattern.sub(" ", text)
    for phrase in LATIN_PHRASES:
        text = text.replace(phrase, " ")
    found: list[str] = []
    for word in _LATIN_RUN.findall(text):
        if word in LATIN_WORDS or _ROMAN.match(word) or word in found:
            continue
        found.append(word)
    return found


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def is_web_link(link: str) -> bool:
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in link
