"""Someone sending dozens of messages a second is slowed down with one polite word; others
are not affected."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import App
from bot.core.i18n import I18n
from bot.core.messages import UserRef
from tests.chat import Person, settings, shared_faq


async def test_a_flood_gets_one_polite_word_then_silence_and_others_go_on(
    db_path: Path, i18n: I18n
) -> None:
    app = await App.open(settings(db_path, flood=(5, 2.0)), i18n, faq=shared_faq())
    try:
        ana = Person(app, UserRef("console", "1"), hint="en")
        bob = Person(app, UserRef("console", "2"), hint="en")
        texts = []
        for n in range(12):
            texts.append(" ".join(r.text for r in await ana.say(f"What is ICLD? {n}")))
        assert all("ICLD" in t or "Swed" in t for t in texts[:5])
        assert texts[5].startswith("That is a lot of messages at once.")
        assert texts[6:] == [""] * 6, "told once, then silence"
        await bob.say("What is ICLD?")
        assert "Swed" in bob.text
        # slowed down, they are answered again (and a later flood is told again)
        await asyncio.sleep(1.5)
        await ana.say("What is ICLD?")
        assert "Swed" in ana.text
    finally:
        await app.close()
