"""Registrations: every registration in one table to search, filter, sort and export."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from aiohttp import web
from babel.numbers import format_decimal

from bot.core.collation import sort_key
from bot.core.erasure import holds_personal_data
from bot.core.i18n import Translator
from bot.core.locales import Locale
from bot.registration import export
from bot.registration.fields import AREAS, STAGES
from bot.registration.form import choice_label, shown_phone
from bot.storage.clock import parse
from bot.storage.registrations import Stored
from bot.web import changes
from bot.web.pages.registration_table import (
    SORTS,
    BadQuery,
    Query,
    chosen,
    district_label,
    district_of,
    districts,
    everything,
    municipality_name,
)

if TYPE_CHECKING:
    from bot.web.console import Console, Page

PER_PAGE = 100
EXPORTS_SHOWN = 5

# -- what the table shows --------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    updated: str
    municipality: str
    district: str
    name: str
    position: str
    email: str
    phone: str
    areas: str
    stage: str
    announcements: str
    messenger: str


def headers(t: Translator) -> dict[str, str]:
    """The columns' names; those the export has too are named as in the export."""
    return {
        "updated": t.t("export.column.updated"),
        "municipality": t.t("web.registrations.column.municipality"),
        "district": t.t("web.registrations.column.district"),
        "name": t.t("export.column.name"),
        "position": t.t("export.column.position"),
        "email": t.t("export.column.email"),
        "phone": t.t("export.column.phone"),
        "areas": t.t("export.column.areas"),
        "stage": t.t("export.column.stage"),
        "announcements": t.t("export.column.announcements"),
        "messenger": t.t("web.registrations.column.messenger"),
    }


def messenger_label(t: Translator, messenger: str) -> str:
    if messenger == "telegram":
        return t.t("web.registrations.messenger.telegram")
    if messenger == "viber":
        return t.t("web.registrations.messenger.viber")
    return messenger


# phonenumbers parses a number in a fraction of a millisecond: a hundred rows a view add up
_phone = lru_cache(maxsize=16_384)(shown_phone)
holds_personal_data(_phone.cache_clear)


def _row(stored: Stored, t: Translator, page: Page) -> Row:
    r = stored.registration
    zone = page.services.settings.timezone
    return Row(
        updated=t.date(parse(stored.updated_at), zone),
        municipality=municipality_name(r.municipality, t),
        district=district_label(district_of(r.municipality), t),
        name=r.name,
        position=(
            r.position_other if r.position == "other" else choice_label(t, "position", r.position)
        ),
        email=r.email,
        phone=_phone(t, r.phone),
        areas=", ".join(choice_label(t, "area", a) for a in r.areas),
        stage=choice_label(t, "stage", r.stage),
        announcements=t.t("registration.yes") if r.announcements else t.t("registration.no"),
        messenger=messenger_label(t, stored.user.messenger),
    )


def _number(n: int, t: Translator) -> str:
    return format_decimal(n, locale=t.locale.babel_id)


def _bad(page: Page) -> web.Response:
    return page.console.message(page.t, 400, "web.bad_form.title", "web.bad_form.text", page)


async def registrations(page: Page) -> web.StreamResponse:
    t = page.t
    try:
        query = Query.of(page.request.query)
    except BadQuery:
        return _bad(page)
    stored = await everything(page.services)
    rows = chosen(stored, query, t, page.services.i18n)
    pages = max(1, -(-len(rows) // PER_PAGE))
    if query.p > pages:
        return _bad(page)
    first = (query.p - 1) * PER_PAGE
    shown = rows[first : first + PER_PAGE]
    cyrillic = t.locale is Locale.SR_CYRL
    district_options = sorted(
        ((d, district_label(d, t)) for d in districts()), key=lambda o: sort_key(o[1], cyrillic)
    )
    return page.render(
        "registrations.html",
        title=t.t("web.registrations.title"),
        query=query,
        headers=headers(t),
        sortable=SORTS,
        rows=[_row(s, t, page) for s in shown],
        total=len(stored),
        matching=len(rows),
        showing=t.t(
            "web.registrations.showing",
            first=_number(first + 1, t),
            last=_number(first + len(shown), t),
            total=_number(len(rows), t),
        ),
        pages=pages,
        districts=district_options,
        areas=[(a, choice_label(t, "area", a)) for a in AREAS],
        stages=[(s, choice_label(t, "stage", s)) for s in STAGES],
        exports=await changes.latest(page, ("export",), EXPORTS_SHOWN),
    )


async def _export(page: Page, fmt: str) -> web.StreamResponse:
    try:
        query = Query.of(page.request.query)
    except BadQuery:
        return _bad(page)
    services = page.services
    # every page of what the table shows, in its order
    rows = chosen(await everything(services), query, page.t, services.i18n)
    file = await export.export_file(services, rows, page.t, fmt, page.coordinator)
    return page.download(file.content, file.filename)


async def export_csv(page: Page) -> web.StreamResponse:
    return await _export(page, "csv")


async def export_xlsx(page: Page) -> web.StreamResponse:
    return await _export(page, "xlsx")


def install(console: Console) -> None:
    console.get("/registrations", registrations)
    console.get("/registrations/export.csv", export_csv)
    console.get("/registrations/export.xlsx", export_xlsx)
