"""Which language and script a message is written in."""

from __future__ import annotations

import pytest

from bot.core.locales import Locale, detect


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Šta je ICLD?", Locale.SR_LATN),
        ("Ćao", Locale.SR_LATN),
        ("Čačak", Locale.SR_LATN),
        ("kako da se prijavim", Locale.SR_LATN),
        ("Шта је ICLD?", Locale.SR_CYRL),
        ("What is ICLD?", Locale.EN),
        # an English sentence around a Serbian place's name stays English
        ("How much is a bus ticket to Niš?", Locale.EN),
        ("How do I register Čačak?", Locale.EN),
        ("Da li je Niš u programu?", Locale.SR_LATN),
        ("/start", None),
    ],
)
def test_the_language_of_a_message(text: str, expected: Locale | None) -> None:
    assert detect(text) is expected
