"""Registrations as CSV (UTF-8 with a BOM, so Excel shows Cyrillic) or XLSX."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from bot.core.i18n import Translator
from bot.core.messages import Attachment, UserRef
from bot.registration.form import choice_label, municipality_label, shown_phone
from bot.registration.municipalities import all_municipalities
from bot.storage.clock import parse
from bot.storage.registrations import Stored

if TYPE_CHECKING:
    from bot.core.context import Services

COLUMNS = (
    "updated", "created", "municipality", "name", "position", "email", "phone", "areas",
    "stage", "announcements", "consent", "locale", "contact",
)  # fmt: skip
FORMATS = ("csv", "xlsx")


def table(rows: list[Stored], t: Translator, zone: tzinfo) -> list[list[str]]:
    """Header and one line per registration, in the reader's locale and time zone."""
    header = [t.t(f"export.column.{c}") for c in COLUMNS]
    lines = [header]
    for stored in rows:
        r = stored.registration
        municipality = all_municipalities().get(r.municipality)
        position = (
            r.position_other if r.position == "other" else choice_label(t, "position", r.position)
        )
        lines.append(
            [
                parse(stored.updated_at).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                parse(stored.created_at).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                municipality_label(municipality, t) if municipality else r.municipality,
                r.name,
                position,
                r.email,
                shown_phone(t, r.phone) if r.phone else "",
                ", ".join(choice_label(t, "area", a) for a in r.areas),
                choice_label(t, "stage", r.stage),
                t.t("registration.yes") if r.announcements else t.t("registration.no"),
                r.consent_version,
                r.locale,
                str(stored.user),
            ]
        )
    return lines


def to_csv(lines: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for line in lines:
        # a cell starting with = + - @ would run as a formula in Excel; a phone number would not
        writer.writerow(["'" + c if _formula(c) else c for c in line])
    return buf.getvalue().encode("utf-8-sig")


def _formula(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@") and not re.fullmatch(r"\+[0-9]{6,15}", cell)


def to_xlsx(lines: list[list[str]], title: str) -> bytes:
    # imported here: every start of the bot and of its commands would pay for it otherwise
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    for line in lines:
        # strings are stored as text, never as formulas
        sheet.append([("'" + c if c.startswith("=") else c) for c in line])
    for index, _ in enumerate(lines[0], start=1):
        width = max(len(line[index - 1]) for line in lines)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 50)
    sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def render(rows: list[Stored], t: Translator, zone: tzinfo, fmt: str) -> bytes:
    lines = table(rows, t, zone)
    return to_csv(lines) if fmt == "csv" else to_xlsx(lines, t.t("export.sheet"))


def today(zone: tzinfo) -> str:
    """The date in an export's file name, where the coordinators are."""
    return datetime.now(UTC).astimezone(zone).strftime("%Y-%m-%d")


async def export_file(
    services: Services, rows: list[Stored], t: Translator, fmt: str, who: UserRef
) -> Attachment:
    """These registrations as a file named for today, the download recorded in the audit: the
    chat's /export and the console's export alike."""
    zone = services.settings.timezone
    content = render(rows, t, zone, fmt)
    await services.audit.record(who, "export", f"{fmt} {len(rows)}")
    return Attachment(f"registrations-{today(zone)}.{fmt}", content)
