"""Who an announcement is for: all subscribers, or narrowed by one criterion.

Written as `all`, `municipality:CODE,…`, `district:NAME,…`, `area:KEY,…`, `stage:KEY,…`,
`locale:sr-Cyrl,…` or `workshop:ID` (its attendees), in the database and on the command
line alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import aiosqlite

from bot.core.locales import Locale
from bot.core.numbers import number
from bot.core.script import fold
from bot.registration.fields import AREAS, STAGES
from bot.registration.municipalities import all_municipalities, search
from bot.storage.clock import stamp

KEYS = ("all", "municipality", "district", "area", "stage", "locale", "workshop")


class AudienceError(Exception):
    """`reason` is a catalogue id (audience.unknown_key, …); `value` what was not understood."""

    def __init__(self, reason: str, value: str) -> None:
        super().__init__(f"{reason}: {value}")
        self.reason = reason
        self.value = value


@dataclass(frozen=True, slots=True)
class Audience:
    key: str
    values: tuple[str, ...] = ()

    @property
    def spec(self) -> str:
        return self.key if self.key == "all" else f"{self.key}:{','.join(self.values)}"


ALL = Audience("all")


@cache
def districts() -> dict[str, str]:
    """Folded name → the district's name as written."""
    names = {m.district for m in all_municipalities().values() if m.district}
    return {fold(n): n for n in sorted(names)}


def _district(value: str) -> str:
    key = fold(value).removesuffix(" okrug").strip()
    found = [name for k, name in districts().items() if k.removesuffix(" okrug") == key]
    if not found:
        found = [name for k, name in districts().items() if key and k.startswith(key)]
    if len(found) != 1:
        raise AudienceError("audience.unknown_district", value)
    return found[0]


def _municipality(value: str) -> str:
    if value in all_municipalities():
        return value
    found = search(value)
    if len(found) != 1:
        raise AudienceError("audience.unknown_municipality", value)
    return found[0].code


def parse(spec: str) -> Audience:
    text = spec.strip()
    if fold(text) in ("all", "svi", "sve"):
        return ALL
    key, sep, rest = text.partition(":")
    key = key.strip().lower()
    if key not in KEYS or key == "all" or not sep:
        raise AudienceError("audience.unknown_key", text)
    values = [v.strip() for v in rest.split(",") if v.strip()]
    if not values:
        raise AudienceError("audience.no_value", text)
    if key == "municipality":
        values = [_municipality(v) for v in values]
    elif key == "district":
        values = [_district(v) for v in values]
    elif key in ("area", "stage"):
        allowed = AREAS if key == "area" else STAGES
        for v in values:
            if v not in allowed:
                raise AudienceError(f"audience.unknown_{key}", v)
    elif key == "locale":
        try:
            values = [Locale.parse(v).value for v in values]
        except ValueError:
            raise AudienceError("audience.unknown_locale", rest) from None
    else:  # workshop
        if len(values) != 1 or number(values[0]) is None:
            raise AudienceError("audience.unknown_workshop", rest)
    return Audience(key, tuple(dict.fromkeys(values)))


_SUBSCRIBED = "SELECT u.id FROM users u WHERE u.subscribed = 1 AND u.blocked = 0"


def recipients_sql(audience: Audience, waiting_too: bool = False) -> tuple[str, tuple[object, ...]]:
    """A query selecting the recipients' user ids, and its parameters. `waiting_too`: a
    workshop's waiting list as well (they hear of its cancellation)."""
    marks = ", ".join("?" for _ in audience.values)
    values: tuple[object, ...] = audience.values
    key = audience.key
    if key == "all":
        return _SUBSCRIBED, ()
    if key == "workshop":
        # those who said they will attend asked for its news, subscribed or not
        statuses = "'going', 'waiting'" if waiting_too else "'going'"
        return (
            "SELECT u.id FROM users u JOIN attendance a ON a.user_id = u.id "
            f"WHERE a.workshop_id = ? AND a.status IN ({statuses}) AND u.blocked = 0",
            (int(audience.values[0]),),
        )
    if key == "locale":
        chosen = "COALESCE(u.locale, u.last_locale, 'sr-Cyrl')"
        return f"{_SUBSCRIBED} AND {chosen} IN ({marks})", values
    if key == "district":
        codes = tuple(
            c for c, m in all_municipalities().items() if m.district in set(audience.values)
        )
        key, marks, values = "municipality", ", ".join("?" for _ in codes), codes
    if key == "municipality":
        where = f"r.municipality IN ({marks})"
    elif key == "stage":
        where = f"r.stage IN ({marks})"
    else:  # area: registrations keep their areas as a JSON list
        where = f"EXISTS (SELECT 1 FROM json_each(r.areas) j WHERE j.value IN ({marks}))"
    return (
        f"{_SUBSCRIBED} AND EXISTS (SELECT 1 FROM registrations r "
        f"WHERE r.user_id = u.id AND {where})",
        values,
    )


async def outside_session(conn: aiosqlite.Connection, audience: Audience, at: datetime) -> int:
    """Recipients on Viber who have not written in the 24 hours before `at`: Viber bills a
    message the bot starts outside such a session."""
    sql, params = recipients_sql(audience)
    rows = await conn.execute_fetchall(
        f"SELECT COUNT(*) FROM users WHERE id IN ({sql}) AND messenger = 'viber' AND last_seen < ?",
        (*params, stamp(at - timedelta(hours=24))),
    )
    return int(next(iter(rows))[0])


async def count(conn: aiosqlite.Connection, audience: Audience) -> int:
    sql, params = recipients_sql(audience)
    rows = await conn.execute_fetchall(f"SELECT COUNT(*) FROM ({sql})", params)
    return int(next(iter(rows))[0])
