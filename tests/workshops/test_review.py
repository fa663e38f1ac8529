"""Found in review: what people did in the wrong order, or typed what nobody expected."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.workshops.when import WhenError, parse_when
from tests.chat import Person
from tests.workshops.test_people import EN, add_workshop, speaking, user_id

BELGRADE = ZoneInfo("Europe/Belgrade")


async def _boss(person: Callable[..., Person]) -> Person:
    c = person("99", hint="en")
    await c.choose_language("English")
    return c


async def test_forgetting_someone_gives_their_place_to_the_waiting_list(
    app: App, person: Callable[..., Person]
) -> None:
    wid = await add_workshop(app, capacity=1)
    ana = await speaking(person, EN, "1")
    ben = await speaking(person, EN, "2")
    await ana.press_payload(f"w:go:{wid}")
    await ben.press_payload(f"w:go:{wid}")
    assert EN.waiting in ben.text
    ben_id = await user_id(app, ben)

    await ana.say("/forget")
    await ana.press("Yes")
    assert "no longer stores anything about you" in ana.text
    [notice] = ana.others
    assert notice.to == ben.ref
    assert EN.moved_up in notice.reply.text
    assert await app.services.attendance.status(wid, ben_id) == "going"
    assert await app.services.attendance.counts(wid) == (1, 0)


async def test_another_form_does_not_silently_throw_away_a_workshop_draft(
    app: App, person: Callable[..., Person]
) -> None:
    c = await _boss(person)
    await c.say("/workshop")
    await c.say("Партнерства у пракси")
    assert "The title in English?" in c.text
    for start in ("/announce", "/register"):
        await c.say(start)
        assert "You have another form that is not finished" in c.text
        assert c.labels() == ["Continue the form", "Cancel"]
    await c.say("/menu")
    await c.press("Continue the form")
    assert "The title in English?" in c.text, "the workshop draft is still there"
    await c.press("Cancel")  # the form's own Cancel
    await c.say("/announce")
    assert "Send the announcement's text" in c.text, "nothing open: the form starts"


async def test_a_superscript_digit_as_the_number_of_places_is_refused_politely(
    app: App, person: Callable[..., Person]
) -> None:
    c = await _boss(person)
    await c.say("/workshop")
    await c.say("Партнерства")
    await c.press("Skip")
    await c.say("5.12. u 10")
    await c.say("Сала 3")
    await c.press("Skip")
    await c.say("Опис")
    await c.press("Skip")
    await c.press("No deadline")
    for typed in ("²", "0", "-3", "abc"):
        await c.say(typed)
        assert "Please write a whole number of places from 1 to 10000" in c.text, typed
    await c.say("١٢")  # Arabic-Indic digits are digits int() reads
    assert "Reminders to those who will attend" in c.text


@pytest.mark.parametrize(
    "typed", ["28.3.2027 u 2:30", "28. mart 2027 02:00", "March 28, 2027 2:59"]
)
def test_a_time_the_clocks_skip_does_not_exist(typed: str) -> None:
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    with pytest.raises(WhenError) as refused:
        parse_when(typed, now, BELGRADE)
    assert refused.value.reason == "when.impossible"


def test_the_hours_around_the_clock_change_are_kept_as_typed() -> None:
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    for typed, hour in (("28.3.2027 u 1:59", 1), ("28.3.2027 u 3:00", 3), ("31.10.2027 u 2:30", 2)):
        moment = parse_when(typed, now, BELGRADE)
        assert moment.astimezone(BELGRADE).hour == hour, typed


async def test_a_time_the_clocks_skip_is_asked_again_in_the_form(
    app: App, person: Callable[..., Person]
) -> None:
    c = await _boss(person)
    await c.say("/workshop")
    await c.say("Партнерства")
    await c.press("Skip")
    await c.say("28.3.2027 u 2:30")
    assert "That date or time does not exist" in c.text
    assert "When does it start?" in c.text


async def test_the_coordinator_is_told_how_many_hear_of_a_cancellation(
    app: App, person: Callable[..., Person]
) -> None:
    """The notice goes to those coming and to those waiting: both are counted."""
    wid = await add_workshop(app, capacity=1)
    ana = await speaking(person, EN, "1")
    ben = await speaking(person, EN, "2")
    await ana.press_payload(f"w:go:{wid}")
    await ben.press_payload(f"w:go:{wid}")
    boss = await _boss(person)
    await boss.press_payload(f"wc:cancel:{wid}")
    assert "The 2 people signed up are told at once." in boss.text
    await boss.press("Yes, cancel it")
    assert "2 people signed up are told at once." in boss.text


async def test_an_old_cancel_button_of_a_workshop_that_is_over_changes_nothing(
    app: App, person: Callable[..., Person]
) -> None:
    start = datetime.now(UTC) - timedelta(days=1)
    wid = await add_workshop(app, start=start)
    ana = await speaking(person, EN, "1")
    await app.services.attendance.join(wid, await user_id(app, ana))
    boss = await _boss(person)
    for action in ("cancel", "drop", "edit"):
        await boss.press_payload(f"wc:{action}:{wid}")
        assert "“Municipal partnerships” is over and can no longer be changed" in boss.text
    w = await app.services.workshops.get(wid)
    assert w is not None and not w.cancelled
    assert await app.services.announcements.listing(("scheduled",), 10) == []
    assert await app.services.dialogs.form(await user_id(app, boss)) is None
