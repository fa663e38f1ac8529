"""Questions in any script get answers in that script, or an honest handoff offer."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App
from bot.core.messages import UserRef
from bot.core.script import has_cyrillic
from tests.chat import Person


async def test_answers_come_in_the_script_and_language_of_the_question(
    person: Callable[..., Person],
) -> None:
    ana = person(hint="sr")
    await ana.say("Ко финансира овај програм подршке?")
    assert "Швед" in ana.text
    assert ana.labels()[-1] == "Мени"

    await ana.say("ko finansira ovaj program podrske")
    assert not has_cyrillic(ana.text)
    assert "Švedsk" in ana.text, "the derived Latin keeps its diacritics"

    await ana.say("Who pays for this support programme?")
    assert "Government of Sweden" in ana.text


async def test_an_out_of_scope_question_is_declined_and_can_go_to_a_coordinator(
    person: Callable[..., Person], app: App
) -> None:
    ana = person(hint="sr")
    await ana.say("kolika je cena autobuske karte do Niša?")
    assert "Na to ne znam odgovor" in ana.text
    await ana.press("Pošalji koordinatoru")
    assert "Poslato" in ana.text
    [note] = [o for o in ana.others if o.to == UserRef("console", "99")]
    assert "kolika je cena autobuske karte do Niša?" in note.reply.text


async def test_browsing_topics_by_category(person: Callable[..., Person]) -> None:
    ana = person(hint="en")
    await ana.say("/start")
    await ana.press("English")
    await ana.press("Questions")
    assert "Questions by topic" in ana.text
    first_category = ana.labels()[0]
    await ana.press(first_category)
    topic = ana.labels()[0]
    await ana.press(topic)
    assert ana.text.startswith(topic), "the answer starts with the topic's title"


async def test_upcoming_workshops_come_from_the_bot_s_own_data(
    person: Callable[..., Person], app: App
) -> None:
    ana = person(hint="sr")
    await ana.say("/start")
    await ana.press("Latinica")
    await ana.press("Radionice")
    assert "Trenutno nije zakazana nijedna radionica" in ana.text
    await ana.press("Najavi mi sledeću radionicu")
    assert "najave radionica stižu Vam ovde" in ana.text

    start = datetime(2031, 3, 5, 9, 0, tzinfo=UTC)
    await app.services.workshops.add("Радионица у Нишу", "Workshop in Niš", start, "Ниш", "Niš")
    await app.services.workshops.add("Прошла", "Past", datetime.now(UTC) - timedelta(days=1))
    await ana.press("Meni")
    await ana.press("Radionice")
    assert "• Radionica u Nišu: 5. marta 2031. u 10:00, Niš" in ana.text
    assert "Prošla" not in ana.text


def _cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PARTNERBOT_DB": str(tmp_path / "bot.sqlite3")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "faq", *args],
        capture_output=True, text=True, env=env, timeout=60, input=stdin,
    )  # fmt: skip


def test_faq_ask_json_follows_the_contract(tmp_path: Path) -> None:
    result = _cli(tmp_path, "ask", "--json", "Šta je ICLD i čime se bavi?")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["topic"] == "icld.about"
    assert answer["locale"] == "sr-Latn"
    assert 0 < answer["score"] <= 1
    assert "ICLD" in answer["answer"] and not has_cyrillic(answer["answer"])

    lines = _cli(tmp_path, "ask", "--json", "-", stdin="what is SKGO?\nasdfgh qwerty\n")
    first, second = (json.loads(line) for line in lines.stdout.splitlines())
    assert first["topic"] == "skgo.about" and first["locale"] == "en"
    assert second["topic"] is None

    forced = json.loads(
        _cli(tmp_path, "ask", "--json", "--lang", "sr-Cyrl", "what is SKGO?").stdout
    )
    assert forced["locale"] == "sr-Cyrl" and has_cyrillic(forced["answer"])


def test_faq_check_passes_on_the_shipped_files_and_fails_on_a_broken_one(tmp_path: Path) -> None:
    ok = _cli(tmp_path, "check")
    assert ok.returncode == 0, ok.stderr

    faq_dir = Path(__file__).resolve().parents[2] / "locales" / "faq"
    broken = tmp_path / "faq"
    broken.mkdir()
    for name in ("topics.yaml", "sr.yaml", "en.yaml"):
        (broken / name).write_text((faq_dir / name).read_text(encoding="utf-8"), encoding="utf-8")
    topics = (broken / "topics.yaml").read_text(encoding="utf-8")
    (broken / "topics.yaml").write_text(
        topics.replace("related: [", "related: [no.such.topic, ", 1), encoding="utf-8"
    )
    result = _cli(tmp_path, "check", "--dir", str(broken))
    assert result.returncode == 1
    assert "no.such.topic" in result.stderr


async def test_greetings_and_thanks_get_a_friendly_word_not_i_dont_know(
    person: Callable[..., Person],
) -> None:
    ana = person(hint="sr")
    await ana.say("hvala puno!")
    assert "Nema na čemu!" in ana.text
    assert "Pitanja" in ana.labels()
    await ana.say("Добар дан")
    assert "Добар дан! Напишите питање" in ana.text
    await ana.say("Good morning! What is SKGO?")
    assert "Standing Conference" in ana.text, "a greeting before a question is not the question"


async def test_send_to_a_coordinator_works_for_a_day_whatever_came_between(
    person: Callable[..., Person], db_path: Path
) -> None:
    ana = person(hint="en")
    await ana.choose_language("English")
    await ana.say("Can our library borrow books from Uppsala?")
    send = ana.button("Send it to a coordinator")
    await ana.say("How do I join the partnership programme?")
    await ana.say("/menu")
    await ana.press_payload(send.payload)
    assert "Sent" in ana.text
    [notice] = ana.others
    assert "Can our library borrow books from Uppsala?" in notice.reply.text
    await ana.press_payload(send.payload)
    assert "This button has expired" in ana.text, "sent once"

    # another person's offer, a forged number and a day-old offer all expire alike
    await ana.say("Can our library borrow books from Uppsala?")
    send = ana.button("Send it to a coordinator")
    marko = person("2", hint="en")
    for payload in (send.payload, "ho:99999", "ho:x"):
        await marko.press_payload(payload)
        assert "This button has expired" in marko.text and not marko.others
    db = sqlite3.connect(db_path)
    db.execute("UPDATE offers SET created_at = '2020-01-01T00:00:00+00:00'")
    db.commit()
    await ana.press_payload(send.payload)
    assert "This button has expired" in ana.text and not ana.others


async def test_small_talk_gets_a_friendly_word_never_a_topic_or_a_handoff(
    person: Callable[..., Person],
) -> None:
    ana = person("50", hint="sr")
    await ana.choose_language("Latinica")
    for text, expected in (
        ("ok", "U redu. Još nešto?"), ("u redu", "U redu. Još nešto?"),
        ("super, razumem", "U redu. Još nešto?"), ("ok hvala", "Nema na čemu"),
        ("doviđenja", "Doviđenja!"), ("Ko ste Vi?", "Ja sam partnerbot"),
        ("Da li ste vi bot?", "Ja sam partnerbot"),
    ):  # fmt: skip
        await ana.say(text)
        assert expected in ana.text, (text, ana.text)
        assert not any("Pošalji" in label for label in ana.labels()), text
    john = person("51", hint="en")
    await john.choose_language("English")
    for text, expected in (
        ("ok thanks", "You're welcome"), ("bye", "Goodbye!"), ("who are you?", "I am partnerbot"),
        ("got it", "Good. Anything else?"),
    ):  # fmt: skip
        await john.say(text)
        assert expected in john.text, (text, john.text)


async def test_a_question_asked_as_the_knowledge_base_words_it_is_answered(
    person: Callable[..., Person],
) -> None:
    ana = person("52", hint="sr")
    await ana.choose_language("Latinica")
    for question in ("Ko finansira program?", "Ко финансира програм СКГО?"):
        await ana.say(question)
        assert "Da li ste mislili" not in ana.text, question
        assert ana.text.startswith("Ko finansira program SKGO"), (question, ana.text)


async def test_no_workshop_says_one_thing_with_one_button_and_none_when_subscribed(
    person: Callable[..., Person],
) -> None:
    ana = person("60", hint="en")
    await ana.choose_language("English")
    await ana.press_payload("m:workshops")
    assert ana.text.count("Upcoming workshops") == 1
    assert "No workshop is scheduled" in ana.text
    assert ana.labels().count("Announce the next workshop to me") == 1
    assert "Workshop announcements" not in ana.labels()
    await ana.press("Announce the next workshop to me")
    await ana.press_payload("m:workshops")
    assert "You will get the announcement of the next one here" in ana.text
    assert "Announce the next workshop to me" not in ana.labels()
