"""An official registers their municipality's interest, mostly with buttons."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.app import App
from bot.core.i18n import I18n
from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.registration.fields import AREAS, POSITIONS, STAGES
from tests.chat import Person, settings, shared_faq

COORDINATOR = UserRef("console", "99")

# (language button, municipality typed, its button, texts of the buttons pressed …)
FLOWS = {
    "Ћирилица": {
        "town": "Краљево", "pick": "Краљево", "name": "Јелена Јовановић",
        "position": "Локална управа", "areas": ["Социјалне услуге", "ЕУ интеграције"],
        "done": "Готово", "stage": "Већ имамо шведског партнера", "agree": "Слажем се",
        "yes": "Да", "confirm": "Потврди", "registered": "Пријављено: Краљево.",
    },
    "Latinica": {
        "town": "knic", "pick": "Knić", "name": "Marko Marković",
        "position": "Član veća ili skupštine", "areas": ["Zaštita životne sredine"],
        "done": "Gotovo", "stage": "Tražimo partnera", "agree": "Slažem se", "yes": "Ne",
        "confirm": "Potvrdi", "registered": "Prijavljeno: Knić.",
    },
    "English": {
        "town": "Lazarevac", "pick": "Lazarevac", "name": "Ana O'Neill",
        "position": "Assistant mayor", "areas": ["Local economic development"], "done": "Done",
        "stage": "Just exploring", "agree": "I agree", "yes": "Yes", "confirm": "Confirm",
        "registered": "Registered: Lazarevac (city municipality, Beograd).",
    },
}  # fmt: skip


async def complete(p: Person, flow: Mapping[str, object], email: str = "ime@opstina.rs") -> None:
    await p.say("/register")
    await p.say(str(flow["town"]))
    await p.press(str(flow["pick"]))
    await p.say(str(flow["name"]))
    await p.press(str(flow["position"]))
    await p.say(email)
    await p.say("064 123 4567")
    for area in flow["areas"]:  # type: ignore[attr-defined]
        await p.press(area)
    await p.press(str(flow["done"]))
    await p.press(str(flow["stage"]))
    await p.press(str(flow["agree"]))
    await p.press(str(flow["yes"]))
    assert str(flow["name"]) in p.text, "the summary shows the answers"
    await p.press(str(flow["confirm"]))


async def test_a_complete_registration_in_each_locale(
    person: Callable[..., Person], db_path: Path
) -> None:
    for n, (language, flow) in enumerate(FLOWS.items()):
        p = person(str(n + 1), hint="en")
        await p.say("/start")
        await p.press(language)
        await complete(p, flow)
        assert str(flow["registered"]) in p.text
        assert [o.to for o in p.others] == [COORDINATOR], "the coordinator is notified"
    db = sqlite3.connect(db_path)
    rows = db.execute(
        "SELECT municipality, name, phone, areas, stage, consent_version "
        "FROM registrations ORDER BY id"
    ).fetchall()
    assert rows == [
        ("kraljevo", "Јелена Јовановић", "+381641234567", '["eu", "social"]', "has_partner",
         "2026-11-27"),
        ("knic", "Marko Marković", "+381641234567", '["environment"]', "looking", "2026-11-27"),
        ("lazarevac-bg", "Ana O'Neill", "+381641234567", '["economy"]', "exploring",
         "2026-11-27"),
    ]  # fmt: skip
    # the announcements answer is the person's subscription, the one switch
    assert db.execute("SELECT subscribed FROM users ORDER BY id").fetchall() == [(1,), (0,), (1,)]


async def test_every_wrong_answer_gets_its_reason_and_the_same_question(
    person: Callable[..., Person], db_path: Path
) -> None:
    p = person(hint="en")
    await p.choose_language("English")
    await p.say("/register")
    await p.say("Atlantis")
    assert "no Serbian city or municipality matching “Atlantis”" in p.text
    await p.say("palilula")
    assert p.labels()[:2] == [
        "Palilula (city municipality, Beograd)",
        "Palilula (city municipality, Niš)",
    ]
    await p.press("Niš")
    await p.say("1")
    assert "in letters" in p.text
    await p.say("x" * 101)
    assert "at most 100 characters" in p.text
    await p.say("'; DROP TABLE users; --")
    assert "in letters" in p.text, "a name is letters"
    await p.say("Ana2")
    assert "in letters" in p.text
    await p.say("Ana-Marija  O'Neill")
    assert "3/8" in p.text
    await p.say("I'd rather type")
    assert "Please answer with the buttons." in p.text
    await p.press("Other (type it)")
    await p.say("Head of the <b>tourism</b> office")
    await p.press("Back")
    assert "Please write your position" in p.text, "back from e-mail to the typed position"
    await p.say("Head of the <b>tourism</b> office")
    await p.say("ana.example.rs")
    assert "needs an @" in p.text
    await p.say("ana@")
    assert "“ana@” is not a valid e-mail address" in p.text
    await p.say("ana@example.rs")
    await p.say("call me maybe")
    assert "digits only" in p.text
    await p.say("12")
    assert "“12” is not a valid phone number" in p.text
    await p.press("Skip")
    await p.press("Done")
    assert "at least one area" in p.text
    await p.press("Other")
    await p.press("Done")
    await p.press("Just exploring")
    await p.press("Back")
    await p.press("Just exploring")
    await p.press("I do not agree")
    assert "nothing was stored" in p.text
    assert sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM registrations").fetchone() == (0,)


async def test_back_edit_and_cancel(person: Callable[..., Person], db_path: Path) -> None:
    p = person(hint="en")
    await p.choose_language("English")
    await complete_until_summary(p)
    await p.press("Edit")
    await p.press("E-mail")
    await p.say("new@example.rs")
    assert "Please check your answers" in p.text, "after an edit the summary comes back"
    assert "E-mail: new@example.rs" in p.text
    await p.press("Back")
    assert "Would you like workshop announcements" in p.text
    await p.press("Cancel")
    assert "Registration cancelled" in p.text
    assert sqlite3.connect(db_path).execute("SELECT COUNT(*) FROM registrations").fetchone() == (0,)


async def register_in_valjevo(p: Person, name: str) -> None:
    """/register, Valjevo, and the name: the form then asks for the position."""
    await p.say("/register")
    await p.say("Valjevo")
    await p.press("Valjevo")
    await p.say(name)


async def complete_until_summary(p: Person) -> None:
    await register_in_valjevo(p, "Ana Anić")
    await p.press("Mayor")
    await p.say("ana@valjevo.rs")
    await p.press("Skip")
    await p.press("Social services")
    await p.press("Done")
    await p.press("Just exploring")
    await p.press("I agree")
    await p.press("No")


async def test_confirming_twice_registers_once_and_again_updates(
    person: Callable[..., Person], db_path: Path
) -> None:
    p = person(hint="en")
    await p.choose_language("English")
    await complete_until_summary(p)
    confirm = p.button("Confirm")
    await p.press_payload(confirm.payload)
    assert "Registered: Valjevo." in p.text
    await p.press_payload(confirm.payload)
    assert "This button has expired" in p.text
    await complete_until_summary(p)
    await p.press("Confirm")
    assert "Updated: your registration for Valjevo" in p.text
    assert "Ажурирана пријава" in p.others[0].reply.text, "in the coordinator's locale"
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT COUNT(*) FROM registrations").fetchone() == (1,)


async def test_a_restart_in_the_middle_of_the_form_continues_it(db_path: Path, i18n: I18n) -> None:
    app = await App.open(settings(db_path), i18n, faq=shared_faq())
    p = Person(app, UserRef("console", "1"), hint="en")
    await p.choose_language("English")
    await p.say("/register")
    await p.say("kragujevac")
    await p.press("Kragujevac")
    await p.say("Petar Petrović")
    position = p.button("Mayor")
    await app.close()

    app = await App.open(settings(db_path), i18n, faq=shared_faq())
    p = Person(app, UserRef("console", "1"), hint="en")
    await p.press_payload(position.payload)
    assert "4/8 Your e-mail address" in p.text
    await p.say("/menu")
    assert "You have an unfinished form" in p.text
    await p.press("Continue the form")
    assert "4/8 Your e-mail address" in p.text
    await p.say("petar@kg.rs")
    assert "5/8" in p.text, "the menu in between does not lose the form"
    await app.close()


def test_every_choice_has_a_label_in_every_locale(i18n: I18n) -> None:
    for locale in Locale:
        t = i18n[locale]
        ids = [f"registration.position.{k}" for k in POSITIONS]
        ids += [f"registration.area.{k}" for k in AREAS]
        ids += [f"registration.stage.{k}" for k in STAGES]
        ids += [f"mydata.locale.{loc.value}" for loc in Locale]
        for msgid in ids:
            assert t.t(msgid) != msgid, f"{locale.value}: {msgid}"


async def test_free_text_is_stored_exactly_and_shown_back_as_typed(
    person: Callable[..., Person], db_path: Path
) -> None:
    p = person(hint="en")
    await p.choose_language("English")
    await register_in_valjevo(p, "  Zoë   Đorđević ")
    await p.press("Other (type it)")
    await p.say("Šef kancelarije & <i>LER</i>")
    await p.say("zoe@valjevo.rs")
    await p.press("Skip")
    await p.press("Other")
    await p.press("Done")
    await p.press("Just exploring")
    await p.press("I agree")
    await p.press("No")
    assert "Name: Zoë Đorđević" in p.text
    assert "Position: Šef kancelarije & <i>LER</i>" in p.text
    await p.press("Confirm")
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT name, position_other FROM registrations").fetchone() == (
        "Zoë Đorđević", "Šef kancelarije & <i>LER</i>",
    )  # fmt: skip


async def test_the_faq_answer_about_registering_starts_the_form(
    person: Callable[..., Person],
) -> None:
    p = person(hint="en")
    await p.press_payload("f:bot.register")
    await p.press("Register interest")
    assert "1/8 Which city or municipality?" in p.text


async def test_a_double_tap_does_not_answer_the_next_question(
    person: Callable[..., Person], db_path: Path
) -> None:
    p = person(hint="en")
    await p.choose_language("English")
    await register_in_valjevo(p, "Ana Anić")
    mayor = p.button("Mayor")
    await p.press_payload(mayor.payload)
    assert "4/8 Your e-mail address" in p.text
    await p.press_payload(mayor.payload)
    assert "That button belongs to an earlier question" in p.text
    assert "4/8 Your e-mail address" in p.text, "the current question is asked again"


async def test_answers_typed_into_the_form_do_not_change_the_language(
    person: Callable[..., Person],
) -> None:
    p = person(hint="en")
    await p.say("/register")
    await p.say("Čačak")
    assert "Choose yours" in p.text, "the Latin town name did not switch to Serbian"
    await p.press("Čačak")
    await p.say("Đorđe Šćekić")
    assert "3/8 Your position" in p.text


async def test_phones_as_people_read_them_and_places_as_people_name_them(
    person: Callable[..., Person], db_path: Path
) -> None:
    p = person(hint="en")
    await p.choose_language("English")
    await p.say("/register")
    await p.say("Uppsala")
    assert "This form is for cities and municipalities in Serbia" in p.text
    await p.say("opstina Kraljevo")
    assert p.labels() == ["Kraljevo", "Cancel"], "the kind of place is no part of its name"
    await p.press("Kraljevo")
    await p.say("Ana Anić")
    await p.press("Mayor")
    await p.say("ana@kraljevo.rs")
    await p.say("036 306 000, lokal 12")
    assert "6/8" in p.text, "an extension is accepted"
    await p.press("Other")
    await p.press("Done")
    await p.press("Just exploring")
    await p.press("I agree")
    await p.press("Yes")
    assert "Phone: +381 36 306 000, ext. 12" in p.text
    await p.press("Confirm")
    [(stored,)] = sqlite3.connect(db_path).execute("SELECT phone FROM registrations").fetchall()
    assert stored == "+38136306000;ext=12"
    sr = person("2", hint="sr")
    await sr.choose_language("Ћирилица")
    await complete(sr, FLOWS["Ћирилица"])
    await sr.say("/mydata")
    assert "+381 64 123 4567" in sr.text


async def test_a_typed_position_cannot_pose_as_more_lines(person: Callable[..., Person]) -> None:
    # line breaks and a right-to-left override would show fake lines in the coordinator's
    # notification: the field is one line, as the summary shows it back
    p = person(hint="en")
    await p.choose_language("English")
    await register_in_valjevo(p, "Ana Anić")
    await p.press("Other (type it)")
    await p.say("Adviser\nE-mail: boss@skgo.org\u202e")
    await p.say("ana@valjevo.rs")
    await p.press("Skip")
    for area in ("Local economic development",):
        await p.press(area)
    await p.press("Done")
    await p.press("Just exploring")
    await p.press("I agree")
    await p.press("Yes")
    assert "Position: Adviser E-mail: boss@skgo.org\n" in p.text
    assert "\u202e" not in p.text


async def test_invisible_characters_alone_are_an_empty_message(
    person: Callable[..., Person],
) -> None:
    p = person(hint="en")
    await p.choose_language("English")
    await p.say("\u200b\u200e\u2060")
    assert p.text.startswith("Your message was empty.")


async def test_a_sticker_at_a_forms_step_asks_the_steps_question_again(
    person: Callable[..., Person],
) -> None:
    p = person(hint="en")
    await p.choose_language("English")
    await p.say("/register")
    await p.say("Kraljevo")
    await p.press("Kraljevo")
    asked = p.text
    await p.send_sticker()
    assert p.text.startswith("I understand text and buttons only.")
    assert asked.splitlines()[-1] in p.text, "the name question again"
    await p.say("Ana Anić")
    assert "3/8" in p.text, "the form went on from where it was"
    # outside a form, the menu as before
    await p.say("/cancel")
    await p.send_sticker()
    assert p.labels() == ["Menu"]
