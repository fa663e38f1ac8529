"""Every message exists in every locale, with the same placeholders, in the right script."""

from __future__ import annotations

import re
import string
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

from bot.core.i18n import LOCALES_DIR, catalogues, latin_catalogue, read_catalogue
from bot.core.locales import Locale
from bot.core.script import has_cyrillic

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"


def _strings(catalog: Catalog) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in catalog:
        if not m.id:
            continue
        key = m.id if isinstance(m.id, str) else m.id[0]
        forms = m.string if isinstance(m.string, tuple | list) else [m.string]
        out[key] = [f or "" for f in forms]
    return out


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_message_is_in_every_locale_with_the_same_placeholders() -> None:
    loaded = {loc: _strings(cat) for loc, cat in catalogues().items()}
    english = loaded[Locale.EN]
    for loc, messages in loaded.items():
        assert messages.keys() == english.keys(), f"{loc.value}: {messages.keys() ^ english.keys()}"
        for msgid, forms in messages.items():
            assert all(forms), f"{loc.value}: {msgid} is empty"
            expected = _placeholders(english[msgid][0]) | _placeholders(english[msgid][-1])
            for form in forms:
                assert _placeholders(form) <= expected | {"n"}, f"{loc.value} {msgid}: {form}"
                assert _placeholders(english[msgid][0]) - {"n"} <= _placeholders(form), (
                    f"{loc.value} {msgid} lacks a placeholder: {form}"
                )


def test_serbian_has_three_plural_forms_and_english_two() -> None:
    assert read_catalogue(LOCALES_DIR, "sr").num_plurals == 3
    assert read_catalogue(LOCALES_DIR, "en").num_plurals == 2


def test_the_derived_latin_has_no_cyrillic_letter() -> None:
    latin = _strings(latin_catalogue(read_catalogue(LOCALES_DIR, "sr")))
    offending = {k: v for k, v in latin.items() if any(has_cyrillic(s) for s in v)}
    assert not offending


def test_serbian_is_written_in_cyrillic_only() -> None:
    # Latin words in the Serbian file would reach Latin readers untouched but Cyrillic
    # readers in the wrong script; names of programmes and commands are the exception.
    allowed = {"partnerbot", "ICLD", "start", "menu", "language", "cancel", "help", "stats", "ask"}
    allowed |= {"inbox", "faq", "subscribe", "unsubscribe", "reload", "register", "mydata"}
    allowed |= {"forget", "registrations", "export", "export_csv", "notifications", "Excel"}
    allowed |= {"CSV", "ime@opstina.rs", "announce", "announcements", "workshop", "workshops"}
    allowed |= {"web", "PARTNERBOT_WEB_LISTEN", "PARTNERBOT_WEB_URL", "questions", "locales/faq"}
    for msgid, forms in _strings(read_catalogue(LOCALES_DIR, "sr")).items():
        for form in forms:
            words = {w.strip("/-.,:;!?()„“”") for w in re.sub(r"\{\w+\}", "", form).split()}
            latin = {
                w
                for w in words
                if w and not has_cyrillic(w) and any(c.isalpha() for c in w) and w not in allowed
            }
            assert not latin, f"{msgid}: {latin}"


def test_every_message_the_code_uses_is_in_the_catalogues() -> None:
    used: set[str] = set()
    for _, _, msgid, _, _ in extract_from_dir(
        BOT_DIR,
        # the console's templates call t() and tn() as the code does
        method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")],
        keywords={"t": None, "tn": (1, 2)},
    ):
        used.update([msgid] if isinstance(msgid, str) else msgid)
    known = _strings(read_catalogue(LOCALES_DIR, "en")).keys() | {
        m.id[1] for m in read_catalogue(LOCALES_DIR, "en") if isinstance(m.id, tuple)
    }
    assert used, "the extractor found no message"
    assert used <= known, f"missing in the catalogues: {sorted(used - known)}"


# the bot's own sentences address the reader formally ("Ви", capitalised as in letters); button
# labels are the person's words to the bot ("Пошаљи координатору") and may stay informal
_INFORMAL_PRONOUNS = re.compile(r"(?<!\w)(ти|тебе|теби|твој\w*|ви|вас|вам|вама|ваш\w*)(?!\w)")
_INFORMAL_IMPERATIVES = re.compile(
    r"(?<!\w)(почни|напусти|учитај|примај|укључи|искључи|изабери|пошаљи|напиши|притисни|"
    r"погледај|унеси|настави|откажи|потврди|измени|обриши|врати|покушај|прескочи)(?!\w)",
    re.IGNORECASE,
)
_BUTTONS = {
    "button.cancel", "faq.send_to_coordinator", "registration.skip_phone", "registration.confirm",
    "registration.edit", "registration.start_over", "forget.yes", "form.answer_question",
}  # fmt: skip


def test_every_serbian_sentence_addresses_the_reader_formally() -> None:
    for msgid, forms in _strings(read_catalogue(LOCALES_DIR, "sr")).items():
        button = msgid in _BUTTONS or ".button" in msgid or msgid.startswith("button.")
        for form in forms:
            text = re.sub(r"„[^”“]*[”“]", "", form)  # quoted labels, the person's own words
            assert not _INFORMAL_PRONOUNS.findall(text), f"{msgid}: {form}"
            if not button:
                assert not _INFORMAL_IMPERATIVES.findall(text), f"{msgid}: {form}"


def _arrows_dropped(text: str) -> str:
    # "« Back" and "Next »" on buttons are arrows, not quotation marks
    return text.removeprefix("« ").removesuffix(" »")


def test_quotation_marks_as_each_language_writes_them() -> None:
    for msgid, forms in _strings(read_catalogue(LOCALES_DIR, "sr")).items():
        for form in map(_arrows_dropped, forms):
            assert not set(form) & set("”«»"), f"sr {msgid}: „…“ in Serbian: {form}"
            assert form.count("„") == form.count("“"), f"sr {msgid}: {form}"
    for msgid, forms in _strings(read_catalogue(LOCALES_DIR, "en")).items():
        for form in map(_arrows_dropped, forms):
            assert not set(form) & set("„«»"), f"en {msgid}: “…” in English: {form}"
