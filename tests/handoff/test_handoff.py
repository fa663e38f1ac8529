"""A question goes to the coordinators; their answer comes back; the inbox cannot be flooded."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bot.app import App
from bot.core.i18n import I18n
from bot.core.messages import UserRef
from bot.handoff.flows import DAILY_LIMIT
from tests.chat import Person, settings, shared_faq

COORDINATOR = UserRef("console", "99")


async def test_question_reaches_the_coordinator_and_the_answer_comes_back(
    person: Callable[..., Person], db_path: Path
) -> None:
    ana = person(hint="sr", name="Ана Петровић")
    boss = person("99", hint="en", name="Coordinator")
    await boss.choose_language("English")

    await ana.say("/start")
    await ana.press("Latinica")
    await ana.press("Pitajte koordinatora")
    assert "Napišite pitanje za koordinatore" in ana.text
    await ana.say("Da li Knić može da ima dva partnera <b>u Švedskoj</b>?")
    assert "Poslato: pitanje je kod koordinatora" in ana.text

    rows = sqlite3.connect(db_path).execute("SELECT text, status FROM questions").fetchall()
    assert rows == [("Da li Knić može da ima dva partnera <b>u Švedskoj</b>?", "open")]

    [note] = [o for o in ana.others if o.to == COORDINATOR]
    assert "from Ана Петровић (console:1)" in note.reply.text
    assert "\n│ Da li Knić može da ima dva partnera <b>u Švedskoj</b>?" in note.reply.text
    boss.last = [note.reply]
    await boss.press("Reply")
    assert "Write your reply to question #1" in boss.text
    await boss.say("Može, ali svako partnerstvo je posebna prijava.")
    assert "Sent: Ана Петровић has your reply." in boss.text

    [answer] = [o for o in boss.others if o.to == ana.ref]
    assert "Koordinator je odgovorio na Vaše pitanje" in answer.reply.text
    assert "„Može, ali svako partnerstvo je posebna prijava.“" in answer.reply.text

    ana.last = [answer.reply]
    back = ana.button("Odgovor koordinatoru")
    await ana.press_payload(back.payload)
    await ana.say("Hvala! A ko podnosi prijavu?")
    [follow_up] = [o for o in ana.others if o.to == COORDINATOR]
    assert "Hvala! A ko podnosi prijavu?" in follow_up.reply.text
    assert "Može, ali svako partnerstvo" in follow_up.reply.text, "the context is quoted"

    await ana.press_payload(back.payload)
    assert "Na ovo ste već odgovorili" in ana.text, "only one answer back"


async def test_inbox_lists_open_questions_oldest_first_and_mark_handled(
    person: Callable[..., Person],
) -> None:
    boss = person("99", hint="en")
    await boss.say("/inbox")
    assert "No open questions." in boss.text
    for n, text in enumerate(["first question", "second question"]):
        asker = person(str(n + 1), hint="en")
        await asker.say("/ask")
        await asker.say(text)

    await boss.say("/inbox")
    assert boss.last[0].text == "2 open questions, oldest first:"
    assert "first question" in boss.last[1].text
    assert "second question" in boss.last[2].text
    boss.last = [boss.last[1]]
    await boss.press("Mark handled")
    assert "Question #1 is marked handled." in boss.text
    await boss.say("/inbox")
    assert boss.last[0].text == "1 open question, oldest first:"


async def test_only_coordinators_can_answer(person: Callable[..., Person]) -> None:
    ana = person(hint="en")
    await ana.say("/ask")
    await ana.say("a question")
    eve = person("5", hint="en")
    await eve.press_payload("q:reply:1")
    assert "for the programme's coordinators only" in eve.text
    await eve.say("/inbox")
    assert "for the programme's coordinators only" in eve.text
    # one and the same answer whatever the number: nothing tells which questions exist
    answers = set()
    for payload in ("q:reply:1", "q:reply:999", "q:done:1", "q:done:999", "q:reply:x"):
        await eve.press_payload(payload)
        answers.add(eve.text)
    assert len(answers) == 1
    answers = set()
    for payload in ("q:back:1", "q:back:999"):  # Ana's question, and none
        await eve.press_payload(payload)
        answers.add(eve.text)
    assert len(answers) == 1 and "already" not in eve.text


async def test_a_person_cannot_flood_the_inbox(person: Callable[..., Person]) -> None:
    ana = person(hint="en")
    for n in range(DAILY_LIMIT):
        await ana.say("/ask")
        await ana.say(f"question {n}")
        assert "Sent" in ana.text
    await ana.say("/ask")
    assert f"You have sent {DAILY_LIMIT} questions in the last 24 hours" in ana.text
    # erasing oneself does not reset it, and what it keeps names nobody
    await ana.say("/forget")
    await ana.press("Yes, delete everything")
    await ana.say("/ask")
    assert f"You have sent {DAILY_LIMIT} questions in the last 24 hours" in ana.text
    db = ana.app.services.db
    rows = list(await db.execute_fetchall("SELECT account FROM question_quota"))
    assert len(rows) == DAILY_LIMIT
    assert all(b"console" not in bytes(r[0]) and len(bytes(r[0])) == 16 for r in rows)
    # a day later the marks are gone, and so is the limit
    await db.execute("UPDATE question_quota SET sent_at = '2020-01-01T00:00:00+00:00'")
    assert await ana.app.services.questions.prune_quota(timedelta(days=1)) == DAILY_LIMIT
    await ana.say("/ask")
    assert "You have sent" not in ana.text


async def test_cancel_and_too_long(person: Callable[..., Person]) -> None:
    ana = person(hint="en")
    await ana.say("/ask")
    await ana.say("x" * 2500)
    assert "That is 2500 characters" in ana.text
    await ana.press("Cancel")
    assert "Cancelled" in ana.text
    await ana.say("/inbox")
    boss = person("99", hint="en")
    await boss.say("/inbox")
    assert "No open questions." in boss.text


async def test_leaving_the_ask_dialog_by_the_menu_keeps_later_questions_in_the_faq(
    person: Callable[..., Person], db_path: Path
) -> None:
    ana = person(hint="en")
    await ana.say("/ask")
    await ana.say("/faq")
    await ana.say("What is ICLD?")
    assert "Sent" not in ana.text
    assert "ICLD" in ana.text
    assert sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM questions").fetchone() == (0,)


async def test_question_ids_are_never_reused_after_forget(
    person: Callable[..., Person],
) -> None:
    alice = person("1", hint="en")
    await alice.say("/ask")
    await alice.say("first")
    [note] = alice.others
    boss = person("99", hint="en")
    boss.last = [note.reply]
    reply = boss.button("Одговори")
    await alice.say("/forget")
    await alice.press("Yes, delete everything")
    bob = person("2", hint="en")
    await bob.say("/ask")
    await bob.say("second")
    await boss.press_payload(reply.payload)
    assert "This button has expired" in boss.text, "Alice's question is gone, not Bob's"


async def test_odd_button_payloads_get_a_clear_answer(person: Callable[..., Person]) -> None:
    boss = person("99", hint="en")
    for payload in ("q:reply:²", "q:reply:99999999999999999999999", "q:", "fc:programme:²",
                    "f:no.such.topic", "sub:", "lang:", "d::", "x" * 64):  # fmt: skip
        await boss.press_payload(payload)
        assert "something went wrong" not in boss.text, payload
        assert boss.labels(), payload


async def test_a_reply_that_cannot_go_out_is_shown_back_not_dropped(
    db_path: Path, i18n: I18n
) -> None:
    coordinators = frozenset({UserRef("console", "98"), UserRef("console", "99")})
    app = await App.open(settings(db_path, coordinators=coordinators), i18n, faq=shared_faq())
    try:
        ana = Person(app, UserRef("console", "1"), hint="en")
        one = Person(app, UserRef("console", "98"), hint="en")
        two = Person(app, UserRef("console", "99"), hint="en")
        for p in (ana, one, two):
            await p.choose_language("English")
        await ana.say("/ask")
        await ana.say("Is there a deadline this year?")
        for c in (one, two):
            await c.say("/inbox")
            await c.press("Reply")
        await one.say("Yes: 31 March.")
        assert "has your reply" in one.text
        await two.say("The deadline is 31 March.")
        assert "A colleague answered or closed question #1 meanwhile" in two.text
        assert '"The deadline is 31 March."' in two.text

        await ana.say("/ask")
        await ana.say("And who signs the application?")
        await two.say("/inbox")
        await two.press("Reply")
        await ana.say("/forget")
        await ana.press("Yes, delete everything")
        await two.say("The mayor signs it.")
        assert "its author erased their data with /forget" in two.text
        assert '"The mayor signs it."' in two.text
    finally:
        await app.close()


async def test_a_coordinator_removed_after_pressing_reply_cannot_answer(
    person: Callable[..., Person], db_path: Path, i18n: I18n
) -> None:
    ana = person(hint="en")
    await ana.say("/ask")
    await ana.say("a question")
    boss = person("99", hint="en")
    await boss.press_payload("q:reply:1")
    # the bot restarted without them among the coordinators
    again = await App.open(settings(db_path), i18n, faq=shared_faq())
    try:
        former = Person(again, boss.ref, hint="en")
        await former.say("Here is my answer")
        assert "coordinators only" in former.text
        assert former.others == [], "the asker gets nothing"
        question = await again.services.questions.get(1)
        assert question is not None and question.status == "open"
    finally:
        await again.close()


async def test_a_question_cannot_pose_as_the_bots_own_lines(person: Callable[..., Person]) -> None:
    mallory = person("6", hint="en", name="Mallory\u202e")
    await mallory.say("/ask")
    await mallory.say(
        "Hello\nQuestion #2 from Mayor of Belgrade (telegram:1), today:\n\u202etxet\u200b"
    )
    [note] = mallory.others
    lines = note.reply.text.splitlines()
    assert lines[0].startswith("Питање бр. 1 од: Mallory (console:6)"), "the name on one line"
    assert lines[1:] == ["│ Hello", "│ Question #2 from Mayor of Belgrade (telegram:1), today:",
                         "│ txet"]  # fmt: skip
