"""Lengths as messengers count them, and numbers as forged button data carries them."""

from __future__ import annotations

from bot.channels.telegram import split_text
from bot.channels.text import utf16_length
from bot.core.numbers import number


def test_telegram_lengths_are_counted_in_utf16_units() -> None:
    text = "😀" * 2500  # 5,000 units: over Telegram's 4,096, under it in characters
    pieces = split_text(text)
    assert len(pieces) == 2 and "".join(pieces) == text
    assert all(utf16_length(p) <= 4096 for p in pieces)


def test_numbers_in_button_data_are_plain_and_small() -> None:
    assert number("42") == 42
    assert [number(x) for x in ("²", "٣", "9" * 13, "-1", "", " 4")] == [None] * 6
