"""Text helpers every messenger channel needs."""

from __future__ import annotations


def utf16_length(text: str) -> int:
    """Telegram counts a message's length in UTF-16 code units: an emoji outside the basic
    plane is two."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _fits(text: str, limit: int, utf16: bool) -> int:
    """How many characters of `text` fit in `limit` (characters, or UTF-16 units)."""
    if not utf16:
        return min(len(text), limit)
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


def split_text(text: str, limit: int, utf16: bool = False) -> list[str]:
    """Pieces of at most `limit` characters (or UTF-16 units), cut at line breaks or spaces
    where possible."""
    pieces = []
    while (utf16_length(text) if utf16 else len(text)) > limit:
        fit = _fits(text, limit, utf16)
        cut = text.rfind("\n", 0, fit + 1)
        if cut < fit // 2:
            cut = text.rfind(" ", 0, fit + 1)
        if cut < fit // 2:
            cut = fit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    pieces.append(text)
    return pieces
