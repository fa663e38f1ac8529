"""Who will attend a workshop, as a table: for the chat, CSV (with a BOM) and XLSX."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

import aiosqlite

from bot.core.i18n import Translator
from bot.core.messages import Attachment, UserRef
from bot.registration.export import to_csv, to_xlsx, today
from bot.registration.form import choice_label, municipality_label
from bot.registration.municipalities import all_municipalities
from bot.storage.clock import parse

if TYPE_CHECKING:
    from bot.core.context import Services

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True, slots=True)
class Attendee:
    name: str
    user: str  # messenger:id
    status: str  # going, waiting
    signed_up: datetime
    # from the person's latest registration; empty when they never registered
    municipality: str = ""
    position: str = ""
    position_other: str = ""
    email: str = ""
    phone: str = ""


# the latest registration only: a person who registered two municipalities is one attendee
_ROWS = """
    SELECT u.name AS user_name, u.messenger, u.external_id, a.status, a.created_at,
           r.name AS registered_name, r.municipality, r.position, r.position_other, r.email,
           r.phone
    FROM attendance a
    JOIN users u ON u.id = a.user_id
    LEFT JOIN registrations r ON r.id = (
        SELECT id FROM registrations WHERE user_id = a.user_id
        ORDER BY updated_at DESC, id DESC LIMIT 1)
    WHERE a.workshop_id = ?
    ORDER BY a.status = 'waiting', a.created_at
"""


def _attendee(r: aiosqlite.Row) -> Attendee:
    return Attendee(
        name=r["user_name"] or r["registered_name"] or "",
        user=f"{r['messenger']}:{r['external_id']}", status=r["status"],
        signed_up=parse(r["created_at"]), municipality=r["municipality"] or "",
        position=r["position"] or "", position_other=r["position_other"] or "",
        email=r["email"] or "", phone=r["phone"] or "",
    )  # fmt: skip


async def attendee_rows(conn: aiosqlite.Connection, workshop_id: int) -> list[Attendee]:
    """Those going first, then the waiting list, each in the order they signed up."""
    return [_attendee(r) for r in await conn.execute_fetchall(_ROWS, (workshop_id,))]


def municipality(a: Attendee, t: Translator) -> str:
    known = all_municipalities().get(a.municipality)
    return municipality_label(known, t) if known else a.municipality


def status(a: Attendee, t: Translator) -> str:
    return t.t("wsc.status.going") if a.status == "going" else t.t("wsc.status.waiting")


def table(rows: list[Attendee], t: Translator, zone: tzinfo) -> list[list[str]]:
    """Header and one line per attendee, in the reader's locale and time zone."""
    header = [
        t.t("wsc.column.name"), t.t("wsc.column.messenger"), t.t("wsc.column.municipality"),
        t.t("wsc.column.position"), t.t("wsc.column.email"), t.t("wsc.column.phone"),
        t.t("wsc.column.status"), t.t("wsc.column.signed_up"),
    ]  # fmt: skip
    lines = [header]
    for a in rows:
        if a.position == "other":
            position = a.position_other
        else:
            position = choice_label(t, "position", a.position) if a.position else ""
        lines.append(
            [
                a.name,
                a.user,
                municipality(a, t),
                position,
                a.email,
                # as stored (+381641234567): the spaced form would be taken for a formula
                a.phone,
                status(a, t),
                a.signed_up.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return lines


def render(rows: list[Attendee], t: Translator, zone: tzinfo, fmt: str) -> bytes:
    lines = table(rows, t, zone)
    return to_csv(lines) if fmt == "csv" else to_xlsx(lines, t.t("wsc.sheet"))


async def export_file(
    services: Services, workshop_id: int, t: Translator, fmt: str, who: UserRef
) -> tuple[Attachment, int]:
    """Who comes to a workshop as a file named for it and today, and how many they are; the
    download recorded in the audit: the chat's /workshops and the console alike."""
    zone = services.settings.timezone
    rows = await attendee_rows(services.db, workshop_id)
    content = render(rows, t, zone, fmt)
    await services.audit.record(who, "export_attendees", f"{workshop_id} {fmt} {len(rows)}")
    return Attachment(f"attendees-{workshop_id}-{today(zone)}.{fmt}", content), len(rows)
