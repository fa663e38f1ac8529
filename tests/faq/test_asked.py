"""What the bot did with each question is recorded; /mydata says what is kept, /forget blanks it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from bot.app import App
from bot.core.locales import Locale
from tests.chat import Person

DECLINED = "kolika je cena autobuske karte do Niša?"


def _on_disk(db: Path, needle: bytes) -> bool:
    files = [db, db.with_name(db.name + "-wal")]
    return any(needle in f.read_bytes() for f in files if f.exists())


async def test_every_outcome_is_counted_and_only_unanswered_texts_are_kept(
    person: Callable[..., Person], app: App
) -> None:
    ana = person(hint="sr")
    await ana.say("ko finansira ovaj program podrske")
    assert "Švedsk" in ana.text, "recording changes nothing in the reply"
    await ana.say("prijava")
    first_offered = ana.last[0].flat_buttons[0].payload.removeprefix("f:")
    await ana.say(DECLINED)
    assert "Na to ne znam odgovor" in ana.text
    await ana.say("hvala")

    asked = app.services.asked
    assert await asked.outcome_counts() == {
        "answered": 1, "suggested": 1, "declined": 1, "small_talk": 1,
    }  # fmt: skip
    rows = await asked.unanswered()
    assert [(r.outcome, r.topic, r.text, r.locale) for r in rows] == [
        ("declined", "", DECLINED, Locale.SR_LATN),
        ("suggested", first_offered, "prijava", Locale.SR_LATN),
    ]
    stored = await app.services.db.execute_fetchall(
        "SELECT outcome, topic, text FROM asked WHERE outcome IN ('answered', 'small_talk')"
    )
    assert sorted(tuple(r) for r in stored) == [
        ("answered", "programme.funder", ""), ("small_talk", "", ""),
    ]  # fmt: skip


async def test_mydata_says_how_many_questions_are_kept_in_cyrillic(
    person: Callable[..., Person],
) -> None:
    ana = person(hint="sr")
    await ana.choose_language("Ћирилица")
    await ana.say("Ко финансира овај програм подршке?")
    await ana.say("/mydata")
    assert "90 дана" not in ana.text, "nothing kept: nothing said"

    await ana.say("Колико кошта аутобуска карта до Ниша?")
    await ana.say("/mydata")
    assert (
        "1 Ваше питање на које бот није могао директно да одговори чува се 90 дана, "
        "да бисмо побољшали одговоре." in ana.text
    )
    await ana.say("Колико кошта воз до Београда?")
    await ana.say("/mydata")
    assert "2 Ваша питања на која бот није могао директно да одговори чувају се 90 дана" in (
        ana.text
    )
    for question in (
        "Која је најбоља пица у граду?",
        "Колико је сати?",
        "Какво ће бити време сутра?",
    ):
        await ana.say(question)
    await ana.say("/mydata")
    assert "5 Ваших питања на која бот није могао директно да одговори чува се 90 дана" in (
        ana.text
    )


async def test_mydata_says_it_in_latin_and_english(person: Callable[..., Person]) -> None:
    marko = person("2", hint="sr")
    await marko.choose_language("Latinica")
    await marko.say(DECLINED)
    await marko.say("/mydata")
    assert (
        "1 Vaše pitanje na koje bot nije mogao direktno da odgovori čuva se 90 dana, "
        "da bismo poboljšali odgovore." in marko.text
    )

    jane = person("3", hint="en")
    await jane.choose_language("English")
    await jane.say("How much is a bus ticket to Niš?")
    await jane.say("What will the weather be like tomorrow?")
    await jane.say("/mydata")
    assert (
        "2 questions of yours that the bot could not answer outright are kept for 90 days, "
        "to improve the answers." in jane.text
    )


async def test_forget_blanks_the_texts_and_keeps_the_count(
    person: Callable[..., Person], app: App, db_path: Path
) -> None:
    jane = person("3", hint="en")
    await jane.choose_language("English")
    await jane.say("How much is a bus ticket to Niš?")
    other = person("4", hint="en")
    await other.say("Which pizza is the best in town?")
    await jane.say("/forget")
    await jane.press("Yes, delete everything")

    db = sqlite3.connect(db_path)
    rows = db.execute("SELECT user_id IS NULL, text FROM asked ORDER BY id").fetchall()
    assert rows == [(1, ""), (0, "Which pizza is the best in town?")]
    assert not _on_disk(db_path, b"bus ticket")
    assert (await app.services.asked.outcome_counts())["declined"] == 2
