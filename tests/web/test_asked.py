"""What people ask: the questions the bot did not answer outright, grouped for editors."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.core.collation import sort_key
from bot.core.i18n import I18n
from bot.core.messages import UserRef
from bot.faq import gaps
from tests.chat import Person
from tests.web.desk import COORDINATOR, desk


async def test_unanswered_questions_are_grouped_with_a_line_to_paste(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        for i, text in enumerate(
            ["Gde mogu da kupim kartu za autobus?", "gde mogu da kupim kartu za autobus",
             "Где могу да купим карту за аутобус?", 'Can I bring my dog "Rex": to the workshop?']
        ):  # fmt: skip
            await Person(app, UserRef("telegram", str(20 + i)), hint="sr").say(text)
        await Person(app, UserRef("telegram", "30"), hint="en").say("Who funds the programme?")
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))
        await browser.get("/asked")
        assert browser.status == 200
        text = browser.text
        assert "2 groups of 4 questions" in text
        assert "Asked 3 times" in text and "Asked 1 time" in text
        # the most frequent group first, its other wordings under it
        assert text.index("kartu za autobus") < text.index("Rex")
        assert "gde mogu da kupim kartu za autobus" in text
        # the line to paste is YAML that reads back as the question, quotes and colon included
        snippets = [
            block.split(">", 1)[1].split("</pre>")[0] for block in browser.text.split("<pre")[1:]
        ]
        parsed = [yaml.safe_load(s)[0] for s in snippets]
        assert 'Can I bring my dog "Rex": to the workshop?' in parsed
        assert "Где могу да купим карту за аутобус?" in parsed  # Latin, in the Cyrillic file
        assert "locales/faq/sr.yaml" in text and "locales/faq/en.yaml" in text
        # the answered question is counted, not listed
        assert "Who funds" not in text and "answered 1 questions outright" in text

        await browser.post("/language", {"locale": "sr-Cyrl", "back": "/asked"})
        assert "Шта људи питају" in browser.text and "Питано 3 пута" in browser.text
        await browser.post("/language", {"locale": "sr-Latn", "back": "/asked"})
        assert "Šta ljudi pitaju" in browser.text


async def test_a_question_typed_with_markup_is_shown_as_text(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await Person(app, UserRef("telegram", "20"), hint="en").say(
            "<script>alert(1)</script> where do I park?"
        )
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))
        await browser.get("/asked")
        assert "<script>alert(1)" not in browser.html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; where do I park?" in browser.html


async def test_a_bad_period_is_refused(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))
        await browser.get("/asked", days="-1")
        assert browser.status == 400
        await browser.get("/asked", days="7")
        assert browser.status == 200 and "Nothing to show" in browser.text


async def test_what_the_console_folded_is_forgotten_with_the_person(
    db_path: Path, i18n: I18n
) -> None:
    # the grouping and sorting caches hold texts and names: /forget empties them too
    async with desk(db_path, i18n) as (app, _, browser):
        jane = Person(app, UserRef("telegram", "20"), hint="en")
        await jane.choose_language("English")
        await jane.say("How much is a bus ticket to Niš?")
        await browser.sign_in(Person(app, COORDINATOR, hint="en"))
        await browser.get("/asked")
        await browser.get("/registrations", sort="name")
        assert gaps._key.cache_info().currsize > 0
        await jane.say("/forget")
        await jane.press("Yes, delete everything")
        assert gaps._key.cache_info().currsize == 0
        assert sort_key.cache_info().currsize == 0
        await browser.get("/asked")
        assert "bus ticket" not in browser.text
