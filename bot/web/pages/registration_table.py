"""The registrations table's rows: the query in the page's address, checked; search in either
script without diacritics; filters; the order in the reader's alphabet."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlencode

from bot.core.collation import sort_key
from bot.core.context import Services
from bot.core.erasure import holds_personal_data
from bot.core.i18n import I18n, Translator
from bot.core.locales import Locale
from bot.core.messages import UserRef
from bot.core.script import fold, to_cyrillic
from bot.registration.fields import AREAS, POSITIONS, STAGES
from bot.registration.form import choice_label, municipality_label
from bot.registration.municipalities import all_municipalities
from bot.storage.registrations import Registration, Stored

SORTS = ("updated", "municipality", "name", "district", "stage")
ANNOUNCEMENTS = ("any", "yes", "no")
MAX_SEARCH = 200


class BadQuery(ValueError):
    """A filter, sort or page the table does not have."""


@cache
def districts() -> frozenset[str]:
    return frozenset(m.district for m in all_municipalities().values() if m.district)


@dataclass(frozen=True)
class Query:
    """What the coordinator asked to see: the page's GET parameters, checked."""

    q: str = ""
    district: str = ""
    area: str = ""
    stage: str = ""
    announcements: str = "any"
    sort: str = "updated"
    dir: str = "desc"
    p: int = 1

    @classmethod
    def of(cls, params: Mapping[str, str]) -> Query:
        def one(name: str, allowed: Callable[[str], bool], default: str) -> str:
            value = params.get(name, "") or default
            if not allowed(value):
                raise BadQuery(name)
            return value

        page = params.get("p", "") or "1"
        if not page.isdecimal() or len(page) > 6 or int(page) < 1:
            raise BadQuery("p")
        return cls(
            q=" ".join(params.get("q", "").split())[:MAX_SEARCH],
            district=one("district", lambda v: not v or v in districts(), ""),
            area=one("area", lambda v: not v or v in AREAS, ""),
            stage=one("stage", lambda v: not v or v in STAGES, ""),
            announcements=one("announcements", ANNOUNCEMENTS.__contains__, "any"),
            sort=one("sort", SORTS.__contains__, "updated"),
            dir=one("dir", ("asc", "desc").__contains__, "desc"),
            p=int(page),
        )

    def params(self, **changes: Any) -> str:
        """This query as a query string (with `changes`), without what is left at default."""
        changed = replace(self, **changes)
        pairs = {
            f.name: str(getattr(changed, f.name))
            for f in fields(self)
            if getattr(changed, f.name) != f.default
        }
        return "?" + urlencode(pairs) if pairs else ""

    def sorted_by(self, column: str) -> str:
        """The link of a column's header: the other direction when the table is sorted by it."""
        if column == self.sort:
            direction = "asc" if self.dir == "desc" else "desc"
        else:
            direction = "desc" if column == "updated" else "asc"
        return self.params(sort=column, dir=direction, p=1)


# -- loading ---------------------------------------------------------------------------------

# Registrations.all() reads through a cursor in chunks, a round trip to the database thread
# each; the table wants every row on each view, in one
_EVERYTHING = """
    SELECT r.id, r.municipality, r.name, r.position, r.position_other, r.email, r.phone,
        r.areas, r.stage, r.consent_version, r.locale, r.created_at, r.updated_at,
        u.messenger, u.external_id, u.subscribed
    FROM registrations r JOIN users u ON u.id = r.user_id
"""


@lru_cache(maxsize=1024)
def _areas(stored: str) -> tuple[str, ...]:
    return tuple(json.loads(stored))


def _built(r: Any) -> Stored:
    return Stored(
        r[0], UserRef(r[13], r[14]),
        Registration(
            municipality=r[1], name=r[2], position=r[3], position_other=r[4], email=r[5],
            phone=r[6], areas=_areas(r[7]), stage=r[8], announcements=bool(r[15]),
            consent_version=r[9], locale=r[10],
        ),
        r[11], r[12],
    )  # fmt: skip


# the registrations as last read, by their row: most are unchanged from one view to the next,
# and building a thousand frozen dataclasses costs more than reading them
_known: dict[tuple[Any, ...], Stored] = {}


def _forget_known() -> None:
    _known.clear()


holds_personal_data(_forget_known)


async def everything(services: Services) -> list[Stored]:
    global _known
    rows = [tuple(r) for r in await services.db.execute_fetchall(_EVERYTHING)]
    known = _known
    _known = {r: known.get(r) or _built(r) for r in rows}
    return list(_known.values())


# -- search ------------------------------------------------------------------------------------

# fold() costs tens of microseconds: each name, address and position is folded once per process
_folded = lru_cache(maxsize=65_536)(fold)
holds_personal_data(_folded.cache_clear)


@cache
def _municipality_words(code: str) -> str:
    m = all_municipalities().get(code)
    if m is None:
        return fold(code)
    return " ".join(fold(n) for n in (m.name_latn, m.name_cyrl, m.parent_latn) if n)


def _position_words(i18n: I18n) -> dict[str, str]:
    # a position matches in any language: "pomocnik" and "assistant" both find an assistant
    translators = (i18n[Locale.SR_CYRL], i18n[Locale.EN])
    return {
        p: " ".join(_folded(choice_label(t, "position", p)) for t in translators) for p in POSITIONS
    }


def _searched(stored: Stored, positions: Mapping[str, str]) -> str:
    r = stored.registration
    position = _folded(r.position_other) if r.position == "other" else positions.get(r.position, "")
    return f"{_folded(r.name)} {_folded(r.email)} {_municipality_words(r.municipality)} {position}"


def district_of(code: str) -> str:
    m = all_municipalities().get(code)
    return m.district if m else ""


def chosen(rows: list[Stored], query: Query, t: Translator, i18n: I18n) -> list[Stored]:
    """The registrations the search and filters let through, in the order asked for (in the
    alphabet of `t`'s script)."""
    words = fold(query.q).split()
    positions = _position_words(i18n) if words else {}
    wanted = query.announcements == "yes"

    def kept(s: Stored) -> bool:
        r = s.registration
        if query.area and query.area not in r.areas:
            return False
        if query.stage and r.stage != query.stage:
            return False
        if query.announcements != "any" and r.announcements != wanted:
            return False
        if query.district and district_of(r.municipality) != query.district:
            return False
        if not words:
            return True
        searched = _searched(s, positions)
        return all(w in searched for w in words)

    return _ordered([s for s in rows if kept(s)], query, t)


# -- order ---------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def district_label(district: str, t: Translator) -> str:
    # the statistical office writes the districts in Latin
    return to_cyrillic(district) if t.locale is Locale.SR_CYRL else district


@lru_cache(maxsize=4096)
def municipality_name(code: str, t: Translator) -> str:
    m = all_municipalities().get(code)
    return municipality_label(m, t) if m else code


def _ordered(rows: list[Stored], query: Query, t: Translator) -> list[Stored]:
    descending = query.dir == "desc"
    newest_first = sorted(rows, key=lambda s: (s.updated_at, s.id), reverse=True)
    if query.sort == "updated":
        return newest_first if descending else newest_first[::-1]
    cyrillic = t.locale is Locale.SR_CYRL
    keys: dict[str, Callable[[Stored], Any]] = {
        "municipality": lambda s: sort_key(
            municipality_name(s.registration.municipality, t), cyrillic
        ),
        "name": lambda s: sort_key(s.registration.name, cyrillic),
        "district": lambda s: sort_key(
            district_label(district_of(s.registration.municipality), t), cyrillic
        ),
        "stage": lambda s: (
            STAGES.index(s.registration.stage) if s.registration.stage in STAGES else len(STAGES)
        ),
    }
    # a stable sort: equal keys stay newest first, in either direction
    return sorted(newest_first, key=keys[query.sort], reverse=descending)
