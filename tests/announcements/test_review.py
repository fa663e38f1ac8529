"""Found in review: /announce used in the wrong order, or with text nobody expected."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.announcements import render
from bot.app import App
from bot.channels.console import plain
from bot.core.i18n import I18n
from bot.core.locales import Locale
from bot.core.messages import UserRef
from tests.chat import Person, settings, shared_faq

COORDINATOR = UserRef("console", "99")


@pytest.fixture
async def app(db_path: Path, i18n: I18n) -> AsyncIterator[App]:
    app = await App.open(
        settings(db_path, coordinators=frozenset({COORDINATOR}), quiet_hours=None),
        i18n,
        faq=shared_faq(),
    )
    yield app
    await app.close()


@pytest.fixture
async def boss(app: App) -> Person:
    c = Person(app, COORDINATOR, hint="en")
    await c.choose_language("English")
    return c


async def _workshop(app: App, start: datetime, **more: object) -> int:
    fields: dict[str, object] = {"description_sr": "Опис", **more}
    return await app.services.workshops.add(
        "Партнерства у пракси", "Partnerships in practice", start, "Сала 3", "Hall 3", **fields
    )


@pytest.mark.parametrize("typed", ["\u200b", "\u200b\u200d", "…", "- -"])
async def test_an_announcement_without_words_is_asked_again(
    app: App, boss: Person, typed: str
) -> None:
    await boss.say("/announce")
    await boss.say(typed)
    if typed.startswith("\u200b"):  # nothing visible at all: an empty message
        assert "Your message was empty." in boss.text
    else:
        assert "There are no words in that. Please write the text of the announcement." in boss.text
    assert "Send the announcement's text" in boss.text, "the same question again"
    form = await app.services.dialogs.form(1)
    assert form is not None and form.step == "text" and "body_sr" not in form.data


async def test_a_workshop_that_began_or_ended_cannot_be_announced(app: App, boss: Person) -> None:
    now = datetime.now(UTC)
    over = await _workshop(app, now - timedelta(days=2))
    begun = await _workshop(app, now - timedelta(minutes=30))
    for wid in (over, begun):
        await boss.press_payload(f"an:ws:{wid}")
        assert "That workshop is no longer scheduled." in boss.text
    await boss.say("/announce")
    assert not any("Partnerships in practice" in label for label in boss.labels()), (
        "a workshop under way is not offered to announce"
    )


async def test_a_workshop_that_began_while_the_preview_waited_is_not_announced(
    app: App, boss: Person
) -> None:
    wid = await _workshop(app, datetime.now(UTC) + timedelta(hours=1))
    await boss.press_payload(f"an:ws:{wid}")
    await boss.press("Skip")
    await boss.press("Those signed up")
    await boss.press("Now")
    assert "Confirm" in " ".join(boss.labels())
    await app.services.workshops.update(wid, starts_at=datetime.now(UTC) - timedelta(minutes=1))
    await boss.press("Confirm")
    assert "That workshop is no longer scheduled." in boss.text
    assert await app.services.announcements.listing(("scheduled",), 10) == []


async def test_a_note_too_long_to_go_with_the_workshop_card_is_refused(
    app: App, boss: Person
) -> None:
    """Each part under Telegram's 4096 characters, together over: every send would fail."""
    start = datetime.now(UTC) + timedelta(days=10)
    wid = await _workshop(app, start, description_sr="Опис радионице. " * 50)  # 800
    await boss.press_payload(f"an:ws:{wid}")
    await boss.say("Напомена " * 440)  # 3960 characters: fits alone, not under the card
    assert "and one message holds at most 4096 characters" in boss.text
    form = await app.services.dialogs.form(1)
    assert form is not None and form.step == "note"
    await boss.say("Напомена " * 300)
    form = await app.services.dialogs.form(1)
    assert form is not None and form.step == "audience"


async def test_a_second_announce_asks_before_throwing_the_draft_away(
    app: App, boss: Person
) -> None:
    await boss.say("/announce")
    await boss.say("Позив на радионицу")
    assert "in English" in boss.text
    await boss.say("/announce")
    assert "You have another form that is not finished" in boss.text
    await boss.press("Continue the form")
    assert "in English" in boss.text
    form = await boss.app.services.dialogs.form(1)
    assert form is not None and form.data["body_sr"] == "Позив на радионицу"


async def test_text_that_looks_like_markup_reaches_everyone_as_typed(
    app: App, boss: Person
) -> None:
    """Typed in the console (no formatting): the brackets are words, in every locale."""
    await boss.say("/announce")
    await boss.say("<b>x</b> & <script>")
    await boss.press("Skip")
    await boss.press("All subscribers")
    await boss.press("Now")
    await boss.press("Confirm")
    [a] = await app.services.announcements.listing(("scheduled", "running", "done"), 10)
    zone = app.services.settings.timezone
    for locale in Locale:
        reply = render.message(a, app.services.i18n[locale], zone, None, None)
        assert reply.html
        assert "&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;" in reply.text
        assert plain(reply.text) == "<b>x</b> & <script>"
