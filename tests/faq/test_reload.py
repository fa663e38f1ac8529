"""Editors change the FAQ files; /reload (or SIGHUP) puts them in use without a restart."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import threading
from pathlib import Path

import pytest

from bot.app import App
from bot.core.i18n import I18n
from bot.core.messages import UserRef
from bot.faq import chat as faq_chat
from bot.faq.answers import Faq
from bot.faq.knowledge import FAQ_DIR
from tests.chat import Person, settings
from tests.telegram_double import BotApiDouble


async def with_a_coordinator(tmp_path: Path, i18n: I18n, faq: Faq) -> tuple[App, Person]:
    """The bot with this FAQ, and a coordinator chatting in English."""
    app = await App.open(
        settings(tmp_path / "bot.sqlite3", coordinators=frozenset({UserRef("console", "9")})),
        i18n,
        faq,
    )
    boss = Person(app, UserRef("console", "9"), hint="en")
    await boss.choose_language("English")
    return app, boss


async def test_reload_puts_edited_answers_in_use_and_keeps_the_old_on_a_broken_file(
    tmp_path: Path, i18n: I18n
) -> None:
    folder = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, folder)
    app, boss = await with_a_coordinator(tmp_path, i18n, Faq(folder))
    await boss.press_payload("f:contact")
    assert "NEW CONTACT LINE" not in boss.text

    en = folder / "en.yaml"
    text = en.read_text(encoding="utf-8")
    marker = "  contact:\n"
    head, tail = text.split(marker, 1)
    tail = tail.replace("answer: |\n", "answer: |\n      NEW CONTACT LINE.\n", 1)
    en.write_text(head + marker + tail, encoding="utf-8")
    await boss.say("/reload")
    assert "FAQ reloaded: 26 topics in use." in boss.text
    await boss.press_payload("f:contact")
    assert "NEW CONTACT LINE" in boss.text

    en.write_text("topics: [unclosed", encoding="utf-8")
    await boss.say("/reload")
    assert "Problems found" in boss.text
    await boss.press_payload("f:contact")
    assert "NEW CONTACT LINE" in boss.text, "a broken file leaves the last good one in use"
    await app.close()


async def test_reload_puts_the_questions_asked_in_use(tmp_path: Path, i18n: I18n) -> None:
    folder = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, folder)
    asked = (folder / "asked.yaml").read_text(encoding="utf-8")
    (folder / "asked.yaml").unlink()
    app, boss = await with_a_coordinator(tmp_path, i18n, Faq(folder))
    await boss.say("How do I get a Swedish work permit?")
    assert "I don't know the answer" not in boss.text, "answered with a topic before"

    (folder / "asked.yaml").write_text(asked, encoding="utf-8")
    await boss.say("/reload")
    assert "FAQ reloaded: 26 topics in use." in boss.text
    await boss.say("How do I get a Swedish work permit?")
    assert "I don't know the answer to that" in boss.text
    await app.close()


async def test_others_are_answered_while_the_faq_reloads(
    tmp_path: Path, i18n: I18n, monkeypatch: pytest.MonkeyPatch
) -> None:
    faq = Faq()
    app, boss = await with_a_coordinator(tmp_path, i18n, faq)
    ana = Person(app, UserRef("console", "1"), hint="en")
    await ana.choose_language("English")
    building, built = threading.Event(), threading.Event()
    reload = faq.reload

    def slow_reload() -> list[str]:
        building.set()
        built.wait(timeout=5)
        return reload()

    monkeypatch.setattr(faq, "reload", slow_reload)
    reloading = asyncio.create_task(boss.say("/reload"))
    try:
        assert await asyncio.to_thread(building.wait, 30)
        await ana.say("Who funds the programme?")
        assert "Sweden" in ana.text
        assert not reloading.done(), "the reload held every reply up until it was done"
    finally:
        built.set()
        await reloading
        await app.close()
    assert "FAQ reloaded: 26 topics in use." in boss.text


async def test_long_categories_are_paged(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(faq_chat, "TOPICS_PER_PAGE", 2)
    p = Person(app, UserRef("console", "1"), hint="en")
    await p.choose_language("English")
    await p.press("Questions")
    await p.press(p.labels()[0])
    first_page = p.labels()
    assert "Next »" in first_page and "« Previous" not in first_page
    await p.press("Next »")
    assert "« Previous" in p.labels()
    assert p.labels()[:2] != first_page[:2]


async def test_sighup_reloads_the_running_bot(
    tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    async with BotApiDouble() as api:
        env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_URL": api.base_url,
               "PARTNERBOT_DB": str(tmp_path / "bot.sqlite3")}  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env,
            stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        processes.append(process)
        api.user_text(5, "/start", language_code="en")
        await api.wait_for_sent(5, 1, timeout=20)
        process.send_signal(signal.SIGHUP)
        api.user_text(5, "/help", language_code="en")
        await api.wait_for_sent(5, 2, timeout=20)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0
    assert "FAQ reloaded: 26 topics" in stderr.decode()
