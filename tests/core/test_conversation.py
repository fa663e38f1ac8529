"""What a person sees when talking to the bot, through the core alone."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.app import App
from bot.core.locales import Locale
from bot.core.script import has_cyrillic
from tests.chat import Person

MENU_EN = ["Questions", "Register interest", "Workshops", "Ask a coordinator", "Language"]


async def test_first_start_offers_the_three_scripts_preselected_from_the_hint(
    person: Callable[..., Person],
) -> None:
    ana = person(hint="sr")
    await ana.say("/start")
    assert "Изаберите језик и писмо" in ana.text
    assert ana.labels() == ["✓ Ћирилица", "Latinica", "English"]

    marko = person("2", hint="hr")
    await marko.say("/start")
    assert "Izaberite jezik i pismo" in marko.text
    assert marko.labels() == ["Ћирилица", "✓ Latinica", "English"]

    john = person("3", hint="de")
    await john.say("/start")
    assert "Choose your language" in john.text
    assert john.labels() == ["Ћирилица", "Latinica", "✓ English"]


async def test_choosing_each_language_shows_the_menu_in_it(person: Callable[..., Person]) -> None:
    expected = {
        "Ћирилица": ["Питања", "Пријава интересовања", "Радионице", "Питајте координатора"],
        "Latinica": ["Pitanja", "Prijava interesovanja", "Radionice", "Pitajte koordinatora"],
        "English": MENU_EN[:4],
    }
    for n, (choice, menu) in enumerate(expected.items()):
        p = person(str(10 + n), hint="sr")
        await p.say("/start")
        await p.press(choice)
        assert p.labels()[:4] == menu
        await p.say("/start")
        assert p.labels()[:4] == menu, "a second /start greets in the chosen language"


async def test_the_reply_follows_the_script_of_the_message_until_a_choice(
    person: Callable[..., Person],
) -> None:
    ana = person(hint="sr")
    await ana.say("zdravo, kako da koristim ovo?")
    assert ana.labels()[-1] == "Meni"
    await ana.say("здраво, како ово ради?")
    assert ana.labels()[-1] == "Мени"
    await ana.say("hello, what can you do?")
    assert ana.labels()[-1] == "Menu"
    await ana.say("/menu")
    assert "Questions" in ana.labels(), "a command has no language: the last one is kept"

    await ana.choose_language("Ћирилица")
    await ana.say("hello, what can you do?")
    assert ana.labels()[-1] == "Мени", "an explicit choice wins over the message's language"


async def test_help_shows_the_coordinator_section_only_to_coordinators(
    person: Callable[..., Person],
) -> None:
    ana = person(hint="en")
    await ana.say("/help")
    assert "/language" in ana.text
    assert "/stats" not in ana.text
    await ana.say("/stats")
    assert "for the programme's coordinators only" in ana.text

    coordinator = person("99", hint="en")
    await coordinator.say("/help")
    assert "For coordinators" in coordinator.text
    await coordinator.say("/stats")
    assert "2 people have written to the bot." in coordinator.text


async def test_bad_input_gets_a_clear_answer(person: Callable[..., Person]) -> None:
    ana = person(hint="en")
    await ana.send_sticker()
    assert "I understand text and buttons only" in ana.text
    await ana.say("x" * 5000)
    assert "too long (5000 characters)" in ana.text
    await ana.say("/frobnicate now")
    assert "I do not know the command /frobnicate" in ana.text
    await ana.press_payload("d:abcdef:yes")
    assert "This button has expired" in ana.text
    assert "Questions" in ana.labels()
    await ana.press_payload("lang:tlh")
    assert "This button has expired" in ana.text
    await ana.say("/cancel")
    assert "nothing to cancel" in ana.text


async def test_a_failure_inside_a_handler_still_answers(
    app: App, person: Callable[..., Person]
) -> None:
    async def broken(*_: object) -> list[object]:
        raise RuntimeError("boom")

    app.dispatcher.on_question = broken  # type: ignore[assignment]
    ana = person(hint="en")
    await ana.say("what is this?")
    assert "something went wrong on my side" in ana.text


async def test_a_newcomer_with_a_language_chosen_beforehand_is_not_welcomed_back(
    app: App, person: Callable[..., Person]
) -> None:
    # what `partnerbot chat --lang sr-Latn` does before the first line is typed
    ana = person("40")
    user = await app.services.users.seen(ana.ref, ana.name)
    await app.services.users.set_locale(user.id, Locale.SR_LATN)
    await ana.say("/start")
    assert ana.text.startswith("Dobar dan! Ja sam partnerbot")
    assert "ponovo" not in ana.text
    assert ana.labels()[0] == "Pitanja"


async def test_cancel_names_what_was_cancelled(person: Callable[..., Person]) -> None:
    for hint, nothing, question, form in (
        ("en", "There is nothing to cancel", "nothing was sent", "nothing from that form"),
        ("sr", "Нема ничега за отказивање", "ништа није послато", "ништа из тог обрасца"),
    ):
        p = person(f"5{hint}", hint=hint)
        await p.say("/cancel")
        assert nothing in p.text
        await p.say("/ask")
        await p.say("/cancel")
        assert question in p.text and form not in p.text
        await p.say("/register")
        await p.say("/cancel")
        assert form in p.text


def _latin(text: str) -> bool:
    return not has_cyrillic(text) and not re.search(r"\b(the|you|your|Menu|Cancel)\b", text)


async def test_commands_and_addresses_never_change_the_language_of_the_replies(
    person: Callable[..., Person],
) -> None:
    for hint, question, in_script in (
        ("sr", "Шта је ICLD?", has_cyrillic),
        ("sr", "Sta je ICLD?", _latin),
        ("en", "Шта је ICLD?", has_cyrillic),
    ):
        p = person(f"6{hint}{len(question)}{question[0]}", hint=hint)
        await p.say(question)
        for command in ("/help", "/menu", "/faq", "/mydata", "/register"):
            await p.say(command)
            assert in_script(p.text + " ".join(p.labels())), (question, command, p.text)
        # form answers and an e-mail address say nothing about the language either
        for answer in ("Čačak", "1", "ana@opstina.rs", "https://icld.se"):
            await p.say(answer)
            assert in_script(p.text + " ".join(p.labels())), (question, answer, p.text)
        await p.say("/cancel")


async def test_counts_agree_with_their_numbers(person: Callable[..., Person]) -> None:
    ana = person("70", hint="sr")
    await ana.choose_language("Ћирилица")
    await ana.say("а" * 4098)
    assert "(4098 знакова)" in ana.text and "највише 4096 знакова" in ana.text
    await ana.say("/ask")
    await ana.say("а" * 2002)
    assert "То је 2002 знака" in ana.text and "највише 2000 знакова" in ana.text
    boss = person("99", hint="en")
    await boss.choose_language("English")
    await boss.say("/reload")
    assert re.search(r"FAQ reloaded: \d+ topics in use", boss.text)


async def test_stats_are_in_words_with_the_menu(person: Callable[..., Person]) -> None:
    for n, label in enumerate(("Ћирилица", "Ћирилица", "English")):
        p = person(f"8{n}", hint="sr")
        await p.choose_language(label)
    person("89", hint="sr")
    boss = person("99", hint="sr")
    await boss.choose_language("Ћирилица")
    await boss.say("/stats")
    assert "терминал, српски, ћирилица: 3 особе" in boss.text  # the coordinator too
    assert "терминал, енглески: 1 особа" in boss.text
    assert "sr-Cyrl" not in boss.text and boss.labels() == ["Мени"]
