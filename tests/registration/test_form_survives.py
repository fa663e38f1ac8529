"""A form in progress survives everything else a person does, and is offered again."""

from __future__ import annotations

from collections.abc import Callable

from tests.chat import Person
from tests.registration.test_form import register_in_valjevo

STEP_EMAIL = "4/8 Your e-mail address:"


async def four_steps(p: Person) -> None:
    """/register, Valjevo, a name and a position: the form then asks for the e-mail."""
    await register_in_valjevo(p, "Ana Anić")
    await p.press("Mayor")
    assert STEP_EMAIL in p.text


async def continues_at_the_email(p: Person) -> None:
    await p.say("/menu")
    assert "You have an unfinished form" in p.text
    await p.press("Continue the form")
    assert STEP_EMAIL in p.text


async def test_asking_a_coordinator_mid_form_keeps_the_form(
    person: Callable[..., Person],
) -> None:
    for way in ("/ask", "menu"):
        p = person(f"1{way}", hint="en")
        await p.choose_language("English")
        await four_steps(p)
        if way == "/ask":
            await p.say("/ask")
        else:
            await p.say("/menu")
            await p.press("Ask a coordinator")
        await p.say("Is co-financing required for small municipalities?")
        assert "Sent" in p.text
        await continues_at_the_email(p)
        await p.say("ana@valjevo.rs")
        assert "5/8" in p.text, "the form goes on from where it was"


async def test_forget_cancelled_and_a_language_change_keep_the_form(
    person: Callable[..., Person],
) -> None:
    p = person(hint="en")
    await p.choose_language("English")
    await four_steps(p)
    await p.say("/forget")
    await p.press("Cancel")
    assert "Nothing was deleted" in p.text
    await continues_at_the_email(p)
    await p.choose_language("English")
    await continues_at_the_email(p)


async def test_registering_again_mid_form_asks_first(person: Callable[..., Person]) -> None:
    p = person(hint="en")
    await p.choose_language("English")
    await four_steps(p)
    await p.say("/menu")
    await p.press("Register interest")
    assert "You have already started registering" in p.text
    assert p.labels() == ["Continue the form", "Start over"]
    await p.press("Continue the form")
    assert STEP_EMAIL in p.text
    await p.say("/register")
    await p.press("Start over")
    assert "1/8" in p.text


async def test_after_leaving_the_form_text_is_a_question_again(
    person: Callable[..., Person],
) -> None:
    for leave in ("/start", "/language", "/help"):
        p = person(f"3{leave}", hint="sr")
        await p.choose_language("Latinica")
        await register_in_valjevo(p, "Ana Anić")
        await p.press("Gradonačelnik")
        await p.say("ana@valjevo.rs")
        assert "5/8" in p.text
        await p.say(leave)
        await p.say("Da li je potrebno sufinansiranje?")
        # a question for the knowledge base (here: "I don't know, ask a coordinator"), not a
        # phone number that fails its check
        assert "5/8" not in p.text and "telefon" not in p.text.lower(), leave
        assert "Meni" in p.labels()
        await p.say("/menu")
        await p.press("Nastavite obrazac")
        assert "5/8" in p.text


async def test_a_question_typed_at_a_step_gets_a_choice(person: Callable[..., Person]) -> None:
    for label, question, answer_it, go_on, step in (
        ("English", "Who funds the programme?", "Answer my question", "Continue the form",
         "4/8"),
        ("Latinica", "Ko finansira program?", "Odgovori na moje pitanje", "Nastavite obrazac",
         "4/8"),
        ("Ћирилица", "Ко финансира програм?", "Одговори на моје питање", "Наставите образац",
         "4/8"),
    ):  # fmt: skip
        p = person(f"4{label}", hint="sr")
        await p.choose_language(label)
        await p.say("/register")
        await p.say("Valjevo")
        await p.press(p.labels()[0])  # Valjevo, in the chosen script
        await p.say("Ana Anić")
        await p.press(p.labels()[0])  # the first position
        assert step in p.text
        await p.say(question)
        assert question in p.text and p.labels() == [answer_it, go_on]
        await p.press(go_on)
        assert step in p.text, "the same step again"
        await p.say(question)
        await p.press(answer_it)
        # the knowledge base's reply (an answer or "did you mean"), with its menu button
        assert step not in p.text
        assert p.labels()[-1] in ("Menu", "Meni", "Мени"), p.text
        await p.say("/menu")
        await p.press(go_on)
        assert step in p.text


async def test_a_coordinators_own_form_survives_replying_from_the_inbox(
    person: Callable[..., Person],
) -> None:
    asker = person("7", hint="en")
    await asker.choose_language("English")
    await asker.say("/ask")
    await asker.say("When is the next call for projects?")
    boss = person("99", hint="en")
    await boss.choose_language("English")
    await four_steps(boss)
    await boss.say("/inbox")
    await boss.press("Reply")
    await boss.say("Calls are announced on icld.se.")
    assert "has your reply" in boss.text
    await continues_at_the_email(boss)
