"""Gettext catalogues: sr (Cyrillic) and en are written; sr-Latn is derived from sr."""

from __future__ import annotations

import copy
import io
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.core.locales import Locale
from bot.core.script import to_latin

DOMAIN = "messages"
LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"


def read_catalogue(directory: Path, babel_id: str) -> Catalog:
    path = directory / babel_id / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fp:
        return read_po(fp, locale=babel_id)


def latin_catalogue(cyrillic: Catalog) -> Catalog:
    """The Serbian Latin catalogue, transliterated message by message."""
    latin = copy.deepcopy(cyrillic)
    latin.locale = "sr_Latn"
    for message in latin:
        if not message.id:
            continue
        if isinstance(message.string, tuple | list):
            message.string = tuple(to_latin(s) for s in message.string)
        elif message.string:
            message.string = to_latin(message.string)
    return latin


def catalogues(directory: Path = LOCALES_DIR) -> dict[Locale, Catalog]:
    sr = read_catalogue(directory, "sr")
    return {
        Locale.SR_CYRL: sr,
        Locale.SR_LATN: latin_catalogue(sr),
        Locale.EN: read_catalogue(directory, "en"),
    }


def _translations(catalog: Catalog) -> Translations:
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf, domain=DOMAIN)


class Translator:
    """Messages and dates in one locale. Pass one explicitly wherever several locales are
    in play (a broadcast, a coordinator's notification about someone else)."""

    def __init__(self, locale: Locale, translations: Translations) -> None:
        self.locale = locale
        self._tr = translations

    def t(self, msgid: str, **values: Any) -> str:
        text: str = self._tr.gettext(msgid)
        return text.format(**values) if values else text

    def tn(self, msgid: str, msgid_plural: str, n: int, **values: Any) -> str:
        text: str = self._tr.ngettext(msgid, msgid_plural, n)
        return text.format(n=n, **values)

    def characters(self, n: int) -> str:
        """ "2002 знака", "1 character": a length as the locale counts it."""
        return self.tn("count.characters", "count.characters_plural", n)

    def date(self, moment: datetime, zone: tzinfo) -> str:
        """ "27. новембра 2026.", "27 November 2026". Babel's long Serbian date has the
        month in the nominative ("новембар"), which is wrong in a date: the catalogue has
        the genitive, as Serbian is written."""
        local = moment.astimezone(zone)
        month = self.t(f"month.{local.month}")
        return self.t("date.long", day=local.day, month=month, year=local.year)

    def datetime(self, moment: datetime, zone: tzinfo) -> str:
        """ "27. новембра 2026. у 10:00", "27 November 2026, 10:00"."""
        local = moment.astimezone(zone)
        return self.t("datetime.at", date=self.date(moment, zone), time=f"{local:%H:%M}")


class I18n:
    def __init__(self, directory: Path = LOCALES_DIR) -> None:
        loaded = catalogues(directory)
        english = _translations(loaded[Locale.EN])
        self._translators: dict[Locale, Translator] = {}
        for locale, catalog in loaded.items():
            tr = _translations(catalog)
            if locale is not Locale.EN:
                # a message missing in Serbian shows in English rather than as its id
                tr.add_fallback(english)
            self._translators[locale] = Translator(locale, tr)

    def __getitem__(self, locale: Locale) -> Translator:
        return self._translators[locale]
