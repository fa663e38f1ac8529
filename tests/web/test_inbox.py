"""The web inbox: open questions beside the person's history, answered in the browser and
delivered in the person's chat; the same questions as the chat's /inbox, never answered twice."""

from __future__ import annotations

import asyncio
import html
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import App
from bot.core.i18n import I18n
from bot.core.messages import UserRef
from bot.storage.registrations import Registration
from bot.web.pages.inbox import MAX_ANSWER, PAGE_SIZE
from tests.chat import Person
from tests.e2e.test_telegram import payload
from tests.telegram_double import BotApiDouble
from tests.web.desk import COORDINATOR, Desk, desk, telegram_desk

ANA = UserRef("telegram", "801")


async def _ask(person: Person, text: str) -> None:
    await person.say("/ask")
    await person.say(text)
    assert any(w in person.text for w in ("Sent", "Послато", "Poslato")), person.text


async def _coordinator(app: App, browser: Desk) -> Person:
    boss = Person(app, COORDINATOR, name="Vesna Vasić", hint="en")
    await boss.choose_language("English")
    await browser.sign_in(boss)
    return boss


def _rows(db_path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, args).fetchall()


async def _register(app: App, person: Person, municipality: str) -> None:
    user = await app.services.users.get(person.ref)
    assert user is not None
    await app.services.registrations.save(
        user.id,
        Registration(
            municipality=municipality, name="Ана Петровић", position="mayor", position_other="",
            email="ana@example.rs", phone="", areas=("eu",), stage="looking", announcements=True,
            consent_version="1", locale="sr-Cyrl",
        ),
    )  # fmt: skip


async def test_a_question_asked_in_the_chat_is_answered_in_the_browser(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        boss = await _coordinator(app, browser)
        ana = Person(app, ANA, name="Ана Петровић", hint="sr")
        await _ask(ana, "Када је следећи позив?")
        await _register(app, ana, "cacak")
        # answered in the chat; Ana writes back to that answer
        await boss.press_payload("q:reply:1")
        await boss.say("У марту.")
        await ana.press_payload("q:back:1")
        await ana.say("Хвала! А ко подноси\nпријаву <b>?</b>")

        await browser.get("/inbox")
        assert browser.status == 200
        page = browser.text
        assert "<h1>Inbox</h1>" in page and "1 open question, oldest first." in page
        assert "Question #2 from Ана Петровић" in page and "Question #1 from" not in page
        assert "Telegram (telegram:801), asked" in page
        assert "Registered for: Čačak" in page
        # whitespace kept, markup shown as text
        assert '<p class="quote">Хвала! А ко подноси\nпријаву &lt;b&gt;?&lt;/b&gt;</p>' in (
            browser.html
        )
        # the answer this one replies to, and the person's earlier question with its answer
        assert "This replies to the earlier answer:" in page
        assert "Other questions from Ана Петровић, newest first" in page
        assert "Question #1" in page and ": answered" in page
        assert "Када је следећи позив?" in page and "У марту." in page
        assert '<label for="answer-2">Your answer to Ана Петровић</label>' in page
        assert 'name="answer" required maxlength="4000"' in page
        assert "Mark handled" in page and "Send answer" in page

        await browser.post("/inbox/answer", {"question": "2", "answer": "Општина.\r\nПоздрав!"})
        assert browser.status == 200
        assert "Sent: Ана Петровић will have your answer to question #2" in browser.text
        assert "No open questions." in browser.text
        # the latest answers, with who (by name) and when
        assert "Vesna Vasić" in browser.text and "answered question #2" in browser.text

        # on its way to Ana: in her language, and no "reply back" to an answer back
        [notice] = [n for n in await app.services.notices.pending() if n.recipient == ANA]
        assert "Координатор је одговорио на Ваше питање" in notice.reply.text
        assert "„Општина.\nПоздрав!“" in notice.reply.text
        assert notice.reply.buttons == ()
        assert _rows(db_path, "SELECT status, answer, answered_by FROM questions WHERE id = 2") == [
            ("answered", "Општина.\nПоздрав!", "telegram:900")
        ]
        assert ("answer", "2") in _rows(db_path, "SELECT action, subject FROM audit")
        # and the chat's inbox agrees
        await boss.say("/inbox")
        assert "No open questions." in boss.text


async def test_the_answer_reaches_the_askers_telegram_chat(db_path: Path, i18n: I18n) -> None:
    async with BotApiDouble() as api, telegram_desk(db_path, i18n, api) as (app, _, browser):
        api.user_text(801, "/ask", first_name="Марија", language_code="sr")
        await api.wait_for_sent(801, 1)
        api.user_text(801, "Када је следећи позив за пројекте?", first_name="Марија")
        assert "Послато" in (await api.wait_for_sent(801, 2))[-1].text
        # the coordinator's notice of the question went out through Telegram too
        await api.wait_for_sent(int(COORDINATOR.id), 1)

        await _coordinator(app, browser)
        await browser.get("/inbox")
        assert "Question #1 from Марија" in browser.text
        await browser.post("/inbox/answer", {"question": "1", "answer": "Рокови су на icld.se."})
        assert "Sent: Марија will have your answer" in browser.text

        # sent at once by the notifier, not at the next message someone writes
        answer = (await api.wait_for_sent(801, 3, timeout=3.0))[-1]
        assert "Координатор је одговорио на Ваше питање" in answer.text
        assert "„Рокови су на icld.se.“" in answer.text
        assert payload(answer, "Одговор координатору") == "q:back:1"
        for _ in range(100):
            if not await app.services.notices.pending():
                break
            await asyncio.sleep(0.02)
        assert _rows(db_path, "SELECT status FROM notices WHERE recipient = 'telegram:801'") == [
            ("delivered",)
        ]


async def test_answered_in_the_chat_first_the_browser_says_so_and_keeps_the_text(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        boss = await _coordinator(app, browser)
        ana = Person(app, ANA, hint="en")
        await _ask(ana, "Who signs the agreement?")
        await browser.get("/inbox")
        assert "Who signs the agreement?" in browser.text
        # a colleague in the chat is quicker
        await boss.press_payload("q:reply:1")
        await boss.say("The mayor.")

        await browser.post("/inbox/answer", {"question": "1", "answer": "The mayor, usually."})
        assert browser.status == 409
        assert "A colleague answered or closed question #1 meanwhile" in browser.text
        assert "The mayor, usually." in browser.text, "what was typed is not lost"
        assert _rows(db_path, "SELECT answer FROM questions") == [("The mayor.",)]
        assert _rows(db_path, "SELECT COUNT(*) FROM notices WHERE recipient = ?", str(ANA)) == [
            (1,)
        ]
        assert _rows(db_path, "SELECT COUNT(*) FROM audit WHERE action = 'answer'") == [(1,)]


async def test_closed_in_the_browser_is_gone_from_the_chats_inbox(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        boss = await _coordinator(app, browser)
        await _ask(Person(app, ANA, hint="en"), "first question")
        await _ask(Person(app, UserRef("viber", "bo=="), name="Bo", hint="en"), "second question")
        await browser.get("/inbox")
        assert "2 open questions" in browser.text and "Viber (viber:bo==)" in browser.text

        await browser.post("/inbox/close", {"question": "1"})
        assert browser.status == 200 and "Question #1 is marked handled." in browser.text
        assert "first question" not in browser.text and "second question" in browser.text
        assert "closed question #1" in browser.text  # the latest changes
        await boss.say("/inbox")
        assert boss.last[0].text == "1 open question, oldest first:"
        assert "first question" not in boss.text
        assert ("close", "1") in _rows(db_path, "SELECT action, subject FROM audit")
        assert not await app.services.notices.pending(), "closing tells the asker nothing"

        # closed in the chat meanwhile: the browser's form finds it handled
        boss.last = [boss.last[1]]
        await boss.press("Mark handled")
        await browser.post("/inbox/close", {"question": "2"})
        assert browser.status == 409
        assert "A colleague has already answered or closed question #2" in browser.text
        await browser.post("/inbox/answer", {"question": "2", "answer": "late"})
        assert browser.status == 409 and "late" in browser.text
        assert _rows(db_path, "SELECT COUNT(*) FROM audit WHERE action = 'close'") == [(2,)]


async def test_bad_answers_change_nothing(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        ana = Person(app, ANA, hint="en")
        await _ask(ana, "a question")
        await browser.get("/inbox")

        await browser.post("/inbox/answer", {"question": "1", "answer": "  \r\n "})
        assert browser.status == 400 and "Write an answer to question #1" in browser.text
        long = "word " * (MAX_ANSWER // 5) + "more"
        await browser.post("/inbox/answer", {"question": "1", "answer": long})
        assert browser.status == 400 and f"That is {len(long)} characters" in browser.text
        assert f">{long}</textarea>" in browser.text, "the text is back in its box"
        await browser.post("/inbox/answer", {"question": "one", "answer": "typed"})
        assert browser.status == 400 and "did not say which question" in browser.text
        await browser.post("/inbox/answer", {"answer": "typed"})
        assert browser.status == 400
        await browser.post("/inbox/answer", {"question": "99", "answer": "typed"})
        assert browser.status == 404 and "There is no question #99" in browser.text
        await browser.post("/inbox/close", {"question": "99"})
        assert browser.status == 404
        await browser.post("/inbox/close", {"question": "-1"})
        assert browser.status == 400
        await browser.get("/inbox", page="x")
        assert browser.status == 400
        await browser.get("/inbox", done="<script>", q="1")
        assert browser.status == 200 and "<script>" not in browser.html
        await browser.get("/inbox", done="open", q="1")
        assert "marked handled" not in browser.text and 'class="notice"' not in browser.html

        assert _rows(db_path, "SELECT status, answer FROM questions") == [("open", None)]
        assert not await app.services.notices.pending()
        assert _rows(db_path, "SELECT COUNT(*) FROM audit WHERE action IN ('answer', 'close')") == [
            (0,)
        ]


async def test_the_asker_erased_their_data_meanwhile(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        ana = Person(app, ANA, hint="en")
        await _ask(ana, "a question")
        await browser.get("/inbox")
        await ana.say("/forget")
        await ana.press("Yes, delete everything")

        await browser.post("/inbox/answer", {"question": "1", "answer": "My careful answer."})
        assert browser.status == 410
        assert "its author erased their data with /forget" in browser.text
        assert "My careful answer." in browser.text
        assert not await app.services.notices.pending()
        assert _rows(db_path, "SELECT COUNT(*) FROM audit WHERE action = 'answer'") == [(0,)]


async def test_only_a_signed_in_coordinator_with_the_forms_token_answers(
    db_path: Path, i18n: I18n
) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        await _ask(Person(app, ANA, hint="en"), "a question")
        await browser.get("/inbox")
        await browser.post("/inbox/answer", {"question": "1", "answer": "forged"}, csrf=False)
        assert browser.status == 403
        await browser.post("/inbox/close", {"question": "1", "csrf": "forged"})
        assert browser.status == 403
        assert _rows(db_path, "SELECT status FROM questions") == [("open",)]

        # no longer a coordinator: the session is refused, the form too
        await browser.get("/inbox")
        csrf = browser.csrf
        removed = replace(app.services.settings, coordinators=frozenset())
        object.__setattr__(app.services, "settings", removed)
        await browser.post("/inbox/answer", {"question": "1", "answer": "x", "csrf": csrf})
        assert browser.status == 403 and "a question" not in browser.text
        # and their session is over
        await browser.get("/inbox")
        assert browser.status == 401 and "a question" not in browser.text
        assert _rows(db_path, "SELECT status FROM questions") == [("open",)]
        assert not await app.services.notices.pending()

    async with desk(db_path, i18n) as (app, _, anonymous):
        await anonymous.get("/inbox")
        assert anonymous.status == 401 and "a question" not in anonymous.text


async def test_long_inboxes_come_in_pages_oldest_first(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        await _coordinator(app, browser)
        for n in range(PAGE_SIZE + 3):
            await _ask(Person(app, UserRef("telegram", str(1000 + n)), hint="en"), f"Q{n}.")
        await browser.get("/inbox")
        assert f"{PAGE_SIZE + 3} open questions" in browser.text
        assert browser.html.count('<article class="card"') == PAGE_SIZE
        assert "Q0." in browser.text and f"Q{PAGE_SIZE}." not in browser.text
        assert "Page 1 of 2" in browser.text and "?page=2" in browser.html
        await browser.get("/inbox", page="2")
        assert browser.html.count('<article class="card"') == 3
        assert f"Q{PAGE_SIZE}." in browser.text and "Q0." not in browser.text
        # answered from page 2: back to page 2
        answer = {"question": str(PAGE_SIZE + 1), "answer": "ok", "page": "2"}
        await browser.post("/inbox/answer", answer)
        assert "Page 2 of 2" in browser.text and "will have your answer" in browser.text
        # a page that is no longer there shows the last one
        await browser.get("/inbox", page="9")
        assert browser.status == 200 and "Page 2 of 2" in browser.text


async def test_the_inbox_in_three_locales(db_path: Path, i18n: I18n) -> None:
    async with desk(db_path, i18n) as (app, _, browser):
        boss = await _coordinator(app, browser)
        ana = Person(app, ANA, name="Ana", hint="sr")
        await _ask(ana, "Pitanje?")
        await _register(app, ana, "cacak")
        await boss.press_payload("q:done:1")
        await _ask(ana, "Još jedno?")
        expected = {
            "sr-Cyrl": ("<h1>Пристигла питања</h1>", "Питање бр. 2 од: Ana",
                        "Пријављен/а за: Чачак", "Пошаљи одговор", "затворено питање бр. 1"),
            "sr-Latn": ("<h1>Pristigla pitanja</h1>", "Pitanje br. 2 od: Ana",
                        "Prijavljen/a za: Čačak", "Pošalji odgovor", "zatvoreno pitanje br. 1"),
            "en": ("<h1>Inbox</h1>", "Question #2 from Ana", "Registered for: Čačak",
                   "Send answer", "closed question #1"),
        }  # fmt: skip
        for locale, texts in expected.items():
            await browser.post("/language", {"locale": locale, "back": "/inbox"})
            assert browser.status == 200
            for text in texts:
                assert text in html.unescape(browser.html), (locale, text)


@pytest.mark.parametrize("code", [429, 502])
async def test_an_answer_from_the_browser_survives_telegram_refusing_at_first(
    db_path: Path, i18n: I18n, code: int
) -> None:
    # Telegram says "too many requests" (retry_after) or fails with a 5xx: the answer is
    # waited for and sent again, and arrives once
    async with BotApiDouble() as api, telegram_desk(db_path, i18n, api) as (app, _, browser):
        api.user_text(801, "/ask", first_name="Марија", language_code="sr")
        await api.wait_for_sent(801, 1)
        api.user_text(801, "Када је следећи позив за пројекте?", first_name="Марија")
        await api.wait_for_sent(801, 2)
        await _coordinator(app, browser)
        await browser.get("/inbox")
        api.fail_next(2, code=code, method="sendMessage")
        await browser.post("/inbox/answer", {"question": "1", "answer": "Рокови су на icld.se."})
        assert "Sent: Марија will have your answer" in browser.text
        answer = (await api.wait_for_sent(801, 3, timeout=15.0))[-1]
        assert "„Рокови су на icld.se.“" in answer.text
        await asyncio.sleep(0.3)
        assert len([m for m in api.sent(801) if "icld.se" in m.text]) == 1
